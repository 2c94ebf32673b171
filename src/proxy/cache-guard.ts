import { createHash } from 'node:crypto';
import type { NeutralRequest, Usage } from '../wire/index.js';

/**
 * Never worse than pass-through: per conversation, notices prompt-cache busts headroom caused
 * and stops compressing new outputs there once they cost more than headroom saved.
 *
 * A request is cut into blocks in prompt order: everything before the messages (model, system,
 * tools), then one block per message. A bust is either
 * - `prefix-changed`: a block the client sent exactly as in its previous request went upstream
 *   with other bytes than headroom forwarded for it then (the provider must write it again); or
 * - `cache-write`: the client's previous request is a prefix of this one, yet the provider
 *   reports a cache write while reading less than the previous request left in its cache.
 * The cost of a bust is the tokens written again instead of read, at the write price minus the
 * read price.
 */
export interface GuardPrice {
  /** USD per token: plain input, cache read, and the write factor (times input). */
  input: number;
  cachedInput: number;
  writeFactor: number;
}

export interface Bust {
  reason: 'prefix-changed' | 'cache-write';
  /** Tokens billed again instead of read from the cache. */
  tokens: number;
}

/** One request of the conversation as the guard sees it, after its response. */
export interface GuardObservation {
  /** Block hashes of the body as the client sent it, and as headroom forwarded it. */
  client: readonly string[];
  forwarded: readonly string[];
  /** Bytes of each forwarded block, to estimate the tokens of a bust the receipt does not show. */
  forwardedBytes: readonly number[];
  usage: Usage;
  /** When the request was sent (ms). */
  at: number;
  /** USD headroom saved on this request (moneySaved); 0 when unpriced. */
  savedUsd: number;
  price: GuardPrice | undefined;
}

/** What the guard made of one request. */
export interface GuardVerdict {
  bust?: Bust;
  /** True for the request after which compression stopped (once per conversation). */
  stoppedNow: boolean;
}

/** Block hashes and sizes of a request in the neutral view: the head (model, system, tools), then each message. */
export function requestBlocks(req: NeutralRequest): { hashes: string[]; bytes: number[] } {
  const blocks = [JSON.stringify([req.model, req.system.map((s) => s.text), req.tools]), ...req.messages.map((m) => JSON.stringify([m.role, m.parts], withoutSpans))];
  return { hashes: blocks.map((b) => createHash('sha256').update(b).digest('base64url')), bytes: blocks.map((b) => Buffer.byteLength(b)) };
}

/** Spans say where a part sits in the raw body: they move when an earlier part changes size, the part itself did not change. */
const withoutSpans = (key: string, value: unknown) => (key === 'span' ? undefined : value);

/** Rough tokens of bytes, for a bust the receipt cannot size (four bytes a token). */
const tokensOfBytes = (bytes: number) => Math.ceil(bytes / 4);

export class CacheGuard {
  busts = 0;
  bustUsd = 0;
  savedUsd = 0;
  /** Why compression of new outputs stopped in this conversation; undefined while it goes on. */
  stopped: string | undefined;
  private prev: Previous | undefined;

  observe(o: GuardObservation): GuardVerdict {
    const bust = this.prev ? detect(this.prev, o) : undefined;
    this.prev = { client: o.client, forwarded: o.forwarded, cached: o.usage.cacheRead + o.usage.cacheWrite, at: o.at };
    this.savedUsd += o.savedUsd;
    if (bust) {
      this.busts++;
      if (o.price) this.bustUsd += bust.tokens * (o.price.input * o.price.writeFactor - o.price.cachedInput);
    }
    if (this.stopped === undefined && this.bustUsd > this.savedUsd) {
      this.stopped = `${this.busts} prompt-cache bust(s) headroom caused cost ~$${this.bustUsd.toFixed(4)}, more than the ~$${this.savedUsd.toFixed(4)} it saved in this conversation; new outputs go as they are`;
      return { ...(bust ? { bust } : {}), stoppedNow: true };
    }
    return { ...(bust ? { bust } : {}), stoppedNow: false };
  }
}

interface Previous {
  client: readonly string[];
  forwarded: readonly string[];
  /** Tokens it read from or wrote to the cache: what a request extending it should read. */
  cached: number;
  at: number;
}

/** A cache entry's shortest lifetime (Anthropic's default, OpenAI's lower bound): a later miss may be expiry. */
const CACHE_LIFETIME_MS = 5 * 60_000;

function commonPrefix(a: readonly string[], b: readonly string[]): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

function detect(prev: Previous, o: GuardObservation): Bust | undefined {
  const same = commonPrefix(prev.client, o.client);
  const changedAt = commonPrefix(prev.forwarded.slice(0, same), o.forwarded.slice(0, same));
  // Tokens the previous request left in the cache that this one did not read.
  const missed = Math.max(0, prev.cached - o.usage.cacheRead);
  if (changedAt < same) {
    const estimate = tokensOfBytes(o.forwardedBytes.slice(changedAt, same).reduce((s, b) => s + b, 0));
    return { reason: 'prefix-changed', tokens: missed > 0 ? missed : estimate };
  }
  const extendsPrev = same === prev.client.length;
  const live = o.at - prev.at < CACHE_LIFETIME_MS;
  if (extendsPrev && live && o.usage.cacheWrite > 0 && missed > 0) return { reason: 'cache-write', tokens: Math.min(missed, o.usage.cacheWrite) };
  return undefined;
}
