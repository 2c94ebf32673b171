import { bm25Scores, queryTerms } from './relevance.js';
import { omitted } from './marker.js';

/**
 * The parts of an original that match a query: every line with a query term, one line of
 * context around it, the rest replaced by counted markers. A JSON array is matched item by
 * item (one compact item per line) and other JSON line by line of an indented rendering,
 * so a one-line API response does not match as a whole. Without informative terms, or
 * without a match, the whole original.
 */
export function matchingParts(original: string, query: string, key: string): string {
  const terms = queryTerms(query);
  if (terms.length === 0) return original;
  const { lines, unit } = unitsOf(original);
  const scores = bm25Scores(lines, terms);
  const context = unit === 'item' ? 0 : 1;
  const hit = new Uint8Array(lines.length);
  let any = false;
  for (let i = 0; i < lines.length; i++) {
    if (scores[i]! <= 0) continue;
    any = true;
    for (let j = Math.max(0, i - context); j <= Math.min(lines.length - 1, i + context); j++) hit[j] = 1;
  }
  if (!any) return original;
  const out: string[] = [];
  for (let i = 0; i < lines.length; ) {
    if (hit[i]) {
      out.push(lines[i++]!);
      continue;
    }
    let j = i;
    while (j < lines.length && !hit[j]) j++;
    out.push(omitted(j - i, unit, key, 'not matching the query'));
    i = j;
  }
  return out.join('\n');
}

function unitsOf(original: string): { lines: string[]; unit: string } {
  const trimmed = original.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    try {
      const value: unknown = JSON.parse(trimmed);
      if (Array.isArray(value)) return { lines: value.map((v) => JSON.stringify(v)), unit: 'item' };
      return { lines: JSON.stringify(value, null, 1).split('\n'), unit: 'line' };
    } catch {
      // Not JSON after all: match its lines.
    }
  }
  return { lines: original.split('\n'), unit: 'line' };
}
