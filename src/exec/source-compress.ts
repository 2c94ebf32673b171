import { compressText } from '../compress/compress-text.js';
import type { CcrStore } from '../compress/ccr-store.js';
import { omitted } from '../compress/marker.js';
import { FAILURE_LINE_RE } from './huge-output.js';
import { queryTerms } from '../compress/relevance.js';
import { countTokens } from '../compress/tokens.js';

/** Outputs under this many tokens are printed unchanged by default. */
export const DEFAULT_MIN_TOKENS = 2000;

export interface SourceResult {
  text: string;
  tokensBefore: number;
  tokensAfter: number;
  /** The retrieval key of the stored original, when the output was compressed. */
  key?: string;
}

/**
 * The line that ends a compressed output: how much was cut and how to get the rest with the
 * agent's own shell, so retrieval needs no proxy.
 */
export function retrieveNote(key: string, before: number, after: number, query: string): string {
  const q = query.trim() === '' ? 'WHAT YOU NEED' : query.replace(/["\\$`\n]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 120);
  return `[headroom: output compressed from ${before} to ${after} tokens; the full output: headroom retrieve ${key} (add --query "${q}" for the matching lines only)]`;
}

/** Rough tokens for a size check before counting exactly (about 4 bytes per token in logs and code). */
export function roughTokens(bytes: number): number {
  return Math.ceil(bytes / 4);
}

/**
 * Compresses one command's output at the source, query-aware, keeping the original retrievable.
 * Text under `minTokens`, or text the engine cannot shrink, comes back unchanged (no key).
 */
export function compressSourceText(text: string, opts: { query: string; minTokens: number; store: CcrStore; maxChars?: number }): SourceResult {
  // A cheap bound first: counting tokens of every small output would cost more than it saves.
  const rough = roughTokens(Buffer.byteLength(text));
  if (rough < opts.minTokens / 2) return { text, tokensBefore: rough, tokensAfter: rough };
  const tokensBefore = countTokens(text);
  if (tokensBefore < opts.minTokens) return { text, tokensBefore, tokensAfter: tokensBefore };
  const r = compressText(text, { query: opts.query, store: opts.store });
  if (r.text === text) return { text, tokensBefore, tokensAfter: tokensBefore };
  const key = opts.store.put(text);
  const compressed = r.text.replace(/\n*$/, '');
  // The note is at most about 400 characters (its query is cut to 120).
  const fitted = opts.maxChars ? fitToChars(compressed, opts.maxChars - 400, opts.query, key) : compressed;
  const body = `${fitted}\n${retrieveNote(key, tokensBefore, fitted === compressed ? r.tokensAfter : countTokens(fitted), opts.query)}\n`;
  return { text: body, tokensBefore, tokensAfter: countTokens(body), key };
}

/**
 * Cuts a (compressed) text to at most `maxChars` by whole lines, for agents that would cut it
 * again themselves: the first and last lines, then lines with the query's words (rarer words
 * weigh more) or a failure, in their order, with a marker naming `key` for each gap.
 */
export function fitToChars(text: string, maxChars: number, query: string, key: string): string {
  if (text.length <= maxChars) return text;
  const lines = text.split('\n');
  const lowered = lines.map((l) => l.toLowerCase());
  // A query word found on few lines says more than one found on most (inverse line frequency).
  const weights = queryTerms(query).map((t) => {
    const n = lowered.reduce((k, l) => k + (l.includes(t) ? 1 : 0), 0);
    return { t, w: n === 0 ? 0 : Math.log(1 + lines.length / n) };
  });
  const score = (line: string, i: number): number =>
    weights.reduce((sum, { t, w }) => sum + (lowered[i]!.includes(t) ? w : 0), 0) + (FAILURE_LINE_RE.test(line) ? 1 : 0);
  // The first and last lines, fewer of them in a small budget (15 each from 27,000 characters up).
  const edge = Math.max(2, Math.min(15, Math.floor(maxChars / 1800)));
  const order = lines.map((line, i) => ({ i, s: i < edge || i >= lines.length - edge ? 1e9 : score(line, i) })).filter((x) => x.s > 0);
  order.sort((a, b) => b.s - a.s || a.i - b.i);
  const keep = new Set<number>();
  let used = 0;
  for (const { i } of order) {
    // Room for the markers: a gap marker is about 70 characters.
    const cost = Math.min(lines[i]!.length, 1000) + 72;
    if (used + cost > maxChars) continue;
    keep.add(i);
    used += cost;
  }
  const out: string[] = [];
  let gap = 0;
  for (let i = 0; i < lines.length; i++) {
    if (!keep.has(i)) {
      gap++;
      continue;
    }
    if (gap > 0) out.push(omitted(gap, 'line', key));
    gap = 0;
    const line = lines[i]!;
    out.push(line.length > 1000 ? `${line.slice(0, 1000)} [… ${line.length - 1000} more characters]` : line);
  }
  if (gap > 0) out.push(omitted(gap, 'line', key));
  const fitted = out.join('\n');
  // The estimate above can miss when many runs close up; a smaller budget then.
  return fitted.length <= maxChars || maxChars < 500 ? fitted : fitToChars(text, Math.floor(maxChars * 0.9), query, key);
}
