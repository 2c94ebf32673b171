import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPricing, priceFor } from '../../src/pricing.js';
import type { LedgerRecord, SourceLedgerRecord } from '../../src/proxy/ledger.js';
import { LedgerReader, ledgerStats, StatsAggregator } from '../../src/stats/ledger-stats.js';
import { parseSince, SinceError } from '../../src/stats/since.js';

const FIXTURE = 'fixtures/ledger/2026-11-21.jsonl';
const prices = loadPricing({});
const recorded = readFileSync(FIXTURE, 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as LedgerRecord);

const dirs: string[] = [];
function ledgerDir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-stats-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const line = (r: LedgerRecord | SourceLedgerRecord) => `${JSON.stringify(r)}\n`;

const SOURCE_FIXTURE = 'fixtures/ledger/source/2026-12-06.jsonl';
const sourceRecorded = readFileSync(SOURCE_FIXTURE, 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as SourceLedgerRecord);

/** A ledger folder with the recorded request lines and the recorded source lines. */
function ledgerWithSource(): string {
  const dir = ledgerDir();
  copyFileSync(FIXTURE, join(dir, '2026-11-21.jsonl'));
  mkdirSync(join(dir, 'source'));
  copyFileSync(SOURCE_FIXTURE, join(dir, 'source', '2026-12-06.jsonl'));
  return dir;
}

describe('ledger stats on the recorded ledger', () => {
  it('adds up tokens, money, agents, models, kinds, retrievals and memory', async () => {
    const dir = ledgerDir();
    copyFileSync(FIXTURE, join(dir, '2026-11-21.jsonl'));
    const r = await ledgerStats(dir, prices);

    const before = recorded.reduce((s, x) => s + x.tokensBefore, 0);
    const after = recorded.reduce((s, x) => s + x.tokensAfter, 0);
    expect(r.files).toBe(1);
    expect(r.corruptLines).toBe(0);
    expect(r.totals).toMatchObject({ requests: 6, tokensBefore: before, tokensAfter: after, tokensSaved: before - after, unpricedRequests: 1 });
    // Cache-aware money, worked out here from the price table: fresh savings at the input price, replayed at the cached one.
    let usd = 0;
    for (const x of recorded) {
      const p = priceFor(prices, x.model);
      if (p) usd += (x.savedFresh * p.input + (x.tokensBefore - x.tokensAfter - x.savedFresh) * p.cachedInput) / 1e6;
    }
    expect(usd).toBeGreaterThan(0);
    expect(r.totals.usdSaved).toBeCloseTo(usd, 10);

    expect(Object.keys(r.byAgent).sort()).toEqual(['claude', 'copilot']);
    expect(r.byAgent.claude!.requests + r.byAgent.copilot!.requests).toBe(6);
    expect(r.byModel['local-llama-3']).toMatchObject({ requests: 1, unpricedRequests: 1, usdSaved: 0 });
    expect(r.byModel['claude-sonnet-4-5']!.requests).toBe(3);
    expect(Object.keys(r.byDay)).toEqual(['2026-11-21']);
    expect(r.byDay['2026-11-21']!.tokensSaved).toBe(before - after);

    expect(Object.keys(r.byKind).sort()).toEqual(['code', 'json', 'listing', 'log', 'search']);
    const kindBefore = Object.values(r.byKind).reduce((s, k) => s + k.tokensBefore, 0);
    expect(kindBefore).toBe(before);
    expect(r.byKind.log!.tokensBefore).toBe(recorded.filter((x) => x.byKind?.log).reduce((s, x) => s + x.byKind!.log!.before, 0));

    expect(r.retrievals).toEqual({ calls: 1, requests: 1, share: 1 / 6 });
    expect(r.memory).toEqual({ recalled: 2, toolCalls: 1 });
    expect(r.firstRequest).toBe(recorded[0]!.time);
    expect(r.lastRequest).toBe(recorded.at(-1)!.time);
  });

  it('skips and counts corrupt lines, ignores blank ones, and reads lines written before byKind', async () => {
    const { byKind: _k, ...old } = recorded[0]!;
    const text = [
      line(recorded[1]!),
      '{"time":"2026-11-21T10:00:00Z","agent":"claude"\n', // cut short
      'not json at all\n',
      '\n',
      '[1,2,3]\n',
      line({ ...recorded[2]!, tokensBefore: 'many' as unknown as number }),
      JSON.stringify(old) + '\n',
    ].join('');
    const r = await ledgerStats(ledgerDir({ '2026-11-21.jsonl': text }), prices);
    expect(r.corruptLines).toBe(4);
    expect(r.totals.requests).toBe(2);
    expect(r.totals.tokensBefore).toBe(recorded[1]!.tokensBefore + recorded[0]!.tokensBefore);
    expect(Object.keys(r.byKind)).toEqual(['search']);
  });

  it('an empty or missing ledger gives zeros', async () => {
    const missing = await ledgerStats(join(ledgerDir(), 'nope'), prices);
    expect(missing).toMatchObject({ files: 0, corruptLines: 0, firstRequest: null, totals: { requests: 0, tokensSaved: 0 }, retrievals: { share: 0 } });
  });
});

