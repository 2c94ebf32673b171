// Needles of a mocha run (spec reporter): each `N) suite` failure header with its test-title
// line, the error line, the `actual !== expected` / `+`/`-` lines, the first project frame, and
// the `N failing` / `M passing` lines.
import { FRAME, isOwnFrame } from './label-js-frames.mjs';
import { linesOf, needle, selectNeedles } from './label-select.mjs';

export const rule =
  'mocha spec report (label-mocha.mjs): per numbered failure after the `N failing` line, the `N) suite` line and ' +
  'the test title line (ending in `:`), the error line, up to two value lines (`a !== b`, `+ x`/`- y`), the first ' +
  "`at` frame in the project's files; the `N failing` and `M passing` lines.";

export function label(output, { root } = {}) {
  const lines = linesOf(output);
  const failingAt = lines.findIndex((l) => /^\s+\d+ failing$/.test(l));
  const groups = [];
  for (let i = failingAt + 1; failingAt >= 0 && i < lines.length; i++) {
    if (!/^\s+\d+\) \S/.test(lines[i])) continue;
    let titleEnd = i;
    while (titleEnd < lines.length && !/:$/.test(lines[titleEnd])) titleEnd++;
    let end = titleEnd + 1;
    while (end < lines.length && !/^\s+\d+\) \S/.test(lines[end])) end++;
    const body = lines.slice(titleEnd + 1, end);
    const g = [needle(lines[i], 'failure number and suite')];
    if (titleEnd > i && lines[titleEnd]) g.push(needle(lines[titleEnd], 'failing test title'));
    const message = body.find((l) => l.trim());
    if (message) g.push(needle(message, 'assertion / error message'));
    const own = body.filter((l) => FRAME.test(l) && isOwnFrame(l, root));
    if (own[0]) g.push(needle(own[0], 'file:line where it failed'));
    const values = body.filter((l) => /^\S.* !==? \S|^\s*[-+](?![-+])\s*\S/.test(l) && !/^\s*\+ (expected|actual) - (actual|expected)$/.test(l));
    g.push(...values.slice(0, 2).map((l) => needle(l, 'expected / actual')));
    groups.push(g);
    i = end - 1;
  }
  const crashAt = lines.findIndex((l) => /Exception during run: /.test(l));
  if (groups.length === 0 && crashAt >= 0) {
    // mocha could not load a spec file: one error with its stack, no test ran
    const frames = [];
    for (let i = crashAt + 1; i < lines.length && FRAME.test(lines[i]); i++) frames.push(lines[i]);
    const g = [needle(lines[crashAt], 'exception message (the run failed to start)')];
    const own = frames.find((l) => isOwnFrame(l, root));
    if (own) g.push(needle(own, "innermost frame in the project's files"));
    if (frames[0] && frames[0] !== own) g.push(needle(frames[0], 'frame where it was thrown'));
    groups.push(g);
  }
  const always = [];
  if (failingAt >= 0) always.push(needle(lines[failingAt], 'failure count'));
  const passing = lines.find((l) => /^\s+\d+ passing/.test(l));
  if (passing) always.push(needle(passing, 'pass count'));
  return selectNeedles(groups, always);
}
