import { describe, expect, it } from 'vitest';
import { billedUsd, loadPricing, moneySaved, priceFor, sourceMoneySaved } from '../../src/pricing.js';
import type { RequestSummary } from '../../src/proxy/events.js';
import { addSourceSaving, addToTally, emptyTally } from '../../src/wrap/tally.js';
import { tallyTotals } from '../../src/tui/tally-totals.js';

// The arithmetic behind the status line and the exit summary of a wrapped session.

const prices = loadPricing({});

function request(model: string, before: number, after: number, savedFresh: number): RequestSummary {
  return {
    time: '2026-12-07T00:00:00.000Z',
    provider: 'anthropic',
    model,
    agent: 'claude',
    conversation: 's',
    status: 200,
    compressed: before > after,
    failedOpen: false,
    upstreamError: false,
    tokensBefore: before,
    tokensAfter: after,
    savedFresh,
    byKind: new Map(),
    usage: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
    retrievalCalls: 0,
    retrievalRounds: 0,
    unknownKeys: 0,
    unanswered: 0,
    toolCalls: 0,
    recalled: 0,
    ms: 5,
  };
}

describe('tally', () => {
  it("prices a saving at the source once, at the input price of the session's latest model", () => {
    const t = emptyTally();
    addToTally(t, request('claude-haiku-4-5', 0, 0, 0), prices);
    addToTally(t, request('claude-sonnet-4-5', 10_000, 4_000, 6_000), prices);
    expect(t.model).toBe('claude-sonnet-4-5');
    addSourceSaving(t, { tokensBefore: 80_000, tokensAfter: 4_600 }, prices);
    const input = priceFor(prices, 'claude-sonnet-4-5')!.input;
    expect(t.source).toEqual({ outputs: 1, tokensBefore: 80_000, tokensAfter: 4_600, usdSaved: (75_400 * input) / 1e6, unpriced: 0 });
    expect(sourceMoneySaved(prices, { model: 'claude-sonnet-4-5', tokensBefore: 80_000, tokensAfter: 4_600 })).toBe(t.source.usdSaved);

    const total = tallyTotals(t);
    expect(total).toEqual({ tokensBefore: 90_000, tokensAfter: 8_600, saved: 81_400, usdSaved: t.usdSaved + t.source.usdSaved, unpriced: 0 });
    expect(t.usdSaved).toBeCloseTo((6_000 * input) / 1e6, 12);
  });

  it('counts a saving at the source apart when the model has no price (or no request named one yet)', () => {
    const t = emptyTally();
    addSourceSaving(t, { tokensBefore: 5_000, tokensAfter: 1_000 }, prices);
    addToTally(t, request('local-llama-3', 0, 0, 0), prices);
    addSourceSaving(t, { tokensBefore: 5_000, tokensAfter: 1_000 }, prices);
    expect(t.source).toMatchObject({ outputs: 2, usdSaved: 0, unpriced: 2 });
    expect(tallyTotals(t)).toMatchObject({ saved: 8_000, usdSaved: 0, unpriced: 2 });
  });

  it('a request that names no model keeps the model of the one before', () => {
    const t = emptyTally();
    addToTally(t, request('gpt-4.1', 0, 0, 0), prices);
    addToTally(t, request('', 0, 0, 0), prices);
    expect(t.model).toBe('gpt-4.1');
  });

  it('sums the money billed by receipts and what it would have been without headroom; counts busts and a guard stop', () => {
    const t = emptyTally();
    const usage = { input: 2_000, output: 300, cacheRead: 40_000, cacheWrite: 5_000 };
    const r = { ...request('claude-sonnet-4-5', 10_000, 4_000, 6_000), usage };
    addToTally(t, r, prices);
    addToTally(t, { ...r, bust: { reason: 'cache-write', tokens: 5_000 }, guardStopped: true }, prices);
    addToTally(t, request('claude-sonnet-4-5', 0, 0, 0), prices);
    const one = billedUsd(prices, 'anthropic', 'claude-sonnet-4-5', usage)!;
    expect(t.billed.requests).toBe(2);
    expect(t.billed.usd).toBeCloseTo(2 * one, 12);
    expect(t.billed.withoutUsd).toBeCloseTo(2 * (one + moneySaved(prices, r)!), 12);
    expect(t.busts).toBe(1);
    expect(t.guardStopped).toBe(true);
  });
});