describe('savings at the source (recorded by headroom wrap)', () => {
  it('count in the totals, the agents, models and days, and apart; not as requests', async () => {
    const withSource = await ledgerStats(ledgerWithSource(), prices);
    const dir = ledgerDir();
    copyFileSync(FIXTURE, join(dir, '2026-11-21.jsonl'));
    const proxyOnly = await ledgerStats(dir, prices);

    const [claude, codex] = sourceRecorded as [SourceLedgerRecord, SourceLedgerRecord];
    const claudeSaved = claude.tokensBefore - claude.tokensAfter;
    const codexSaved = codex.tokensBefore - codex.tokensAfter;
    // Worked out here from the price table: once, at the input price of the session's model; gpt-fake has no price.
    const claudeUsd = (claudeSaved * priceFor(prices, 'claude-opus-4-8')!.input) / 1e6;
    expect(priceFor(prices, 'gpt-fake')).toBeUndefined();
    expect(withSource.source).toEqual({
      outputs: 2,
      tokensBefore: claude.tokensBefore + codex.tokensBefore,
      tokensAfter: claude.tokensAfter + codex.tokensAfter,
      tokensSaved: claudeSaved + codexSaved,
      usdSaved: claudeUsd,
      unpricedOutputs: 1,
    });
    expect(withSource.proxy).toEqual(proxyOnly.totals);
    expect(withSource.totals).toEqual({
      requests: 6,
      tokensBefore: proxyOnly.totals.tokensBefore + claude.tokensBefore + codex.tokensBefore,
      tokensAfter: proxyOnly.totals.tokensAfter + claude.tokensAfter + codex.tokensAfter,
      tokensSaved: proxyOnly.totals.tokensSaved + claudeSaved + codexSaved,
      usdSaved: proxyOnly.totals.usdSaved + claudeUsd,
      unpricedRequests: 1,
    });
    expect(withSource.byAgent.claude!.tokensSaved).toBe(proxyOnly.byAgent.claude!.tokensSaved + claudeSaved);
    expect(withSource.byAgent.codex).toEqual({ requests: 0, tokensBefore: codex.tokensBefore, tokensAfter: codex.tokensAfter, tokensSaved: codexSaved, usdSaved: 0, unpricedRequests: 0 });
    expect(withSource.byModel['claude-opus-4-8']!.usdSaved).toBeCloseTo(claudeUsd, 12);
    expect(withSource.byDay['2026-12-06']).toMatchObject({ requests: 0, tokensSaved: claudeSaved + codexSaved });
    // Requests only: the first and last request, retrievals, the file count with the source file.
    expect([withSource.firstRequest, withSource.lastRequest]).toEqual([proxyOnly.firstRequest, proxyOnly.lastRequest]);
    expect(withSource.retrievals).toEqual(proxyOnly.retrievals);
    expect(withSource.files).toBe(2);
  });

  it('skip corrupt source lines, honour --since, and are followed as they are appended', async () => {
    const dir = ledgerWithSource();
    appendFileSync(join(dir, 'source', '2026-12-06.jsonl'), 'not json\n{"time":"2026-12-06T23:00:00Z","agent":"claude"}\n');
    expect((await ledgerStats(dir, prices)).corruptLines).toBe(2);
    const later = await ledgerStats(dir, prices, new Date(sourceRecorded[1]!.time));
    expect(later.source.outputs).toBe(1);
    expect(later.totals.requests).toBe(0);

    const agg = new StatsAggregator(dir, prices);
    const reader = new LedgerReader(dir, agg);
    await reader.poll();
    appendFileSync(join(dir, 'source', '2026-12-06.jsonl'), line({ ...sourceRecorded[0]!, time: '2026-12-06T23:30:00.000Z' }));
    await reader.poll();
    expect(agg.report().source.outputs).toBe(3);
  });
});

