// Needles of a Rust panic: the `thread '...' panicked at file:line:col:` line, the message lines
// after it, the innermost backtrace frames in the project's own files, and stack overflows.
import { cand, linesOf, selectNeedles } from './needle-select.mjs';

export const NAME = 'label-rust-panic';
export const RULE =
  'the `thread ... panicked at file:line:col:` line and the message lines under it (up to the `note:` or ' +
  '`stack backtrace:` line), `left:`/`right:` lines of a failed assertion; with a backtrace, the innermost ' +
  'two frames whose `at` path is in the project (not /rustc/ or ~/.cargo), function line and `at` line; ' +
  '`has overflowed its stack` and `fatal runtime error` lines; the `process didn\'t exit successfully` line.';

const PROJECT_AT = /^\s+at (\.\/|\/tmp\/headroom-corpus\/)\S+:\d+/;

/** Candidates for every panic in the lines (used by the cargo test labeller too). */
export function rustPanicCandidates(lines, { tierOffset = 0 } = {}) {
  const out = [];
  let first = true;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (/^thread '.*' (\(\d+\) )?panicked at \S+:\d+:\d+:?$/.test(l)) {
      const t = first ? 0 : 1;
      out.push(cand(lines, i, 'panic location', Math.min(2, t + tierOffset)));
      for (let k = i + 1; k < lines.length && k < i + 8; k++) {
        if (/^(note: |stack backtrace:|thread ')/.test(lines[k]) || !lines[k].trim()) break;
        const lr = /^\s*(left|right):/.test(lines[k]);
        out.push(cand(lines, k, lr ? 'assertion left/right' : 'panic message', Math.min(2, (lr ? 1 : t) + tierOffset)));
      }
      const bt = lines.findIndex((x, k) => k > i && /^stack backtrace:/.test(x));
      if (bt > 0 && bt < i + 12) {
        let n = 0;
        for (let k = bt + 1; k < lines.length && n < 2 && /^\s+(\d+:|at )/.test(lines[k]); k++) {
          if (PROJECT_AT.test(lines[k])) {
            out.push(cand(lines, k, n === 0 ? 'innermost project frame (at)' : 'calling project frame (at)', n === 0 ? 1 : 2));
            out.push(cand(lines, k - 1, 'project frame (function)', 2));
            n++;
          }
        }
      }
      first = false;
    } else if (/has overflowed its stack$/.test(l) || /^fatal runtime error: /.test(l)) {
      out.push(cand(lines, i, 'stack overflow / fatal runtime error', 0));
    } else if (/^error: process didn't exit successfully/.test(l)) {
      out.push(cand(lines, i, 'process exit', 2));
    }
  }
  return out;
}

export function label(output) {
  return selectNeedles(rustPanicCandidates(linesOf(output)));
}
