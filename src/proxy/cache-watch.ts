import { CACHE_WRITE_FACTOR, moneySaved, priceFor } from '../pricing.js';
import type { ProviderAdapter } from '../providers/index.js';
import type { NeutralRequest } from '../wire/index.js';
import { requestBlocks, type GuardPrice } from './cache-guard.js';
import type { ProxyContext } from './context.js';
import type { ConversationState } from './conversation-state.js';
import type { RequestTrace } from './events.js';

/**
 * After a model request's response: shows the conversation's cache guard what the client sent,
 * what headroom forwarded and what the provider billed, and reports a bust (and the guard
 * stopping compression) as events, and the stop as a log line.
 */
export function watchCache(ctx: ProxyContext, r: { adapter: ProviderAdapter; conversation: ConversationState; client: NeutralRequest; forwarded: string | undefined; at: number; trace: RequestTrace }): void {
  const summary = r.trace.soFar;
  if (summary.status !== 200) return;
  let forwardedRequest = r.client;
  try {
    if (r.forwarded !== undefined) forwardedRequest = r.adapter.read(r.forwarded);
  } catch {
    return; // headroom wrote it, so it reads; if it ever does not, there is nothing to compare
  }
  const client = requestBlocks(r.client);
  const forwarded = r.forwarded === undefined ? client : requestBlocks(forwardedRequest);
  const guard = r.conversation.guard;
  const wasStopped = guard.stopped !== undefined;
  const verdict = guard.observe({
    client: client.hashes,
    forwarded: forwarded.hashes,
    forwardedBytes: forwarded.bytes,
    usage: summary.usage,
    at: r.at,
    savedUsd: (ctx.prices && moneySaved(ctx.prices, summary)) ?? 0,
    price: guardPrice(ctx, r.adapter.name, summary.model),
  });
  if (verdict.bust) r.trace.emit({ type: 'cache-bust', bust: verdict.bust });
  if (verdict.stoppedNow) {
    r.trace.emit({ type: 'guard-stopped', reason: guard.stopped! });
    ctx.log(`cache guard, conversation ${r.conversation.id}: ${guard.stopped}`);
  } else if (wasStopped) {
    r.trace.emit({ type: 'guard-stopped', reason: guard.stopped! });
  }
}

function guardPrice(ctx: ProxyContext, provider: string, model: string): GuardPrice | undefined {
  const p = ctx.prices && priceFor(ctx.prices, model);
  return p ? { input: p.input / 1e6, cachedInput: p.cachedInput / 1e6, writeFactor: CACHE_WRITE_FACTOR[provider] ?? 1 } : undefined;
}
