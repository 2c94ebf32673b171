/**
 * The template of a line: the line with its variable parts (quoted strings, UUIDs, IPs,
 * hex ids, numbers) masked, so "same line but for numbers/ids" compare equal. Lines
 * without digits or quotes are their own template.
 */
const MASKS: Array<[RegExp, string]> = [
  [/"[^"\n]{0,200}"/g, '"<s>"'],
  // Any run of hex characters holding a digit: numbers, timestamps, IPs, UUIDs, hashes, ids.
  [/[0-9a-f]*\d[0-9a-f]*/gi, '#'],
];

const MAX_TEMPLATE_INPUT = 400;

export function lineTemplate(line: string): string {
  let t = line.length > MAX_TEMPLATE_INPUT ? line.slice(0, MAX_TEMPLATE_INPUT) : line;
  if (!/["\d]/.test(t)) return t;
  for (const [re, sub] of MASKS) t = t.replace(re, sub);
  return t;
}
