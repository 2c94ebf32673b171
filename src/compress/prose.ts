import type { CompressContext, Compressor } from './types.js';
import { reportsFailure } from './logs.js';
import { bm25Scores, queryTerms } from './relevance.js';
import { MAX_BUDGET_CHARS, clipLongLines, pickLines, renderKept } from './select-lines.js';

/**
 * Prose, file listings and other plain text: extractive. Headings, the opening lines, lines
 * that report an error and the lines most relevant to the query stay, within a budget of
 * about a third.
 */
export const proseCompressor: Compressor = {
  kind: 'prose',
  compress(text: string, ctx: CompressContext): string {
    return extract(text, ctx, { headerLines: 2 });
  },
};

export interface ExtractOptions {
  /** Leading lines that always stay (a table's header, a document's title). */
  headerLines: number;
  budgetShare?: number;
}

export function extract(text: string, ctx: CompressContext, opts: ExtractOptions): string {
  const lines = clipLongLines(text.split('\n'), ctx.key);
  if (lines.length < 6) return lines.join('\n');
  const rel = bm25Scores(lines, queryTerms(ctx.query));
  const maxRel = Math.max(1e-9, ...rel);
  const scores = new Float64Array(lines.length);
  const must = new Uint8Array(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim() === '') continue;
    // An error that a mostly quiet output carries (a FATAL line among numbers) goes first.
    scores[i] = rel[i]! / maxRel + (/^#{1,6} |^[A-Z][^a-z]{3,}$/.test(l) ? 0.5 : 0) + (reportsFailure(l) ? 1 : 0) + 0.01;
    if (i < opts.headerLines) must[i] = 1;
  }
  const budget = Math.min(MAX_BUDGET_CHARS, 600 + text.length * (opts.budgetShare ?? 0.3));
  const keep = pickLines(lines, scores, must, budget);
  return renderKept(lines, keep, { key: ctx.key });
}
