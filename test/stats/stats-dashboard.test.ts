import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPricing } from '../../src/pricing.js';
import { ledgerStats, type StatsReport } from '../../src/stats/ledger-stats.js';
import { renderStatsDashboard, StatsDashboard } from '../../src/tui/stats-dashboard.js';

const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');
const dir = mkdtempSync(join(tmpdir(), 'headroom-dashboard-'));
let report: StatsReport;

beforeAll(async () => {
  copyFileSync('fixtures/ledger/2026-11-21.jsonl', join(dir, '2026-11-21.jsonl'));
  report = await ledgerStats(dir, loadPricing({}));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stats dashboard', () => {
  it('shows totals, money, retrievals, memory, agents, models, days and kinds', () => {
    const { lastFrame, unmount } = render(createElement(StatsDashboard, { report }));
    const out = plain(lastFrame() ?? '');
    unmount();
    expect(out).toContain('headroom stats · all time');
    expect(out).toContain(`ledger ${dir}`);
    expect(out).toMatch(/6 requests · tool outputs 212k → 26k tokens · saved 187k \(88%\)/);
    expect(out).toMatch(/estimated money saved ~\$\d+\.\d\d \(cache-aware, prices of \S+; 1 request of unpriced models/);
    expect(out).toContain('retrievals: 1 (17% of requests needed one) · memories recalled: 2 · memory tool calls: 1');
    expect(out).toMatch(/^agent\s+requests\s+before\s+after\s+saved\s+money$/m);
    expect(out).toMatch(/^claude\s+4\s/m);
    expect(out).toMatch(/^copilot\s+2\s/m);
    expect(out).toMatch(/^local-llama-3\s+1\s.*unpriced$/m);
    expect(out).toMatch(/^2026-11-21 █{24} 187k · 6 req$/m);
    for (const kind of ['log', 'json', 'code', 'search', 'listing']) expect(out).toMatch(new RegExp(`^${kind}\\s+[█░]{24} \\d+% of `, 'm'));
    expect(out).not.toContain('corrupt');
  });

  it('says when there is nothing in the span, notes corrupt lines, and the watch hint', () => {
    const empty: StatsReport = { ...report, since: '2026-11-22T00:00:00.000Z', corruptLines: 3, totals: { ...report.totals, requests: 0 } };
    const { lastFrame, unmount } = render(createElement(StatsDashboard, { report: empty, watching: true }));
    const out = plain(lastFrame() ?? '');
    unmount();
    expect(out).toContain('since 2026-11-22 00:00 UTC');
    expect(out).toContain('following it, Ctrl-C to quit');
    expect(out).toContain('no requests in the ledger in this span yet');
    expect(out).toContain('3 corrupt ledger lines skipped');
    expect(out).not.toContain('agent ');
  });

  it('counts the savings made at the source in the headline, and shows each part', async () => {
    const withSource = mkdtempSync(join(tmpdir(), 'headroom-dashboard-'));
    try {
      copyFileSync('fixtures/ledger/2026-11-21.jsonl', join(withSource, '2026-11-21.jsonl'));
      mkdirSync(join(withSource, 'source'));
      copyFileSync('fixtures/ledger/source/2026-12-06.jsonl', join(withSource, 'source', '2026-12-06.jsonl'));
      const out = plain(renderStatsDashboard(await ledgerStats(withSource, loadPricing({})), 200));
      expect(out).toMatch(/6 requests · tool outputs 428k → 34k tokens · saved 394k \(92%\)/);
      expect(out).toContain('proxy: 212k → 26k tokens (saved 187k)');
      expect(out).toContain('at the source: 2 big command outputs 216k → 8.3k tokens (saved 208k)');
      expect(out).toMatch(/estimated money saved ~\$\d+\.\d\d \(proxy ~\$\d+\.\d\d, at the source ~\$1\.53; cache-aware, .*; 1 output at the source of unpriced models not counted\)/);
      expect(out).toMatch(/^2026-12-06 █+░* 208k · 0 req$/m);
      expect(out).toMatch(/^claude-opus-4-8\s+0\s.*\$1\.53$/m);
      expect(out).toMatch(/^gpt-fake\s+0\s.*unpriced$/m);
      // Without savings at the source the dashboard is as before.
      expect(plain(renderStatsDashboard(report, 120))).not.toContain('at the source');
    } finally {
      rmSync(withSource, { recursive: true, force: true });
    }
  });

  it('renders to a string for printing once', () => {
    expect(plain(renderStatsDashboard(report, 100))).toContain('6 requests');
  });

  it('shows money from receipts with the method of the counterfactual, the holdout comparison and the cache guard', () => {
    const r: StatsReport = structuredClone(report);
    r.billed = { requests: 5, inputTokens: 25_000, cacheReadTokens: 400_000, cacheWriteTokens: 30_000, outputTokens: 2_000, usd: 4.12, unpricedRequests: 0 };
    r.withoutHeadroom = { inputTokens: 900_000, usd: 9.8, method: 'provider count (--verify)', verifiedRequests: 5 };
    r.holdout = {
      counts: { headroom: { sessions: 3, turns: 9 }, holdout: { sessions: 1, turns: 2 } },
      perSession: { usd: { headroom: 1, holdout: 2, difference: -1, interval: null }, cacheHitRate: { headroom: 0.9, holdout: 0.8, difference: 0.1, interval: null } },
      perTurn: { usd: { headroom: 1, holdout: 2, difference: -1, interval: null }, cacheHitRate: { headroom: 0.9, holdout: 0.8, difference: 0.1, interval: null } },
      tooLittle: 'too little data for an interval: it needs at least 10 sessions and 30 turns in each group',
      method: 'bootstrap',
    };
    r.guard = { busts: 2, bustTokens: 40_000, stoppedConversations: 1 };
    const out = plain(renderStatsDashboard(r, 400));
    expect(out).toContain('billed $4.12, ~$9.80 without headroom (5 receipts: 25k input, 400k cache read, 30k cache write, 2.0k output; without: provider count (--verify))');
    expect(out).toContain('holdout: 1 sessions untouched vs 3 with headroom · too little data for an interval: it needs at least 10 sessions and 30 turns in each group');
    expect(out).toContain('cache guard: 2 prompt-cache busts headroom caused (40k tokens written again); compression of new outputs stopped in 1 conversation where busts cost more than it saved');
    r.holdout.tooLittle = null;
    r.holdout.perSession.usd.interval = [-1.5, -0.5];
    expect(plain(renderStatsDashboard(r, 400))).toContain('per session −$1.00 (95% interval −$1.50 to −$0.50), per turn −$1.00');
  });
});
