import type { RequestSummary } from './events.js';

/** Totals for one slice of traffic (a provider, a model, an agent or a content kind). */
export interface Bucket {
  requests: number;
  tokensBefore: number;
  tokensAfter: number;
  tokensSaved: number;
  cacheReadTokens: number;
}

export interface StatsSnapshot {
  startedAt: string;
  requests: { total: number; compressed: number; passedThrough: number; failedOpen: number; upstreamErrors: number; rejected: number };
  tokens: { before: number; after: number; saved: number };
  usage: { inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheWriteTokens: number };
  /** `unanswered`: retrieve calls hidden from the client and not answered (mixed with its own tool calls, or retrieval not offered). */
  retrievals: { calls: number; rounds: number; unknownKeys: number; unanswered: number };
  /** Calls of the proxy's tool set (besides headroom_retrieve) it ran. */
  proxyTools: { calls: number };
  /** Requests whose newest user turn got recalled context, and how many items were recalled. */
  recall: { requests: number; recalled: number };
  byProvider: Record<string, Bucket>;
  byModel: Record<string, Bucket>;
  byAgent: Record<string, Bucket>;
  byKind: Record<string, Omit<Bucket, 'cacheReadTokens'>>;
  sessions: number;
}

function bucket(): Bucket {
  return { requests: 0, tokensBefore: 0, tokensAfter: 0, tokensSaved: 0, cacheReadTokens: 0 };
}

export class ProxyStats {
  private readonly s: StatsSnapshot = {
    startedAt: new Date().toISOString(),
    requests: { total: 0, compressed: 0, passedThrough: 0, failedOpen: 0, upstreamErrors: 0, rejected: 0 },
    tokens: { before: 0, after: 0, saved: 0 },
    usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
    retrievals: { calls: 0, rounds: 0, unknownKeys: 0, unanswered: 0 },
    proxyTools: { calls: 0 },
    recall: { requests: 0, recalled: 0 },
    byProvider: {},
    byModel: {},
    byAgent: {},
    byKind: {},
    sessions: 0,
  };

  /** Counts one finished request. */
  record(r: RequestSummary): void {
    const s = this.s;
    s.requests.total++;
    if (r.compressed) s.requests.compressed++;
    else s.requests.passedThrough++;
    if (r.failedOpen) s.requests.failedOpen++;
    if (r.upstreamError) s.requests.upstreamErrors++;
    s.tokens.before += r.tokensBefore;
    s.tokens.after += r.tokensAfter;
    s.tokens.saved += r.tokensBefore - r.tokensAfter;
    s.usage.inputTokens += r.usage.input;
    s.usage.outputTokens += r.usage.output;
    s.usage.cacheReadTokens += r.usage.cacheRead;
    s.usage.cacheWriteTokens += r.usage.cacheWrite;
    s.retrievals.calls += r.retrievalCalls;
    s.retrievals.rounds += r.retrievalRounds;
    s.retrievals.unknownKeys += r.unknownKeys;
    s.retrievals.unanswered += r.unanswered;
    s.proxyTools.calls += r.toolCalls;
    if (r.recalled > 0) s.recall.requests++;
    s.recall.recalled += r.recalled;
    for (const [map, key] of [[s.byProvider, r.provider], [s.byModel, r.model || 'unknown'], [s.byAgent, r.agent]] as const) {
      const b = (map[key] ??= bucket());
      b.requests++;
      b.tokensBefore += r.tokensBefore;
      b.tokensAfter += r.tokensAfter;
      b.tokensSaved += r.tokensBefore - r.tokensAfter;
      b.cacheReadTokens += r.usage.cacheRead;
    }
    for (const [kind, t] of r.byKind) {
      const b = (s.byKind[kind] ??= { requests: 0, tokensBefore: 0, tokensAfter: 0, tokensSaved: 0 });
      b.requests++;
      b.tokensBefore += t.before;
      b.tokensAfter += t.after;
      b.tokensSaved += t.before - t.after;
    }
  }

  /** A request refused before it reached a provider (too large, bad token). */
  rejected(): void {
    this.s.requests.rejected++;
  }

  snapshot(sessions: number): StatsSnapshot {
    return { ...structuredClone(this.s), sessions };
  }
}
