import { billedUsd, moneySaved, type PriceTable } from '../pricing.js';
import type { LedgerRecord } from '../proxy/ledger.js';

/** What the providers billed, summed from the usage they reported (their receipts). */
export interface BilledStats {
  /** Requests with a receipt (the provider reported some usage). */
  requests: number;
  /** Input billed at the plain input price (not read from or written to the prompt cache). */
  inputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
  /** USD over the receipts whose model the price table knows. */
  usd: number;
  /** Receipts whose model the price table does not price (not in usd). */
  unpricedRequests: number;
}

/** What the same requests would have been billed without headroom. */
export interface WithoutHeadroomStats {
  /** Input tokens of every class (plain, cache read, cache write) the requests would have carried. */
  inputTokens: number;
  usd: number;
  /** How it was worked out; see METHOD. */
  method: string;
  /** Requests whose original body the provider counted (`--verify`). */
  verifiedRequests: number;
}

export const METHOD = {
  estimate: "receipts + headroom's token estimate of the bytes removed",
  verified: 'provider count (--verify)',
  mixed: (n: number) => `provider count (--verify) for ${n} sampled request${n === 1 ? '' : 's'}; receipts + headroom's token estimate of the bytes removed for the rest`,
  none: 'no receipts yet',
};

/** A ledger line's receipt; lines written before usage was recorded read as zero. */
export function receiptOf(r: LedgerRecord): { input: number; cacheRead: number; cacheWrite: number; output: number } {
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return { input: n(r.inputTokens), cacheRead: n(r.cacheReadTokens), cacheWrite: n(r.cacheWriteTokens), output: n(r.outputTokens) };
}

/**
 * One request's receipt and its counterfactual. Without headroom the request would have carried
 * the provider's own count of the original body when `--verify` sampled it, else the billed
 * input plus headroom's estimate of the tokens it removed. The difference is priced as
 * moneySaved prices a saving (new outputs at the input price, replayed ones cached); a
 * negative difference (headroom added more than it removed) counts too.
 */
export function requestBill(prices: PriceTable, r: LedgerRecord): { billedUsd: number | undefined; withoutInput: number; withoutUsd: number | undefined; verified: boolean } | undefined {
  const t = receiptOf(r);
  if (t.input + t.cacheRead + t.cacheWrite + t.output === 0) return undefined;
  const billedInput = t.input + t.cacheRead + t.cacheWrite;
  const usd = billedUsd(prices, r.provider, r.model, t);
  const verified = typeof r.verifiedInputTokens === 'number' && Number.isFinite(r.verifiedInputTokens);
  const removed = verified ? r.verifiedInputTokens! - billedInput : r.tokensBefore - r.tokensAfter;
  const extraUsd = priceOfRemoved(prices, r, removed);
  return { billedUsd: usd, withoutInput: billedInput + removed, withoutUsd: usd === undefined || extraUsd === undefined ? undefined : usd + extraUsd, verified };
}

/** USD of `tokens` more input, split into new and replayed in the proportions of the request's own saving. */
function priceOfRemoved(prices: PriceTable, r: LedgerRecord, tokens: number): number | undefined {
  const saved = r.tokensBefore - r.tokensAfter;
  const freshShare = saved > 0 ? Math.min(Math.max(r.savedFresh, 0), saved) / saved : 1;
  const abs = Math.abs(tokens);
  const usd = moneySaved(prices, { model: r.model, tokensBefore: abs, tokensAfter: 0, savedFresh: Math.round(abs * freshShare) });
  return usd === undefined ? undefined : Math.sign(tokens) * usd;
}

/** Sums receipts and counterfactuals over ledger lines. */
export class ReceiptTotals {
  readonly billed: BilledStats = { requests: 0, inputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 0, usd: 0, unpricedRequests: 0 };
  private withoutInput = 0;
  private withoutUsd = 0;
  private verified = 0;

  constructor(private readonly prices: PriceTable) {}

  /** Adds a request; returns its billed USD (undefined: no receipt or not priced). */
  add(r: LedgerRecord): number | undefined {
    const bill = requestBill(this.prices, r);
    if (!bill) return undefined;
    const t = receiptOf(r);
    const b = this.billed;
    b.requests++;
    b.inputTokens += t.input;
    b.cacheReadTokens += t.cacheRead;
    b.cacheWriteTokens += t.cacheWrite;
    b.outputTokens += t.output;
    this.withoutInput += bill.withoutInput;
    if (bill.verified) this.verified++;
    if (bill.billedUsd === undefined || bill.withoutUsd === undefined) b.unpricedRequests++;
    else {
      b.usd += bill.billedUsd;
      this.withoutUsd += bill.withoutUsd;
    }
    return bill.billedUsd;
  }

  withoutHeadroom(): WithoutHeadroomStats {
    const n = this.billed.requests;
    const method = n === 0 ? METHOD.none : this.verified === 0 ? METHOD.estimate : this.verified === n ? METHOD.verified : METHOD.mixed(this.verified);
    return { inputTokens: this.withoutInput, usd: this.withoutUsd, method, verifiedRequests: this.verified };
  }
}
