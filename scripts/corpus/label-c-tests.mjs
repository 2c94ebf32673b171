// Needles of the C and C++ projects' test runs: the hand-written harnesses, ctest, and any
// compiler error or sanitizer report that the run printed.
import { gccCandidates } from './label-gcc.mjs';
import { cand as candOf, linesOf, selectNeedles } from './needle-select.mjs';
import { sanitizerCandidates, stripCtestPrefix } from './label-sanitizer.mjs';

export const NAME = 'label-c-tests';
export const RULE =
  'each failing check `file:line: [test: ]expected ...`/`check failed` line, each failing test line ' +
  '(`FAIL name`, `[  FAIL  ] suite.name`, ctest `N/M Test #k: name ...***Failed`), the ctest failed-test ' +
  'list entries, the `N passed, M failed` and `X% tests passed, N tests failed out of M` summaries; ' +
  'compile errors and sanitizer reports with the label-gcc and label-sanitizer rules.';

export function label(output) {
  const all = linesOf(output);
  const lines = all.map(stripCtestPrefix);
  const cand = (_, i, why, tier) => candOf(all, i, why, tier);
  const out = [];
  let firstCheck = true;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (/^\s*\S+\.(c|cpp):\d+: .*(expected|check failed)/.test(l)) {
      // The first failing check is kept; the failing tests' lines come before further checks.
      out.push(cand(lines, i, 'failing check with file:line', firstCheck ? 0 : 2));
      firstCheck = false;
    } else if (/^FAIL \w+$/.test(l) || /^\[ {2}FAIL {2}\] \S+$/.test(l)) {
      out.push(cand(lines, i, 'failing test', 1));
    } else if (/^\s*\d+\/\d+ Test +#\d+: \S+ .*\*\*\*(Failed|Exception)/.test(l)) {
      out.push(cand(lines, i, 'ctest failing test', 1));
    } else if (/^\s+\d+ - \S+ \((Failed|SEGFAULT|Subprocess aborted|Exception)\)/.test(l)) {
      out.push(cand(lines, i, 'ctest failed-test list entry', 2));
    } else if (/^(\w+: )?\d+ passed, \d+ failed$/.test(l) && !/ 0 failed$/.test(l)) {
      out.push(cand(lines, i, 'summary', 0));
    } else if (/^\d+% tests passed, \d+ tests? failed out of \d+$/.test(l)) {
      out.push(cand(lines, i, 'ctest summary', 0));
    } else if (/ threw /.test(l) && /^\s+\w+ threw /.test(l)) {
      out.push(cand(lines, i, 'exception in a test', 1));
    }
  }
  out.push(...sanitizerCandidates(all), ...gccCandidates(all));
  return selectNeedles(out);
}