describe('--since', () => {
  const now = new Date('2026-11-21T12:00:00Z');

  it('reads spans and dates', () => {
    expect(parseSince('30m', now).toISOString()).toBe('2026-11-21T11:30:00.000Z');
    expect(parseSince('24h', now).toISOString()).toBe('2026-11-20T12:00:00.000Z');
    expect(parseSince('7d', now).toISOString()).toBe('2026-11-14T12:00:00.000Z');
    expect(parseSince('2w', now).toISOString()).toBe('2026-11-07T12:00:00.000Z');
    expect(parseSince('2026-11-01', now).toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(parseSince('2026-11-01T09:30:00Z', now).toISOString()).toBe('2026-11-01T09:30:00.000Z');
  });

  it.each(['', '7', 'd', '0d', '7y', 'yesterday', '2026-13-45', '-3d'])('refuses %j', (spec) => {
    expect(() => parseSince(spec, now)).toThrow(SinceError);
  });

  it('counts only requests from then on, across day files', async () => {
    const older = { ...recorded[0]!, time: '2026-11-10T08:00:00.000Z' };
    const dir = ledgerDir({ '2026-11-10.jsonl': line(older) });
    copyFileSync(FIXTURE, join(dir, '2026-11-21.jsonl'));

    const all = await ledgerStats(dir, prices);
    expect(all.totals.requests).toBe(7);
    expect(Object.keys(all.byDay)).toEqual(['2026-11-10', '2026-11-21']);

    const recent = await ledgerStats(dir, prices, new Date('2026-11-15T00:00:00Z'));
    expect(recent.totals.requests).toBe(6);
    expect(recent.files).toBe(1);
    expect(recent.since).toBe('2026-11-15T00:00:00.000Z');

    // Within a day: from the third recorded request on.
    const part = await ledgerStats(dir, prices, new Date(recorded[2]!.time));
    expect(part.totals.requests).toBe(4);
    expect(part.firstRequest).toBe(recorded[2]!.time);
  });
});

describe('following the ledger', () => {
  it('reads only new lines on each poll and waits for a line still being written', async () => {
    const dir = ledgerDir({ '2026-11-21.jsonl': line(recorded[0]!) });
    const agg = new StatsAggregator(dir, prices);
    const reader = new LedgerReader(dir, agg);
    await reader.poll();
    expect(agg.report().totals.requests).toBe(1);

    const next = line(recorded[1]!);
    appendFileSync(join(dir, '2026-11-21.jsonl'), next.slice(0, 40));
    await reader.poll();
    expect(agg.report()).toMatchObject({ totals: { requests: 1 }, corruptLines: 0 });

    appendFileSync(join(dir, '2026-11-21.jsonl'), next.slice(40));
    writeFileSync(join(dir, '2026-11-22.jsonl'), line({ ...recorded[2]!, time: '2026-11-22T01:00:00.000Z' }));
    await reader.poll();
    const r = agg.report();
    expect(r).toMatchObject({ files: 2, corruptLines: 0, totals: { requests: 3 } });
    expect(r.totals.tokensBefore).toBe(recorded[0]!.tokensBefore + recorded[1]!.tokensBefore + recorded[2]!.tokensBefore);
  });
});
