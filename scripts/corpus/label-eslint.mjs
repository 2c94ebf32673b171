// Needles of ESLint's stylish report: the `line:col  error|warning  message  rule` lines, six at
// most taken evenly over the output, the file header line of the first one chosen, and the
// `✖ N problems` summary.
import { linesOf, needle, selectNeedles } from './label-select.mjs';

export const rule =
  'ESLint stylish report (label-eslint.mjs): every `line:col  error|warning  message  rule` line is a candidate, ' +
  'six at most taken evenly over the output, with the file line above the first one chosen; the `✖ N problems` summary.';

export function label(output) {
  const lines = linesOf(output);
  const diagnostics = [];
  let file = null;
  for (const l of lines) {
    if (/^\/\S+$|^[\w.-]+\/\S+\.[cm]?[jt]sx?$/.test(l)) file = l;
    else if (/^\s+\d+:\d+\s+(error|warning)\s+/.test(l)) diagnostics.push({ line: l, file });
  }
  const summary = lines.findLast((l) => /^✖ \d+ problems?/.test(l));
  const chosen = selectNeedles(diagnostics.map((d) => [needle(d.line, 'diagnostic with location')]), [], 6, 1);
  const firstFile = diagnostics.find((d) => d.line === chosen[0]?.text)?.file;
  return selectNeedles(
    [chosen, firstFile ? [needle(firstFile, 'file of the first diagnostic')] : []],
    summary ? [needle(summary, 'problem summary')] : [],
    8,
    6,
  );
}
