import { MIN_CHARS, type CompressContext, type ContentKind } from './types.js';
import { detectKind, type Detection } from './detect.js';
import { restoreLinePrefixes, stripLinePrefixes, type Prefixed } from './line-prefix.js';
import { compressorFor } from './registry.js';
import { ccrKey, FileCcrStore, type CcrStore } from './ccr-store.js';
import { compressedByHeadroom, keysInText } from './marker.js';
import { countTokens } from './tokens.js';
import { ccrDir } from '../config.js';
import { focusOf, type Step } from './focus.js';
import { inputTokens } from './budget.js';

export interface CompressOptions {
  /** The agent's current task; relevance is scored against it. */
  query?: string;
  /**
   * The agent's step that produced the output (its text and tool call), when known: the
   * strongest evidence of what matters in it. `query` is then its task unless `step.task` is set.
   */
  step?: Step;
  /** Skip detection and use this kind. */
  kind?: ContentKind;
  /** How much to keep next to the size policy (default 1); see CompressContext.keep. */
  keep?: number;
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
  /** Why the text came back unchanged although it compressed: its original could not be stored. */
  failedOpen?: string;
}

export { MIN_CHARS };

/** A compressed output must be at least this share smaller than its input to be used. */
const MIN_SAVING = 0.1;

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
  /** Why the input came back unchanged although it compressed: its original could not be stored. */
  failedOpen?: string;
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
    const key = ccrKey(content);
    const prefixed = opts.kind ? undefined : readPrefixed(content);
    const detected = prefixed?.detected ?? (opts.kind ? { kind: opts.kind } : detectKind(content));
    kind = detected.kind;
    const text = prefixed
      ? restoreLinePrefixes(compressorFor(kind).compress(prefixed.text, compressContext(prefixed.text, key, opts)), prefixed)
      : compressorFor(kind).compress(content, compressContext(content, key, opts, 'language' in detected ? detected.language : undefined));
    // A compression that saves under a tenth is not worth what it hides: the output goes whole.
    if (text.length > content.length * (1 - MIN_SAVING)) return { text: content, kind, retrievalKeys: [] };
    const retrievalKeys = keysInText(text);
    // A marker must never name a key that was not stored: without the original, the input goes as it is.
    const unstored = retrievalKeys.length > 0 ? storeOriginal(content, opts.store) : undefined;
    if (unstored !== undefined) return { text: content, kind, retrievalKeys: [], failedOpen: `the original could not be stored for retrieval (${unstored}); left as it is` };
    return { text, kind, retrievalKeys };
  } catch {
    failures++;
    return { text: content, kind, retrievalKeys: [] };
  }
}

/** Kinds read line by line, whose kept lines are lines of the input: a runner's prefix can come off for them. */
const LINE_KINDS: ReadonlySet<ContentKind> = new Set(['test', 'build', 'trace', 'log', 'search', 'prose']);

/** An output whose lines carry a runner's prefix (see line-prefix.ts), read without it, when it is a line stream. */
function readPrefixed(content: string): (Prefixed & { text: string; detected: Detection }) | undefined {
  const p = stripLinePrefixes(content);
  if (!p) return undefined;
  const text = p.stripped.join('\n');
  const detected = detectKind(text);
  return LINE_KINDS.has(detected.kind) ? { ...p, text, detected } : undefined;
}

/** Stores the original; returns why not when the store could not write it. */
function storeOriginal(content: string, store: CcrStore | undefined): string | undefined {
  try {
    (store ?? defaultStore()).put(content);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** What a compressor gets besides the text: the query, the focus of the agent's step, the size in tokens, the key. */
export function compressContext(content: string, key: string, opts: Pick<CompressOptions, 'query' | 'step' | 'keep'> = {}, language?: string): CompressContext {
  const step: Step | string = opts.step ? { ...opts.step, task: opts.step.task ?? opts.query ?? '' } : (opts.query ?? '');
  const focus = focusOf(step);
  return {
    query: typeof step === 'string' ? step : [step.task, step.thought, focus.callText].filter(Boolean).join('\n'),
    focus,
    tokens: inputTokens(content),
    keep: opts.keep !== undefined && opts.keep > 0 ? opts.keep : 1,
    key,
    ...(language ? { language } : {}),
  };
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
