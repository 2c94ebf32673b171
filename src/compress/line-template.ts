/**
 * The template of a line: the line with its variable parts (timestamps, numbers, hex ids,
 * IPs, UUIDs, quoted strings) masked, so "same line but for numbers/ids" compare equal.
 */
const MASKS: Array<[RegExp, string]> = [
  [/"[^"\n]{0,200}"/g, '"<s>"'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  [/\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b/g, '<ip>'],
  [/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,}\b/gi, '<hex>'],
  [/\d+/g, '#'],
];

export function lineTemplate(line: string): string {
  let t = line.length > 400 ? line.slice(0, 400) : line;
  for (const [re, sub] of MASKS) t = t.replace(re, sub);
  return t;
}
