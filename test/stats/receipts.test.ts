import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadPricing, priceFor } from '../../src/pricing.js';
import type { LedgerRecord } from '../../src/proxy/ledger.js';
import { StatsAggregator } from '../../src/stats/ledger-stats.js';
import { METHOD } from '../../src/stats/receipts.js';

const prices = loadPricing({});
const recorded = readFileSync('fixtures/ledger/2026-11-21.jsonl', 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as LedgerRecord);

function report(lines: LedgerRecord[]) {
  const agg = new StatsAggregator('/nowhere', prices);
  for (const l of lines) agg.add(l);
  return agg.report();
}

const base: LedgerRecord = {
  time: '2026-12-07T01:00:00.000Z', agent: 'claude', provider: 'anthropic', model: 'claude-sonnet-4-5', session: 's1', status: 200,
  tokensBefore: 10_000, tokensAfter: 4_000, savedFresh: 6_000, inputTokens: 500, outputTokens: 200, cacheReadTokens: 3_000, cacheWriteTokens: 1_000,
  retrievals: 0, toolCalls: 0, recalled: 0, ms: 5,
};

describe('receipts in stats', () => {
  it('billed is the exact sum of the usage the provider reported, priced by class', () => {
    const r = report(recorded);
    const sum = (k: keyof LedgerRecord) => recorded.reduce((s, x) => s + (x[k] as number), 0);
    const withUsage = recorded.filter((x) => x.inputTokens + x.outputTokens + x.cacheReadTokens + x.cacheWriteTokens > 0);
    expect(r.billed).toMatchObject({ requests: withUsage.length, inputTokens: sum('inputTokens'), cacheReadTokens: sum('cacheReadTokens'), cacheWriteTokens: sum('cacheWriteTokens'), outputTokens: sum('outputTokens') });
    let usd = 0;
    for (const x of withUsage) {
      const p = priceFor(prices, x.model);
      const write = x.provider === 'anthropic' ? 1.25 : 1;
      if (p) usd += (x.inputTokens * p.input + x.cacheReadTokens * p.cachedInput + x.cacheWriteTokens * p.input * write + x.outputTokens * p.output) / 1e6;
    }
    expect(r.billed.usd).toBeCloseTo(usd, 12);
    expect(r.withoutHeadroom.method).toBe(METHOD.estimate);
  });

  it("without headroom: receipts plus the tokens removed, or the provider's count where --verify sampled", () => {
    const p = priceFor(prices, base.model)!;
    const estimated = report([base]);
    expect(estimated.withoutHeadroom.inputTokens).toBe(500 + 3_000 + 1_000 + 6_000);
    expect(estimated.withoutHeadroom.usd - estimated.billed.usd).toBeCloseTo((6_000 * p.input) / 1e6, 12);

    const verified = report([{ ...base, verifiedInputTokens: 12_000 }]);
    expect(verified.withoutHeadroom).toMatchObject({ inputTokens: 12_000, method: METHOD.verified, verifiedRequests: 1 });
    expect(verified.withoutHeadroom.usd - verified.billed.usd).toBeCloseTo(((12_000 - 4_500) * p.input) / 1e6, 12);

    const mixed = report([base, { ...base, verifiedInputTokens: 12_000 }]);
    expect(mixed.withoutHeadroom.method).toBe(METHOD.mixed(1));
    expect(mixed.withoutHeadroom.inputTokens).toBe(10_500 + 12_000);
  });

  it('reads old lines without usage fields as no receipt', () => {
    const old = { ...base } as Partial<LedgerRecord>;
    delete old.inputTokens;
    delete old.outputTokens;
    delete old.cacheReadTokens;
    delete old.cacheWriteTokens;
    const r = report([old as LedgerRecord]);
    expect(r.totals.requests).toBe(1);
    expect(r.billed).toMatchObject({ requests: 0, usd: 0 });
    expect(r.withoutHeadroom.method).toBe(METHOD.none);
  });
});

describe('holdout groups and busts in stats', () => {
  it('compares the groups found in the ledger and counts busts and stopped conversations', () => {
    const lines: LedgerRecord[] = [];
    for (let i = 0; i < 4; i++) lines.push({ ...base, session: `h${i}`, group: 'headroom' }, { ...base, session: `p${i}`, group: 'holdout', tokensAfter: base.tokensBefore, inputTokens: 9_000 });
    lines.push({ ...base, session: 'h0', group: 'headroom', bust: { reason: 'cache-write', tokens: 2_500 }, guardStopped: true });
    const r = report(lines);
    expect(r.holdout!.counts).toEqual({ headroom: { sessions: 4, turns: 5 }, holdout: { sessions: 4, turns: 4 } });
    expect(r.holdout!.tooLittle).toMatch(/too little data/);
    expect(r.holdout!.perTurn.usd.difference).toBeLessThan(0);
    expect(r.guard).toEqual({ busts: 1, bustTokens: 2_500, stoppedConversations: 1 });
    expect(report([base]).holdout).toBeNull();
  });
});
