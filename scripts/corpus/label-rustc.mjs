// Needles of rustc / cargo build diagnostics: each error or warning header and its `-->` location.
import { cand, linesOf, selectNeedles } from './needle-select.mjs';

export const NAME = 'label-rustc';
export const RULE =
  'each diagnostic header (`error[E0308]: ...`, `error: ...`, `warning: ...`) that has a `--> file:line:col` ' +
  'line, with that line; errors before warnings, spread over the output when there are more than fit; ' +
  'the closing `error: could not compile ...` line.';

/** Candidates for every located rustc diagnostic in the lines (used by the cargo test labeller too). */
export function rustcCandidates(lines) {
  const out = [];
  let firstError = true;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    const header = /^(error|warning)(\[E\d{4}\])?: /.exec(l);
    if (header) {
      const loc = i + 1 < lines.length && /^\s*--> \S+:\d+:\d+/.test(lines[i + 1]) ? i + 1 : -1;
      if (loc < 0) {
        if (/^error: could not compile/.test(l)) out.push(cand(lines, i, 'build summary', 0));
        continue;
      }
      const isError = header[1] === 'error';
      const tier = isError ? (firstError ? 0 : 1) : 2;
      out.push(cand(lines, i, isError ? 'error header' : 'warning header', tier));
      out.push(cand(lines, loc, isError ? 'error location' : 'warning location', tier));
      if (isError) firstError = false;
    }
  }
  return out;
}

export function label(output) {
  return selectNeedles(rustcCandidates(linesOf(output)));
}
