// Needles of a `cargo test` run: failing tests, their panics and assertion values, the result line
// of the failing test binary; compile errors in the run with the rustc rules.
import { cand, linesOf, selectNeedles } from './needle-select.mjs';
import { rustPanicCandidates } from './label-rust-panic.mjs';
import { rustcCandidates } from './label-rustc.mjs';

export const NAME = 'label-cargo-test';
export const RULE =
  'each `test name ... FAILED` line and `---- name stdout ----` header, the panic location line ' +
  '(`panicked at file:line:col:`) with its message and `left:`/`right:` lines (label-rust-panic), ' +
  '`note: test did not panic as expected`, the `test result: FAILED. N passed; M failed` line, and the ' +
  '`error: test failed, to rerun pass ...` line; compile errors with the label-rustc rules.';

export function label(output) {
  const lines = linesOf(output);
  const out = [];
  let first = true;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (/^test \S+ \.\.\. FAILED$/.test(l)) {
      out.push(cand(lines, i, 'failing test', first ? 0 : 2));
      first = false;
    } else if (/^---- \S+ stdout ----$/.test(l)) {
      out.push(cand(lines, i, 'failure header', 1));
    } else if (/^note: test did not panic as expected/.test(l)) {
      out.push(cand(lines, i, 'should_panic test did not panic', 0));
    } else if (/^test result: FAILED\./.test(l)) {
      out.push(cand(lines, i, 'summary of the failing test binary', 0));
    } else if (/^error: test failed, to rerun pass/.test(l) || /^error: \d+ targets? failed:/.test(l)) {
      out.push(cand(lines, i, 'failing test target', 2));
    }
  }
  out.push(...rustPanicCandidates(lines), ...rustcCandidates(lines));
  return selectNeedles(out);
}
