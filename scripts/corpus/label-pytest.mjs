// Needles of a pytest run, from its report's structure: each failure's header line
// (`____ test_x[param] ____`, `ERROR at setup of ...`, `[doctest] mod.func`), its first `E` line
// (the assertion or exception message), the `file:line:` location lines (where it was raised and
// the test's own frame), the expected/actual lines, and the final summary line.
import { linesOf, needle, selectNeedles } from './label-select.mjs';

export const rule =
  'pytest report structure (label-pytest.mjs): per failure in FAILURES/ERRORS, the `____ name ____` header, ' +
  'the first `E` line, the innermost `file:line:` location and the test file\'s own location, up to two ' +
  'expected/actual lines (three for a doctest: example, expected, got) (`E` lines with `==`/`!=`/`+`/`-`, or doctest `Expected:`/`Got:` values); the final ' +
  'summary line. Failures are taken evenly over the report when there are more than fit in 8 needles; ' +
  'with no FAILURES section (or `--tb=line`), the `FAILED`/`ERROR` short-summary lines name the failures. The first failure gives up to 5 needles. When pytest stops before any test (a conftest that fails to import), its first line, `E` line and locations.';

const HEADER = /^_{3,} (.+?) _{3,}$/;
const SECTION = /^={3,} (FAILURES|ERRORS|warnings summary|short test summary info|.*(passed|failed|error|no tests ran).*) ={3,}$/;
const LOCATION = /^(\S+\.py):(\d+): ?(.*)$/;
const SUMMARY = /^=*\s*(\d+ (failed|passed|errors?|skipped|xfailed|xpassed|deselected|warnings?)(, )?)+.* in [\d.]+s.*$|^=* ?no tests ran in/;

export function label(output) {
  const lines = linesOf(output);
  const groups = [];
  let current = null;
  let inReport = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const section = SECTION.exec(line);
    if (section) {
      inReport = section[1] === 'FAILURES' || section[1] === 'ERRORS';
      current = null;
      continue;
    }
    if (!inReport) continue;
    const header = HEADER.exec(line);
    if (header && !/^[_ ]+$/.test(header[1])) {
      current = { header: line, lines: [] };
      groups.push(current);
      continue;
    }
    if (!current) {
      // --tb=line: one `path:line: message` line per failure, without headers
      if (LOCATION.test(line) && LOCATION.exec(line)[3]) groups.push({ header: null, lines: [line] });
      continue;
    }
    current.lines.push(line);
  }
  const needleGroups = groups.map(failureNeedles);
  const shortSummary = lines.filter((l) => /^(FAILED|ERROR) \S/.test(l));
  if (needleGroups.length === 0) {
    for (const line of shortSummary) needleGroups.push([needle(line, 'failing test (short summary)')]);
  }
  if (needleGroups.length === 0) {
    // pytest stopped before running anything (a conftest that fails to import): one bare report
    const first = lines.find((l) => l.trim());
    needleGroups.push(failureNeedles({ header: /error/i.test(first ?? '') ? first : null, lines }));
  } else if (groups.every((g) => !g.header)) {
    // --tb=line: the i-th location line belongs to the i-th short-summary line, which names the test
    needleGroups.forEach((g, i) => shortSummary[i] && g.unshift(needle(shortSummary[i], 'failing test (short summary)')));
  }
  const summary = [...lines].reverse().find((l) => SUMMARY.test(l));
  return selectNeedles(needleGroups, summary ? [needle(summary, 'run summary')] : []);
}

function failureNeedles(failure) {
  const out = [];
  if (failure.header) out.push(needle(failure.header, 'failure header'));
  const body = failure.lines;
  const eLines = body.filter((l) => /^E\s/.test(l) && l.slice(1).trim());
  const locations = body.filter((l) => LOCATION.test(l));
  if (eLines[0]) out.push(needle(eLines[0], 'assertion / exception message'));
  const innermost = locations[locations.length - 1];
  if (innermost) out.push(needle(innermost, 'file:line where it failed'));
  const values = [];
  const expectedAt = body.findIndex((l) => l === 'Expected:');
  const gotAt = body.findIndex((l) => l === 'Got:' || l === 'Got nothing');
  if (expectedAt >= 0 && body[expectedAt + 1]?.trim()) values.push(needle(body[expectedAt + 1], 'doctest expected value'));
  if (gotAt >= 0 && body[gotAt + 1]?.trim() && body[gotAt] === 'Got:') values.push(needle(body[gotAt + 1], 'doctest actual value'));
  if (expectedAt >= 0) {
    const example = body.slice(0, expectedAt).reverse().find((l) => /^\d{3,}\s+>>> /.test(l));
    if (example) values.unshift(needle(example, 'failing doctest example'));
  }
  for (const l of eLines.slice(1)) if (/!=|==|^E\s+[-+] |^E\s+(Left|Right)\b/.test(l)) values.push(needle(l, 'expected / actual'));
  out.push(...values.slice(0, expectedAt >= 0 ? 3 : 2));
  const testFrame = locations.find((l) => /(^|\/)test_[^/]*\.py:|_test\.py:/.test(l));
  if (testFrame && testFrame !== innermost) out.push(needle(testFrame, "the test's own line"));
  return out;
}
