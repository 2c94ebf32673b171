// Needles of a `python -m unittest` run: each `FAIL:`/`ERROR:` header, the exception line of its
// traceback (with one continuation line: assertEqual's diff starts there), the innermost frame in
// the project's files, and the closing `FAILED (failures=N, errors=M)` / `Ran N tests` lines.
import { isOwnFrame, parseTracebacks } from './label-python-traceback.mjs';
import { linesOf, needle, selectNeedles } from './label-select.mjs';

export const rule =
  'unittest report structure (label-unittest.mjs): per `FAIL:`/`ERROR:` block, its header line, the ' +
  'exception line of its traceback and one continuation line, the innermost `File` frame in the ' +
  "project's files; the `FAILED (...)` line and the `Ran N tests` line.";

export function label(output, { root } = {}) {
  const lines = linesOf(output);
  const groups = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^={20,}$/.test(lines[i]) || !/^(FAIL|ERROR|UNEXPECTED SUCCESS): /.test(lines[i + 1] ?? '')) continue;
    let end = i + 2;
    while (end < lines.length && !/^(={20,}|-{20,})$/.test(lines[end])) end++;
    // the traceback follows the dashed line under the header
    let stop = end + 1;
    while (stop < lines.length && !/^={20,}$/.test(lines[stop]) && !/^-{20,}$/.test(lines[stop])) stop++;
    const body = lines.slice(end + 1, stop);
    const blocks = parseTracebacks(body).filter((b) => b.exception.length);
    const g = [needle(lines[i + 1], 'failing test header')];
    const last = blocks.at(-1);
    if (last) {
      g.push(needle(last.exception[0], 'assertion / exception message'));
      const frame = last.frames.filter((f) => isOwnFrame(f.path, root)).at(-1);
      if (frame) g.push(needle(frame.line, 'file:line of the failure'));
      if (last.exception[1]) g.push(needle(last.exception[1], 'expected / actual (message continued)'));
      if (blocks.length > 1) g.push(needle(blocks[0].exception[0], 'root cause exception line'));
    }
    groups.push(g);
    i = stop - 1;
  }
  const always = [];
  const failed = lines.findLast((l) => /^FAILED \(/.test(l));
  if (failed) always.push(needle(failed, 'run summary'));
  const ran = lines.findLast((l) => /^Ran \d+ tests? in /.test(l));
  if (ran) always.push(needle(ran, 'tests run'));
  return selectNeedles(groups, always);
}
