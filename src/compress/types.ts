/** Outputs shorter than this are left alone: a marker would cost more than it saves. */
export const MIN_CHARS = 2000;

/** The content kinds the router tells apart. */
export const CONTENT_KINDS = ['json', 'search', 'log', 'diff', 'code', 'html', 'table', 'prose'] as const;
export type ContentKind = (typeof CONTENT_KINDS)[number];

export function isContentKind(value: string): value is ContentKind {
  return (CONTENT_KINDS as readonly string[]).includes(value);
}

/** What every compressor receives besides the text. */
export interface CompressContext {
  /** The agent's current task; relevance is scored against it. Empty when unknown. */
  query: string;
  /** Retrieval key of the original (already stored); every marker names it. */
  key: string;
  /** For code: the language the detector recognised (python, javascript, ...). */
  language?: string;
}

/**
 * One compressor per content kind. `compress` is pure and deterministic; it may return
 * text that is not smaller (the router then keeps the input) and may throw (the router
 * catches, counts and keeps the input).
 */
export interface Compressor {
  kind: ContentKind;
  compress(text: string, ctx: CompressContext): string;
}
