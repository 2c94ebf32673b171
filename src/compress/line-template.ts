const QUOTED_RE = /"[^"\n]{0,200}"/g;
/** A string in single quotes or backquotes (a type in a type checker's message), not an apostrophe. */
const SINGLE_QUOTED_RE = /(?<![\w'`])(['`])[^'`\n]{1,200}\1(?![\w'`])/g;
/** A diagnostic's leading location: `src/a.ts(12,5)`, `a.c:12:5`, `pool_test.go:41`. */
const LOCATION_RE = /^(\s*)[^\s:(]+?(?:\(\d+(?:,\d+)?\)|(?::\d+){1,2})(?=[:\s])/;
/**
 * Any run of hex characters holding a digit: numbers, timestamps, IPs, UUIDs, hashes, ids.
 * Whole runs are matched, then checked for a digit: one pattern with a digit in the middle of
 * two hex runs did the same in quadratic time on a run of letters.
 */
const HEX_RUN_RE = /[0-9a-f]+/gi;
const DIGIT_RE = /\d/;

const MAX_TEMPLATE_INPUT = 400;

/**
 * The template of a line: the line with its variable parts (a leading file location, quoted
 * strings, UUIDs, IPs, hex ids, numbers) masked, so "same line but for numbers/ids" compare
 * equal: the same diagnostic at sixty places is one template. Lines without digits or quotes
 * are their own template.
 */
export function lineTemplate(line: string): string {
  const t = line.length > MAX_TEMPLATE_INPUT ? line.slice(0, MAX_TEMPLATE_INPUT) : line;
  if (!/["'`\d]/.test(t)) return t;
  return t
    .replace(LOCATION_RE, '$1<loc>')
    .replace(QUOTED_RE, '"<s>"')
    .replace(SINGLE_QUOTED_RE, "'<s>'")
    .replace(HEX_RUN_RE, (run) => (DIGIT_RE.test(run) ? '#' : run));
}
