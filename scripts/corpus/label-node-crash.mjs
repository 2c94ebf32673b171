// Needles of a Node.js process that dies of an uncaught error or an unhandled rejection: the
// error line (and one continuation line of a multi-line message), the throw site Node prints
// above it (`/path/file.js:12`), the innermost frame in the project's files and the frame where
// it was thrown; for `[cause]:` chains the root cause's line and frame; for AggregateError the
// member errors.
import { FRAME, isOwnFrame } from './label-js-frames.mjs';
import { linesOf, needle, selectNeedles } from './label-select.mjs';

export const rule =
  'Node/V8 crash structure (label-node-crash.mjs): the first error line (`TypeError: ...`, `[UnhandledPromiseRejection: ...`) ' +
  'and one continuation line, the `file:line` throw site printed above it, the first `at` frame and the first one in ' +
  "the project's files (not node_modules, not node: internals); the last `[cause]:` line (root cause) with its first " +
  'frame; `[errors]:` members of an AggregateError with their project frame; in a deep recursion the frame that repeats.';

const ERROR_LINE = /^\s*(\[cause\]: |\[errors\]: \[ ?)?(\[?[A-Z][\w$]*(Error|Exception|Rejection)\b(\s\[[A-Z_]+\])?(:|\]|$| \{$)|\[?Error\b|Uncaught \S)/;

export function label(output, { root } = {}) {
  const lines = linesOf(output);
  const first = lines.findIndex((l) => ERROR_LINE.test(l) && !/^\s/.test(l));
  if (first < 0) return [];
  const result = [needle(lines[first], 'error line')];
  const continuation = lines[first + 1];
  if (continuation && continuation.trim() && !FRAME.test(continuation) && !/^\s*\[\w+\]: |^\s+\w+: /.test(continuation) && continuation.trim() !== '}') {
    result.push(needle(continuation, 'error message continued'));
  }
  const groups = [];
  const site = lines.slice(0, first).findLast((l) => /^(file:\/\/)?\/\S+:\d+$/.test(l));
  // the message may span lines (`Require stack:`, a code frame); the frames start after it
  let start = first + 1;
  while (start < lines.length && !FRAME.test(lines[start]) && !/^Node\.js v|^\s*\[\w+\]: |^\s+\w+: /.test(lines[start])) start++;
  const frames = [];
  for (let i = start; i < lines.length && (FRAME.test(lines[i]) || /^\s+\.\.\. \d+ lines? matching/.test(lines[i])); i++) if (FRAME.test(lines[i])) frames.push(lines[i]);
  const own = frames.find((l) => isOwnFrame(l, root));
  if (own) groups.push([needle(own, "innermost frame in the project's files")]);
  if (site) groups.push([needle(site, 'throw site')]);
  if (frames[0] && frames[0] !== own) groups.push([needle(frames[0], 'frame where it was thrown')]);
  const causes = [];
  for (let i = first + 1; i < lines.length; i++) if (/^\s+\[cause\]: /.test(lines[i])) causes.push(i);
  if (causes.length) {
    const at = causes[causes.length - 1];
    const g = [needle(lines[at], 'root cause')];
    const causeFrames = [];
    for (let i = at + 1; i < lines.length && FRAME.test(lines[i]); i++) causeFrames.push(lines[i]);
    const causeOwn = causeFrames.find((l) => isOwnFrame(l, root));
    if (causeOwn) g.push(needle(causeOwn, "root cause's project frame"));
    else if (causeFrames[0]) g.push(needle(causeFrames[0], "root cause's first frame"));
    groups.push(g);
    for (const c of causes.slice(0, -1)) groups.push([needle(lines[c], 'cause in the chain')]);
  }
  const counts = new Map();
  for (const l of frames) if (isOwnFrame(l, root)) counts.set(l, (counts.get(l) ?? 0) + 1);
  const [recursing, times] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? [];
  if (times > 3) groups.push([needle(recursing, 'the frame that recurses')]);
  const errorsAt = lines.findIndex((l, i) => i > first && /^\s+\[errors\]: \[/.test(l));
  if (errorsAt >= 0) {
    for (let i = errorsAt + 1; i < lines.length && !/^\s+\]/.test(lines[i]); i++) {
      if (!ERROR_LINE.test(lines[i]) || FRAME.test(lines[i])) continue;
      const g = [needle(lines[i], 'aggregated error')];
      for (let j = i + 1; j < lines.length && FRAME.test(lines[j]); j++) {
        if (isOwnFrame(lines[j], root)) {
          g.push(needle(lines[j], "aggregated error's project frame"));
          break;
        }
      }
      groups.push(g);
    }
  }
  return selectNeedles(groups, result);
}
