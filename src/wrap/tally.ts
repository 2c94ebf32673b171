import { moneySaved, sourceMoneySaved, type PriceTable } from '../pricing.js';
import type { RequestSummary } from '../proxy/events.js';
import { ledgerRecordOf } from '../proxy/ledger.js';
import { requestBill } from '../stats/receipts.js';

/** What one wrapped session has saved so far: the status line and the exit summary show it. */
export interface Tally {
  requests: number;
  /** Tool-output tokens of the requests the proxy compressed, before and after (the proxy's part). */
  tokensBefore: number;
  tokensAfter: number;
  /** Estimated USD the proxy saved, cache-aware, over the requests whose model the price table knows. */
  usdSaved: number;
  /** Requests that saved tokens but whose model has no price. */
  unpriced: number;
  retrievals: number;
  /** Memories added to the agent's turns (--memory). */
  memoriesRecalled: number;
  /** Memories saved by the model's memory_save calls or captured from the transcript (--memory). */
  memoriesSaved: number;
  upstreamErrors: number;
  /** The model of the latest request; it prices the savings made at the source. */
  model: string;
  /** Big command outputs compressed at the source (an agent hook or `headroom exec`), before the agent cut them. */
  source: { outputs: number; tokensBefore: number; tokensAfter: number; usdSaved: number; unpriced: number };
  byKind: Record<string, { before: number; after: number }>;
  /** What the provider billed by its receipts, and what the same requests would have been billed without headroom. */
  billed: { requests: number; usd: number; withoutUsd: number; unpriced: number };
  /** Prompt-cache busts headroom caused; whether the cache guard stopped compressing new outputs in a conversation. */
  busts: number;
  guardStopped: boolean;
}

export function emptyTally(): Tally {
  return {
    requests: 0,
    tokensBefore: 0,
    tokensAfter: 0,
    usdSaved: 0,
    unpriced: 0,
    retrievals: 0,
    memoriesRecalled: 0,
    memoriesSaved: 0,
    upstreamErrors: 0,
    model: '',
    source: { outputs: 0, tokensBefore: 0, tokensAfter: 0, usdSaved: 0, unpriced: 0 },
    byKind: {},
    billed: { requests: 0, usd: 0, withoutUsd: 0, unpriced: 0 },
    busts: 0,
    guardStopped: false,
  };
}

export function addToTally(t: Tally, r: RequestSummary, prices: PriceTable): void {
  t.requests++;
  t.tokensBefore += r.tokensBefore;
  t.tokensAfter += r.tokensAfter;
  const usd = moneySaved(prices, r);
  if (usd === undefined) t.unpriced++;
  else t.usdSaved += usd;
  t.retrievals += r.retrievalCalls;
  t.memoriesRecalled += r.recalled;
  if (r.upstreamError) t.upstreamErrors++;
  if (r.model) t.model = r.model;
  const bill = requestBill(prices, ledgerRecordOf(r, undefined));
  if (bill) {
    t.billed.requests++;
    if (bill.billedUsd === undefined || bill.withoutUsd === undefined) t.billed.unpriced++;
    else {
      t.billed.usd += bill.billedUsd;
      t.billed.withoutUsd += bill.withoutUsd;
    }
  }
  if (r.bust) t.busts++;
  if (r.guardStopped) t.guardStopped = true;
  for (const [kind, k] of r.byKind) {
    const acc = (t.byKind[kind] ??= { before: 0, after: 0 });
    acc.before += k.before;
    acc.after += k.after;
  }
}

/** Counts one output compressed at the source, priced at the input price of the session's latest model. */
export function addSourceSaving(t: Tally, s: { tokensBefore: number; tokensAfter: number }, prices: PriceTable): void {
  t.source.outputs++;
  t.source.tokensBefore += s.tokensBefore;
  t.source.tokensAfter += s.tokensAfter;
  const usd = sourceMoneySaved(prices, { model: t.model, ...s });
  if (usd === undefined) t.source.unpriced++;
  else t.source.usdSaved += usd;
}
