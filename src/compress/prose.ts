import type { CompressContext, Compressor } from './types.js';
import { reportsFailure } from './logs.js';
import { focusRelevance } from './relevance.js';
import { budgetChars } from './budget.js';
import { chooseLines, clipLongLines, renderKept } from './select-lines.js';
import { nearFocusLine } from './focus.js';
import { numberedView } from './numbered-view.js';

/**
 * Prose and other plain text: extractive. Headings, the opening lines, lines
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
  const rel = focusRelevance(lines, ctx.focus);
  let maxRel = 1e-9;
  for (const r of rel) if (r > maxRel) maxRel = r;
  const named = namedLines(text, lines.length, ctx);
  const value = new Float64Array(lines.length);
  const must = new Uint8Array(lines.length);
  const seen = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim() === '') continue;
    const repeat = seen.has(l);
    seen.add(l);
    // An error that a mostly quiet output carries (a FATAL line among numbers) goes first;
    // a line repeated word for word adds nothing.
    value[i] = rel[i]! / maxRel + (/^#{1,6} |^[A-Z][^a-z]{3,}$/.test(l) ? 0.5 : 0) + (reportsFailure(l) ? 1 : 0) + (repeat ? 0 : BASE) + named[i]!;
    if (i < opts.headerLines || named[i]! >= NAMED_LINE) must[i] = 1;
  }
  const budget = budgetChars(text.length, ctx.tokens, ctx.keep) * (opts.budgetShare ?? 1);
  const keep = chooseLines({ lines, value, must }, { budgetChars: budget });
  return renderKept(lines, keep, { key: ctx.key });
}

/** Worth of a distinct line for being there at all. */
const BASE = 0.1;
/** Worth of a line the step names by its number, and of its neighbours. */
const NAMED_LINE = 5;
const NEAR_NAMED = 1;
const NEAR = 3;

/** In a numbered listing, the lines the step names by number (and those near them) weigh more. */
function namedLines(text: string, n: number, ctx: CompressContext): Float64Array {
  const out = new Float64Array(n);
  if (ctx.focus.lines.length === 0) return out;
  const view = numberedView(text);
  if (!view || view.numbers.length !== n) return out;
  for (let i = 0; i < n; i++) {
    const num = view.numbers[i]!;
    if (num < 0) continue;
    if (nearFocusLine(ctx.focus, num)) out[i] = NAMED_LINE;
    else if (nearFocusLine(ctx.focus, num, NEAR)) out[i] = NEAR_NAMED;
  }
  return out;
}
