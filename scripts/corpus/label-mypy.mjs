// Needles of mypy: `path:line: error: message  [code]` lines (notes are not diagnostics), at most
// seven taken evenly over the output, and the closing `Found N errors in M files` line.
import { linesOf, needle, selectNeedles } from './label-select.mjs';

export const rule =
  'mypy diagnostics (label-mypy.mjs): every `file:line: error:` line is a candidate (notes are not), ' +
  'seven at most taken evenly over the output, plus the `Found N errors in M files` summary.';

export function label(output) {
  const lines = linesOf(output);
  const errors = lines.filter((l) => /^[^\s:][^:]*:\d+:(\d+:)? error: /.test(l)).map((l) => [needle(l, 'diagnostic with location')]);
  const summary = lines.findLast((l) => /^Found \d+ errors? in \d+ files?/.test(l));
  return selectNeedles(errors, summary ? [needle(summary, 'diagnostic summary')] : [], 8, 1);
}
