import { bm25Scores, queryTerms } from './relevance.js';
import { omitted } from './marker.js';

/**
 * The parts of an original that match a query: every line with a query term, one line of
 * context around it, the rest replaced by counted markers. Without informative terms, or
 * without a match, the whole original.
 */
export function matchingParts(original: string, query: string, key: string): string {
  const terms = queryTerms(query);
  const lines = original.split('\n');
  const scores = bm25Scores(lines, terms);
  const hit = new Uint8Array(lines.length);
  let any = false;
  for (let i = 0; i < lines.length; i++) {
    if (scores[i]! <= 0) continue;
    any = true;
    for (let j = Math.max(0, i - 1); j <= Math.min(lines.length - 1, i + 1); j++) hit[j] = 1;
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
    out.push(omitted(j - i, 'line', key, 'not matching the query'));
    i = j;
  }
  return out.join('\n');
}
