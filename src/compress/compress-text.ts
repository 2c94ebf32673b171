import { MIN_CHARS, type ContentKind } from './types.js';
import { detectKind } from './detect.js';
import { compressorFor } from './registry.js';
import { ccrKey, FileCcrStore, type CcrStore } from './ccr-store.js';
import { compressedByHeadroom, keysInText } from './marker.js';
import { countTokens } from './tokens.js';
import { ccrDir } from '../config.js';

export interface CompressOptions {
  /** The agent's current task; relevance is scored against it. */
  query?: string;
  /** Skip detection and use this kind. */
  kind?: ContentKind;
  /** Where originals go; defaults to the CCR store under HEADROOM_HOME. */
  store?: CcrStore;
}

export interface CompressResult {
  text: string;
  kind: ContentKind;
  tokensBefore: number;
  tokensAfter: number;
  retrievalKeys: string[];
  /** Milliseconds spent compressing (token counting not included). */
  ms: number;
}

export { MIN_CHARS };

let failures = 0;

/** How many compressions failed internally (and so returned their input unchanged). */
export function compressionFailures(): number {
  return failures;
}

/**
 * Compress one tool output. Never throws, never returns more tokens than it was given,
 * deterministic for the same content, query and kind. What is dropped stays retrievable:
 * the original is stored under the key every marker names.
 */
export function compressText(content: string, opts: CompressOptions = {}): CompressResult {
  const started = performance.now();
  const core = compressCore(content, opts);
  const ms = performance.now() - started;
  const tokensBefore = countTokens(content);
  if (core.text === content) return { ...core, tokensBefore, tokensAfter: tokensBefore, ms };
  const tokensAfter = countTokens(core.text);
  if (tokensAfter >= tokensBefore) return { text: content, kind: core.kind, tokensBefore, tokensAfter: tokensBefore, retrievalKeys: [], ms };
  return { ...core, tokensBefore, tokensAfter, ms };
}

export interface CoreResult {
  text: string;
  kind: ContentKind;
  retrievalKeys: string[];
}

/** Compression without token counting (the timed part). Fails open. */
export function compressCore(content: string, opts: CompressOptions = {}): CoreResult {
  let kind: ContentKind = opts.kind ?? 'prose';
  try {
    if (typeof content !== 'string' || content.length < MIN_CHARS || isBinary(content)) {
      return { text: content, kind, retrievalKeys: [] };
    }
    // Already compressed by headroom (at the source, by `headroom exec` or an agent hook): a second
    // pass would drop lines the first one kept for the same query.
    if (compressedByHeadroom(content)) return { text: content, kind, retrievalKeys: [] };
    const detected = opts.kind ? { kind: opts.kind } : detectKind(content);
    kind = detected.kind;
    const key = ccrKey(content);
    const text = compressorFor(kind).compress(content, {
      query: opts.query ?? '',
      key,
      ...('language' in detected && detected.language ? { language: detected.language } : {}),
    });
    if (text.length >= content.length) return { text: content, kind, retrievalKeys: [] };
    const retrievalKeys = keysInText(text);
    if (retrievalKeys.length > 0) (opts.store ?? defaultStore()).put(content);
    return { text, kind, retrievalKeys };
  } catch {
    failures++;
    return { text: content, kind, retrievalKeys: [] };
  }
}

/** NUL bytes mean binary data: nothing in it is worth extracting. */
function isBinary(text: string): boolean {
  return text.slice(0, 65536).includes('\u0000');
}

let store: FileCcrStore | undefined;
function defaultStore(): FileCcrStore {
  const dir = ccrDir();
  if (!store || store.dir !== dir) store = new FileCcrStore(dir);
  return store;
}
