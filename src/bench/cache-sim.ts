import { createHash } from 'node:crypto';
import { encodeTokens } from '../compress/tokens.js';
import { promptBlocks, type CacheFormat, type PromptBlock } from './prompt-blocks.js';

/**
 * A provider prompt cache, simulated by the providers' documented rules, for benchmarks that
 * bill whole sessions as a provider would. Pure: no I/O, time is a parameter (ms).
 *
 * Anthropic Messages (docs.claude.com/en/docs/build-with-claude/prompt-caching; the same rules
 * restated at docs.orq.ai/docs/proxy/prompt-caching and docs.aihubmix.com/en/api/Claude-Cache):
 * - a prefix is cached only at a block marked `cache_control` (tools, system, message content),
 *   or, with `cache_control` at the top level of the request, at the last block; at most 4
 *   breakpoints (more is a 400), and a 1-hour breakpoint may not follow a 5-minute one;
 * - the prefix runs tools, then system, then messages; any change to a block changes every
 *   prefix that includes it;
 * - at each breakpoint the cache is searched at that block and up to 20 blocks before it; the
 *   longest prefix found is read (and its lifetime restarts), the rest up to each later
 *   breakpoint is written;
 * - a prefix shorter than the model's minimum (1,024 tokens; 2,048 for Sonnet 4.6 and Haiku 3/3.5;
 *   4,096 for Opus 4.5/4.6 and Haiku 4.5) is not cached and bills as plain input;
 * - lifetimes 5 minutes (default) or 1 hour (`ttl: "1h"`) from last use;
 * - usage: `input_tokens` (after the last breakpoint or not cached), `cache_read_input_tokens`,
 *   `cache_creation_input_tokens` split into `ephemeral_5m_input_tokens`/`ephemeral_1h_input_tokens`;
 *   priced at 1x input, 0.1x (read), 1.25x (5-minute write), 2x (1-hour write).
 *
 * OpenAI Responses and Chat Completions (platform.openai.com/docs/guides/prompt-caching and the
 * OpenAI cookbook's "Prompt Caching 201"): caching is automatic for prompts of 1,024 tokens or
 * more; a hit is the longest prefix shared with a recent prompt, counted in steps of 128 tokens
 * past the first 1,024; cached prefixes stay 5 to 10 minutes after last use (5 here, the lower
 * bound), 24 hours with `prompt_cache_retention: "24h"`; usage reports the total in
 * `input_tokens`/`prompt_tokens` and the hit in `*_tokens_details.cached_tokens`.
 * Not modelled: routing misses (OpenAI caches per machine, keyed by a hash of the prompt's
 * start and `prompt_cache_key`), and what else besides the blocks invalidates a cache (thinking
 * settings, images).
 *
 * Token counts are headroom's own tokenizer (o200k, src/compress/tokens.ts) over each block's
 * canonical bytes (prompt-blocks.ts), not the provider's tokenizer: the figures are in the same
 * unit as every other headroom figure, and compare with and without headroom exactly.
 */
export interface SimUsage {
  /** Every input token of the request: uncached + read + written. */
  totalInput: number;
  /** Billed at the plain input price (Anthropic `input_tokens`; OpenAI total minus cached). */
  uncached: number;
  cacheRead: number;
  /** Anthropic only: written with a 5-minute lifetime. */
  cacheWrite5m: number;
  /** Anthropic only: written with a 1-hour lifetime. */
  cacheWrite1h: number;
}

/** What a real provider would answer with a 400 (too many breakpoints, TTLs out of order). */
export class CacheSimError extends Error {
  readonly code = 'invalid_request';
}

const MAX_BREAKPOINTS = 4;
const LOOKBACK_BLOCKS = 20;
export const FIVE_MINUTES = 5 * 60_000;
export const ONE_HOUR = 60 * 60_000;
const OPENAI_MIN_TOKENS = 1024;
const OPENAI_STEP = 128;

/** Anthropic's minimum cacheable prompt for a model id (1,024 for models the docs do not list). */
export function anthropicMinimum(model: string): number {
  const id = model.toLowerCase();
  if (/opus-4-[56]|haiku-4-5/.test(id)) return 4096;
  if (/sonnet-4-6|haiku-3|3-5-haiku|3-haiku/.test(id)) return 2048;
  return 1024;
}

export class PromptCacheSim {
  /** Anthropic entries: model + prefix hash -> expiry and lifetime. */
  private readonly anthropicEntries = new Map<string, { expires: number; ttlMs: number }>();
  /** OpenAI entries per model: the token ids of recent prompts. */
  private readonly openaiEntries = new Map<string, Array<{ tokens: number[]; expires: number; ttlMs: number }>>();

  /** Usage of one request, and the cache updated as the provider would, at time `now` (ms). */
  request(format: CacheFormat, body: unknown, now: number): SimUsage {
    return format === 'anthropic' ? this.anthropic(body, now) : this.openai(format, body, now);
  }

