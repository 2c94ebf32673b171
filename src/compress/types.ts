import type { Focus } from './focus.js';

/** Outputs shorter than this are left alone: a marker would cost more than it saves. */
export const MIN_CHARS = 2000;

/**
 * The content kinds the router tells apart. `test` (a test run), `build` (compiler, type-checker
 * and linter diagnostics) and `trace` (a crash with its stack trace) are line streams like `log`,
 * told apart by their structure. `listing` is a list of files (`find`, `ls`, `tree`).
 */
export const CONTENT_KINDS = ['json', 'search', 'test', 'build', 'trace', 'log', 'diff', 'code', 'html', 'table', 'listing', 'prose'] as const;
export type ContentKind = (typeof CONTENT_KINDS)[number];

export function isContentKind(value: string): value is ContentKind {
  return (CONTENT_KINDS as readonly string[]).includes(value);
}

/** What every compressor receives besides the text. */
export interface CompressContext {
  /** The agent's task and step as one text; relevance is scored against it. Empty when unknown. */
  query: string;
  /** The evidence of the agent's step: its terms, anchors, line ranges (see focus.ts). */
  focus: Focus;
  /** Tokens of the input (counted, or estimated for big inputs): the size policy is in tokens. */
  tokens: number;
  /**
   * How much to keep next to the size policy (1: as it says; 0.5: half the budget and outputs
   * read whole up to half the size; 2: twice). Benchmarks trace needles against saving with it.
   */
  keep: number;
  /** Retrieval key of the original (already stored); every marker names it. */
  key: string;
  /** For code: the language the detector recognised (python, javascript, ...). */
  language?: string;
}

/**
 * One compressor per content kind. `compress` is pure and deterministic and never throws:
 * it may return text that is not smaller (the router then keeps the input) and returns text
 * it cannot read (not of its kind) unchanged. A throw is a bug: the router catches it, counts
 * it in compressionFailures and keeps the input (test/compress/contract.test.ts).
 */
export interface Compressor {
  kind: ContentKind;
  compress(text: string, ctx: CompressContext): string;
}
