// Needles of a native crash: AddressSanitizer and UBSan reports, segfaults and aborts.
// Project frames are those in files under the staged project (/tmp/headroom-corpus/).
import { cand as candOf, linesOf, selectNeedles } from './needle-select.mjs';

/** The line without the `N: ` prefix that `ctest -V` puts before a test's output. */
export const stripCtestPrefix = (l) => l.replace(/^\d+: /, '');

export const NAME = 'label-sanitizer';
export const RULE =
  'the `==PID==ERROR: AddressSanitizer: <kind>` line, the access line (`READ/WRITE of size N ...`), the ' +
  'first frame in the project\'s files of the crashing stack and of the `freed by` / `allocated by` stacks, ' +
  'the `SUMMARY:` line; UBSan `file:line:col: runtime error: ...` lines; `Segmentation fault`, `Aborted` and ' +
  'uncaught-exception (`terminate called after throwing`, `what():`) lines; under gdb, the `Program received ' +
  'signal` line and the innermost `#N ... at file:line` frames in the project; glibc heap-check messages.';

// A frame whose source (its last field) is a relative path, as make passes them, or a file of the
// staged project; not libc's `../sysdeps/...`, not /usr/..., not a `(binary+0x...)` module.
const FRAME = /^\s+#\d+ 0x[0-9a-f]+ in /;
const PROJECT_SOURCE = /^(\/tmp\/headroom-corpus\/|[A-Za-z_])[\w./+-]*:\d+(:\d+)?$/;
const GDB_PROJECT_FRAME = / at (\/tmp\/headroom-corpus\/|[A-Za-z_])[\w./+-]*:\d+$/;
const isProjectFrame = (line) => FRAME.test(line) && PROJECT_SOURCE.test(line.trim().split(/\s+/).pop());

/** Candidates for every sanitizer report or native crash (used by the test labellers too). */
export function sanitizerCandidates(all) {
  const out = [];
  // `ctest -V` prefixes a test's output lines with `N: `; match the bare text, keep the whole line.
  const lines = all.map(stripCtestPrefix);
  const cand = (_, i, why, tier) => candOf(all, i, why, tier);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (/^==\d+==ERROR: (Address|Leak)Sanitizer: /.test(l)) {
      out.push(cand(lines, i, 'sanitizer error kind', 0));
      if (/^(READ|WRITE) of size/.test(lines[i + 1] ?? '')) out.push(cand(lines, i + 1, 'faulting access', 1));
      let block = 0;
      let pickedInBlock = false;
      for (let k = i + 1; k < lines.length && !/^SUMMARY: /.test(lines[k]); k++) {
        if (!lines[k].trim()) {
          block++;
          pickedInBlock = false;
        } else if (/^(freed by|previously allocated by|allocated by) /.test(lines[k]) || /^0x[0-9a-f]+ is located/.test(lines[k])) {
          out.push(cand(lines, k, 'sanitizer stack header', 2));
        } else if (!pickedInBlock && isProjectFrame(lines[k])) {
          out.push(cand(lines, k, block === 0 ? 'innermost project frame of the fault' : 'project frame of the free/allocation', block === 0 ? 0 : 1));
          pickedInBlock = true;
        }
      }
    } else if (/^SUMMARY: \w+Sanitizer: /.test(l)) {
      out.push(cand(lines, i, 'sanitizer summary', 0));
    } else if (/^\S+:\d+:\d+: runtime error: /.test(l)) {
      out.push(cand(lines, i, 'UBSan runtime error with location', 0));
    } else if (/Segmentation fault|Aborted|Floating point exception/.test(l) && !/^\s+#/.test(l)) {
      out.push(cand(lines, i, 'crash signal', 1));
    } else if (/^Program (received|terminated with) signal SIG\w+/.test(l)) {
      out.push(cand(lines, i, 'gdb: signal that stopped the program', 0));
      const frames = [];
      for (let k = i + 1; k < lines.length && frames.length < 2; k++) {
        if (/^#\d+ /.test(lines[k]) && GDB_PROJECT_FRAME.test(lines[k])) frames.push(k);
      }
      frames.forEach((k, n) => out.push(cand(lines, k, n === 0 ? 'gdb: innermost project frame' : 'gdb: calling project frame', n === 0 ? 0 : 2)));
    } else if (/^(free|malloc|realloc)\(\): .+|^double free or corruption/.test(l)) {
      out.push(cand(lines, i, 'glibc heap check message', 0));
    } else if (/^terminate called after throwing/.test(l) || /^\s+what\(\): /.test(l)) {
      out.push(cand(lines, i, 'uncaught exception', 0));
    }
  }
  return out;
}

export function label(output) {
  return selectNeedles(sanitizerCandidates(linesOf(output)));
}
