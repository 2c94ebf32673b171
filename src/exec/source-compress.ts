import { compressText } from '../compress/compress-text.js';
import type { CcrStore } from '../compress/ccr-store.js';
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
export function compressSourceText(text: string, opts: { query: string; minTokens: number; store: CcrStore }): SourceResult {
  // A cheap bound first: counting tokens of every small output would cost more than it saves.
  const rough = roughTokens(Buffer.byteLength(text));
  if (rough < opts.minTokens / 2) return { text, tokensBefore: rough, tokensAfter: rough };
  const tokensBefore = countTokens(text);
  if (tokensBefore < opts.minTokens) return { text, tokensBefore, tokensAfter: tokensBefore };
  const r = compressText(text, { query: opts.query, store: opts.store });
  if (r.text === text) return { text, tokensBefore, tokensAfter: tokensBefore };
  const key = opts.store.put(text);
  const body = `${r.text.replace(/\n*$/, '')}\n${retrieveNote(key, tokensBefore, r.tokensAfter, opts.query)}\n`;
  return { text: body, tokensBefore, tokensAfter: countTokens(body), key };
}
