// Python tracebacks: plain, chained (`During handling ...`, `The above exception was the direct
// cause ...`), exception groups (`| ` prefixed) and SyntaxError at import. Labels the final
// exception line with its continuation, the root cause's exception line, the innermost frame in
// the project's own files and the frame where the root cause was raised.
import { linesOf, needle, selectNeedles } from './label-select.mjs';

export const rule =
  'Python traceback structure (label-python-traceback.mjs): the last exception line (plus one continuation ' +
  'line when its message spans lines); for a chained traceback the first (root cause) exception line; for ' +
  'exception groups each sub-exception line; the innermost `File "...", line N` frame in the project\'s own ' +
  'files (not site-packages, not the standard library) and the innermost frame of the root cause\'s traceback; ' +
  'in a deep recursion, the frame that repeats (above `[Previous line repeated N more times]`, or the most frequent project frame).';

const START = /^(.*?)(Exception Group )?Traceback \(most recent call last\):$/;
const FRAME = /^ {2}File "([^"]+)", line \d+(, in .*)?$/;

/**
 * Parses every traceback block: {prefix, frames: [{line, path}], exception: [lines], index}.
 * Frames and the exception line are read relative to the block's prefix (`  | ` in groups).
 */
export function parseTracebacks(lines) {
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const start = START.exec(lines[i]);
    if (!start) continue;
    const width = start[1].length;
    const prefixOf = (l) => l.slice(0, width).replace(/\+/g, '|');
    const want = prefixOf(lines[i]);
    const block = { frames: [], exception: [], start: i, group: Boolean(start[2]) };
    let j = i + 1;
    for (; j < lines.length; j++) {
      const raw = lines[j];
      if (prefixOf(raw) !== want && raw.trim()) break;
      const rest = raw.slice(width);
      const frame = FRAME.exec(rest);
      if (frame) {
        block.frames.push({ line: raw, path: frame[1] });
        continue;
      }
      if (/^ {2}\[Previous line repeated \d+ more times?\]$/.test(rest) && block.frames.length) {
        block.repeatedFrame ??= block.frames.at(-1).line;
        continue;
      }
      if (/^\s/.test(rest) || rest === '') {
        if (block.exception.length) break;
        continue;
      }
      // the exception line, then its continuation lines at the same indentation
      block.exception.push(raw);
      for (j = j + 1; j < lines.length; j++) {
        const more = lines[j];
        if (prefixOf(more) !== want || !more.slice(width).trim() || /^\s/.test(more.slice(width))) break;
        if (START.test(more) || /^(During handling|The above exception)/.test(more.slice(width))) break;
        block.exception.push(more);
      }
      break;
    }
    blocks.push(block);
    i = Math.max(i, j - 1);
  }
  return blocks;
}

/** A frame in the project's own files: under the project root, or a relative path. */
export function isOwnFrame(path, root) {
  if (/site-packages|dist-packages|\/lib\/python3|^<frozen|^<string>|^<stdin>/.test(path)) return false;
  return root ? path.startsWith(root + '/') || !path.startsWith('/') : !path.startsWith('/');
}

export function label(output, { root } = {}) {
  const blocks = parseTracebacks(linesOf(output)).filter((b) => b.exception.length);
  if (blocks.length === 0) return [];
  const own = (b) => b.frames.filter((f) => isOwnFrame(f.path, root));
  const groupAt = blocks.findIndex((b) => b.group);
  if (groupAt >= 0) return labelGroup(blocks.slice(groupAt), own);
  const last = blocks[blocks.length - 1];
  const first = blocks[0];
  const result = [needle(last.exception[0], 'exception line')];
  if (last.exception[1]) result.push(needle(last.exception[1], 'exception message continued'));
  const groups = [];
  if (first !== last) groups.push([needle(first.exception[0], 'root cause exception line')]);
  const ownLast = own(last).at(-1) ?? own(blocks.findLast((b) => own(b).length) ?? last).at(-1);
  if (ownLast) groups.push([needle(ownLast.line, "innermost frame in the project's files")]);
  const cause = first.frames.at(-1);
  if (cause) groups.push([needle(cause.line, 'frame nearest the root cause')]);
  const ownFirst = own(first).at(-1);
  if (ownFirst) groups.push([needle(ownFirst.line, "root cause's innermost project frame")]);
  for (const b of blocks.slice(1, -1)) groups.push([needle(b.exception[0], 'exception in the chain')]);
  const recursing = recursingFrame(last, root);
  if (recursing) groups.push([needle(recursing, 'the frame that recurses')]);
  return selectNeedles(groups, result);
}

/**
 * In a deep recursion the frame that repeats is the cause: the frame just above
 * `[Previous line repeated N more times]`, or else the most frequent project frame (mutual
 * recursion is not folded by Python), when it occurs more than three times.
 */
function recursingFrame(block, root) {
  if (block.repeatedFrame) return block.repeatedFrame;
  const counts = new Map();
  for (const f of block.frames) if (isOwnFrame(f.path, root)) counts.set(f.line, (counts.get(f.line) ?? 0) + 1);
  const [line, count] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? [];
  return count > 3 ? line : null;
}

/** An exception group: the group's line, then per sub-exception its line and its frames. */
function labelGroup(blocks, own) {
  const [group, ...subs] = blocks;
  const result = [needle(group.exception[0], 'exception group line')];
  const groups = subs.map((b) => {
    const g = [needle(b.exception[0], 'sub-exception line')];
    const ownFrame = own(b).at(-1);
    if (ownFrame) g.push(needle(ownFrame.line, "sub-exception's innermost project frame"));
    const cause = b.frames.at(-1);
    if (cause) g.push(needle(cause.line, 'frame nearest the cause'));
    return g;
  });
  const ownGroup = own(group).at(-1);
  if (ownGroup) groups.unshift([needle(ownGroup.line, "group's innermost project frame")]);
  return selectNeedles(groups, result);
}
