// Needles of tsc: every `file(line,col): error TSnnnn:` (or, with --pretty, `file:line:col -
// error TSnnnn:`) line is a candidate, seven at most taken evenly over the output, and the
// `Found N errors in M files.` summary when tsc prints one.
import { linesOf, needle, selectNeedles } from './label-select.mjs';

export const rule =
  'tsc diagnostics (label-tsc.mjs): every `file(line,col): error TSnnnn:` or `file:line:col - error TSnnnn:` line ' +
  'is a candidate, seven at most taken evenly over the output; the `Found N errors` summary line.';

export function label(output) {
  const lines = linesOf(output);
  const diagnostics = lines
    .filter((l) => /^\S.*\(\d+,\d+\): error TS\d+: |^\S.*:\d+:\d+ - error TS\d+: /.test(l))
    .map((l) => [needle(l, 'diagnostic with location')]);
  const summary = lines.findLast((l) => /^Found \d+ errors?/.test(l));
  return selectNeedles(diagnostics, summary ? [needle(summary, 'diagnostic summary')] : [], 8, 1);
}
