const QUOTED_RE = /"[^"\n]{0,200}"/g;
/**
 * Any run of hex characters holding a digit: numbers, timestamps, IPs, UUIDs, hashes, ids.
 * Whole runs are matched, then checked for a digit: one pattern with a digit in the middle of
 * two hex runs did the same in quadratic time on a run of letters.
 */
const HEX_RUN_RE = /[0-9a-f]+/gi;
const DIGIT_RE = /\d/;

const MAX_TEMPLATE_INPUT = 400;

/**
 * The template of a line: the line with its variable parts (quoted strings, UUIDs, IPs,
 * hex ids, numbers) masked, so "same line but for numbers/ids" compare equal. Lines
 * without digits or quotes are their own template.
 */
export function lineTemplate(line: string): string {
  const t = line.length > MAX_TEMPLATE_INPUT ? line.slice(0, MAX_TEMPLATE_INPUT) : line;
  if (!/["\d]/.test(t)) return t;
  return t.replace(QUOTED_RE, '"<s>"').replace(HEX_RUN_RE, (run) => (DIGIT_RE.test(run) ? '#' : run));
}
