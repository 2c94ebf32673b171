// Needles of a vitest run: each ` FAIL  file > suite > test` header in the failed-tests section,
// the error line under it, the `- Expected`/`+ Received` diff lines, the first ` ❯ file:line:col`
// frame (where it failed) and the test file's own frame, and the `Tests` summary line.
import { isTestPath } from './label-js-frames.mjs';
import { linesOf, needle, selectNeedles } from './label-select.mjs';

export const rule =
  'vitest report structure (label-vitest.mjs): per ` FAIL  file > suite > test` header (in the Failed Tests ' +
  'section), the header, the error line under it, the first ` ❯ ` frame and the test file\'s frame, up to two ' +
  'changed diff lines (`-`/`+` under `- Expected`/`+ Received`); the `Tests  N failed | M passed` line.';

export function label(output) {
  const lines = linesOf(output);
  const groups = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^ FAIL  \S.* > /.test(lines[i]) && !/^ FAIL  \S+ \[/.test(lines[i])) continue;
    let end = i + 1;
    while (end < lines.length && !/^ FAIL  |^⎯{3,}/.test(lines[end])) end++;
    const body = lines.slice(i + 1, end);
    const g = [needle(lines[i], 'failing test header')];
    const message = body.find((l) => l.trim());
    if (message) g.push(needle(message, 'assertion / error message'));
    const frames = body.filter((l) => /^\s*❯ /.test(l));
    if (frames[0]) g.push(needle(frames[0], 'file:line where it failed'));
    const diffAt = body.findIndex((l) => l === '- Expected');
    if (diffAt >= 0) {
      const changed = body.slice(diffAt + 2).filter((l) => /^[-+] /.test(l) && !/^[-+] (Expected|Received)$/.test(l));
      g.push(...changed.slice(0, 2).map((l) => needle(l, 'expected / actual')));
    }
    const testFrame = frames.find((l) => isTestPath(l));
    if (testFrame && testFrame !== frames[0]) g.push(needle(testFrame, "the test's own line"));
    groups.push(g);
    i = end - 1;
  }
  const always = [];
  const tests = lines.findLast((l) => /^\s+Tests\s+\d+ (failed|passed)/.test(l));
  if (tests) always.push(needle(tests, 'run summary'));
  const files = lines.findLast((l) => /^\s+Test Files\s+\d+ failed/.test(l));
  if (files && !tests) always.push(needle(files, 'file summary'));
  return selectNeedles(groups, always);
}