  anthropic(body: unknown, now: number): SimUsage {
    const json = (body ?? {}) as { model?: unknown; cache_control?: unknown };
    const model = String(json.model ?? '');
    const blocks = promptBlocks('anthropic', body);
    const breakpoints = anthropicBreakpoints(blocks, json.cache_control);
    const cum = cumulativeTokens(blocks);
    const hashes = prefixHashes(model, blocks);
    const total = cum[cum.length - 1] ?? 0;
    for (const [key, e] of this.anthropicEntries) if (e.expires <= now) this.anthropicEntries.delete(key);

    let hit = -1;
    for (const bp of breakpoints) {
      for (let j = bp.index; j >= Math.max(0, bp.index - LOOKBACK_BLOCKS + 1); j--) {
        if (this.anthropicEntries.has(hashes[j]!)) {
          hit = Math.max(hit, j);
          break;
        }
      }
    }
    const read = hit >= 0 ? cum[hit]! : 0;
    if (hit >= 0) {
      const e = this.anthropicEntries.get(hashes[hit]!)!;
      e.expires = now + e.ttlMs;
    }
    const minimum = anthropicMinimum(model);
    let covered = read;
    let write5m = 0;
    let write1h = 0;
    for (const bp of breakpoints) {
      if (bp.index <= hit || cum[bp.index]! < minimum) continue;
      const ttlMs = bp.ttl === '1h' ? ONE_HOUR : FIVE_MINUTES;
      const written = cum[bp.index]! - covered;
      if (bp.ttl === '1h') write1h += written;
      else write5m += written;
      covered = cum[bp.index]!;
      this.anthropicEntries.set(hashes[bp.index]!, { expires: now + ttlMs, ttlMs });
    }
    return { totalInput: total, uncached: total - covered, cacheRead: read, cacheWrite5m: write5m, cacheWrite1h: write1h };
  }

  openai(format: 'openai-responses' | 'openai-chat', body: unknown, now: number): SimUsage {
    const json = (body ?? {}) as { model?: unknown; prompt_cache_retention?: unknown };
    const model = String(json.model ?? '');
    const tokens = promptBlocks(format, body).flatMap((b) => encodeTokens(b.text));
    const ttlMs = json.prompt_cache_retention === '24h' ? 24 * ONE_HOUR : FIVE_MINUTES;
    const live = (this.openaiEntries.get(model) ?? []).filter((e) => e.expires > now);
    let best = 0;
    let bestEntry: (typeof live)[number] | undefined;
    for (const e of live) {
      const shared = commonPrefix(tokens, e.tokens);
      if (shared > best) [best, bestEntry] = [shared, e];
    }
    const cached = tokens.length >= OPENAI_MIN_TOKENS && best >= OPENAI_MIN_TOKENS ? OPENAI_MIN_TOKENS + Math.floor((best - OPENAI_MIN_TOKENS) / OPENAI_STEP) * OPENAI_STEP : 0;
    if (bestEntry && cached > 0) bestEntry.expires = now + bestEntry.ttlMs;
    // A prompt that extends a cached one replaces it: the new one holds every prefix the old did.
    const kept = live.filter((e) => !(e.tokens.length <= tokens.length && commonPrefix(tokens, e.tokens) === e.tokens.length));
    if (tokens.length >= OPENAI_MIN_TOKENS) kept.push({ tokens, expires: now + ttlMs, ttlMs });
    this.openaiEntries.set(model, kept);
    return { totalInput: tokens.length, uncached: tokens.length - cached, cacheRead: cached, cacheWrite5m: 0, cacheWrite1h: 0 };
  }
}

/** The breakpoints of a request, checked as the API checks them. */
function anthropicBreakpoints(blocks: PromptBlock[], topLevel: unknown): Array<{ index: number; ttl: '5m' | '1h' }> {
  const bps = blocks.flatMap((b, index) => (b.cacheControl ? [{ index, ttl: b.cacheControl.ttl }] : []));
  // Automatic caching: a top-level cache_control marks the last block (unless it is marked already).
  if (topLevel && typeof topLevel === 'object' && blocks.length > 0 && !blocks[blocks.length - 1]!.cacheControl) {
    bps.push({ index: blocks.length - 1, ttl: (topLevel as { ttl?: unknown }).ttl === '1h' ? '1h' : '5m' });
  }
  if (bps.length > MAX_BREAKPOINTS) throw new CacheSimError(`A maximum of ${MAX_BREAKPOINTS} blocks with cache_control may be provided. Found ${bps.length}.`);
  const firstShort = bps.findIndex((b) => b.ttl === '5m');
  if (firstShort >= 0 && bps.slice(firstShort).some((b) => b.ttl === '1h')) throw new CacheSimError('a ttl="1h" cache_control block must not come after a ttl="5m" one');
  return bps;
}

function cumulativeTokens(blocks: PromptBlock[]): number[] {
  let sum = 0;
  return blocks.map((b) => (sum += encodeTokens(b.text).length));
}

/** A hash per block of the prefix through it (model included: caches are per model). */
function prefixHashes(model: string, blocks: PromptBlock[]): string[] {
  let h = createHash('sha256').update(model).digest('hex');
  return blocks.map((b) => (h = createHash('sha256').update(h).update('\0').update(b.text).digest('hex')));
}

function commonPrefix(a: number[], b: number[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/** Anthropic's price of a 5-minute cache write, relative to plain input. */
const WRITE_5M_FACTOR = 1.25;
/** Anthropic's price of a 1-hour cache write, relative to plain input. */
const WRITE_1H_FACTOR = 2;

/** USD per million tokens (the shape of src/pricing.ts's ModelPrice). */
export interface SimPrice {
  input: number;
  cachedInput: number;
  output: number;
}

/** USD of the input a request was billed (reads at the table's cached-input price). */
export function inputUsd(u: SimUsage, p: SimPrice): number {
  return (u.uncached * p.input + u.cacheRead * p.cachedInput + u.cacheWrite5m * p.input * WRITE_5M_FACTOR + u.cacheWrite1h * p.input * WRITE_1H_FACTOR) / 1e6;
}
