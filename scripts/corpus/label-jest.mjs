// Needles of a jest run: each `● Suite › test` failure header, its message line, the
// Expected/Received (or diff) lines, its innermost project frame and the test's own frame, and
// the `Tests:` summary line.
import { FRAME, isOwnFrame, isTestPath } from './label-js-frames.mjs';
import { linesOf, needle, selectNeedles } from './label-select.mjs';

export const rule =
  'jest report structure (label-jest.mjs): per `● Suite › test` block (not `● Console`), the header, its first ' +
  'message line, up to two `Expected:`/`Received:` or `-`/`+` diff lines, the innermost `at` frame in the ' +
  "project's files and the test file's own frame; the `Tests:` summary line (and `Test Suites:` when a suite failed to run).";

export function label(output, { root } = {}) {
  const lines = linesOf(output);
  const groups = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s+● (?!Console$)\S/.test(lines[i])) continue;
    let end = i + 1;
    while (end < lines.length && !/^\s+● \S|^(PASS|FAIL) |^(Tests|Test Suites|Snapshots|Time):/.test(lines[end])) end++;
    const body = lines.slice(i + 1, end);
    const g = [needle(lines[i], 'failing test header')];
    const message = body.find((l) => l.trim());
    if (message) g.push(needle(message, 'assertion / error message'));
    const frames = body.filter((l) => FRAME.test(l) && /^\s+at /.test(l));
    const own = frames.filter((l) => isOwnFrame(l, root));
    if (own[0]) g.push(needle(own[0], 'file:line where it failed'));
    const values = body.filter((l) => /^\s+(Expected|Received)( value)?:|^\s+(Expected|Received) (length|constructor|message|substring|pattern)|^\s+[-+] {1,3}\S/.test(l) && !/^\s+[-+] (Expected|Received)\s+[-+] \d+/.test(l));
    g.push(...values.slice(0, 2).map((l) => needle(l, 'expected / actual')));
    const testFrame = own.find((l) => isTestPath(l));
    if (testFrame && testFrame !== own[0]) g.push(needle(testFrame, "the test's own line"));
    groups.push(g);
    i = end - 1;
  }
  const always = [];
  const tests = lines.findLast((l) => /^Tests:\s+\d/.test(l));
  if (tests) always.push(needle(tests, 'run summary'));
  const suites = lines.findLast((l) => /^Test Suites:\s+\d+ failed/.test(l));
  if (suites && !tests) always.push(needle(suites, 'suite summary'));
  return selectNeedles(groups, always);
}
