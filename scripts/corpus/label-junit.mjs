// Needles of a JUnit 4 run, through JUnitCore or Maven Surefire: failing test headers, the assertion
// or exception line, the frame of the failing assertion in the test's own code, the summary.
import { cand, linesOf, selectNeedles } from './needle-select.mjs';
import { EXCEPTION, traceCandidates } from './label-java-stack.mjs';
import { javacCandidates } from './label-javac.mjs';

export const NAME = 'label-junit';
export const RULE =
  'JUnitCore: each `N) test(Class)` header, the exception/assertion line under it (expected:<..> but was:<..>), ' +
  'the first project frame (the test\'s file:line), root `Caused by:`, and `Tests run: N,  Failures: M`. ' +
  'Surefire: each `<<< FAILURE!`/`<<< ERROR!` test line with its exception line and project frame, the ' +
  '`[ERROR]   Class.test:line message` summary lines, and the final `Tests run:` totals line; ' +
  'compile errors with the label-javac rules.';

export function label(output) {
  const lines = linesOf(output);
  const out = [];
  let firstFailure = true;
  // The first failure is kept whole; of the others, the headers come before their details.
  const failureAt = (i, headerWhy) => {
    const t = firstFailure ? 0 : 1;
    out.push(cand(lines, i, headerWhy, t));
    const ex = lines.findIndex((l, k) => k > i && k < i + 4 && EXCEPTION.test(l));
    if (ex > 0) {
      for (const c of traceCandidates(lines, ex, firstFailure ? 0 : 2)) {
        out.push(c.why === 'innermost project frame' ? { ...c, why: 'failing assertion in the test (file:line)' } : c);
      }
    }
    firstFailure = false;
  };
  let lastTotals = -1;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (/^\d+\) .+\([\w.$]+\)$/.test(l)) failureAt(i, 'failing test header');
    else if (/^\[ERROR\] .*<<< (FAILURE|ERROR)!$/.test(l) && !/^\[ERROR\] Tests run:/.test(l)) failureAt(i, 'failing test header');
    else if (/^Tests run: \d+,\s+Failures: \d+/.test(l)) out.push(cand(lines, i, 'summary', 0));
    else if (/^\[(ERROR|INFO|WARNING)\] Tests run: \d+, Failures: \d+, Errors: \d+, Skipped: \d+$/.test(l)) lastTotals = i;
    else if (/^\[ERROR\] {2,}\S+:\d+/.test(l) || /^\[ERROR\] {2,}\S+ » /.test(l)) out.push(cand(lines, i, 'surefire failure summary line', 2));
  }
  if (lastTotals >= 0) out.push(cand(lines, lastTotals, 'summary', 0));
  out.push(...javacCandidates(lines));
  return selectNeedles(out);
}

