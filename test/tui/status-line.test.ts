import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { describe, expect, it } from 'vitest';
import { ExitSummary, renderExitSummary } from '../../src/tui/exit-summary.js';
import { compactNumber, duration, percent, usd } from '../../src/tui/format.js';
import { renderStatusLine, StatusLine } from '../../src/tui/status-line.js';
import type { PriceTable } from '../../src/pricing.js';
import { addSourceSaving, emptyTally, type Tally } from '../../src/wrap/tally.js';

const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');
const PRICES: PriceTable = { taken: '2026-11', source: 'test', models: { 'claude-sonnet-4-5': { input: 3, cachedInput: 0.3, output: 15 } } };

function busyTally(): Tally {
  return {
    ...emptyTally(),
    requests: 12,
    tokensBefore: 120_000,
    tokensAfter: 30_000,
    usdSaved: 0.3125,
    retrievals: 2,
    byKind: { log: { before: 100_000, after: 20_000 }, json: { before: 20_000, after: 10_000 }, code: { before: 0, after: 0 } },
  };
}

describe('status line', () => {
  it('says it is waiting before the first request', () => {
    const { lastFrame, unmount } = render(createElement(StatusLine, { agent: 'claude', tally: emptyTally(), proxyUrl: 'http://127.0.0.1:5' }));
    expect(lastFrame()).toContain('headroom · claude · waiting for the first request on http://127.0.0.1:5');
    unmount();
  });

  it('shows requests, tokens and share saved, money and retrievals', () => {
    const { lastFrame, unmount } = render(createElement(StatusLine, { agent: 'codex', tally: busyTally(), proxyUrl: 'x' }));
    expect(lastFrame()).toBe('headroom · codex · 12 req · saved 90k tok (75%) · ~$0.31 · 2 retrieved');
    unmount();
  });

  it('counts tokens and money saved at the source in the headline, and shows each part, in the line and the exit summary', () => {
    const tally = { ...busyTally(), model: 'claude-sonnet-4-5' };
    // $3 per million input tokens: 102.3k tokens kept out of the conversation once.
    addSourceSaving(tally, { tokensBefore: 108_000, tokensAfter: 5_700 }, PRICES);
    expect(tally.source.usdSaved).toBeCloseTo(0.3069, 10);
    expect(plain(renderStatusLine({ agent: 'claude', tally, proxyUrl: 'x' }, 200))).toBe(
      'headroom · claude · 12 req · saved 192k tok (84%) · ~$0.62 · 2 retrieved · proxy −90k · at source −102k tok',
    );
    const summary = plain(renderExitSummary({ agentTitle: 'Claude Code', tally, elapsedMs: 1000, exit: { code: 0 }, pricesTaken: '2026-11' }, 120));
    expect(summary).toContain('12 requests · tool outputs 228k → 36k tokens · saved 192k (84%)');
    expect(summary).toContain('  proxy: 120k → 30k tokens (saved 90k)\n  at the source: 1 big command output 108k → 5.7k tokens (saved 102k), before the agent cut them');
    expect(summary).toContain('estimated money saved ~$0.62 (proxy ~$0.31, at the source ~$0.31; cache-aware, prices of 2026-11)');
    const onlySource = emptyTally();
    addSourceSaving(onlySource, { tokensBefore: 50_000, tokensAfter: 2_000 }, PRICES);
    expect(plain(renderStatusLine({ agent: 'claude', tally: onlySource, proxyUrl: 'x' }, 200))).toBe('headroom · claude · 0 req · saved 48k tok (96%) · ~$0+ · proxy −0 · at source −48k tok');
    expect(plain(renderExitSummary({ agentTitle: 'Claude Code', tally: onlySource, elapsedMs: 1000, exit: { code: 0 }, pricesTaken: 'x' }, 120))).toContain(
      'at the source: 1 big command output 50k → 2.0k tokens, before the agent cut them',
    );
  });

  it('shows money from receipts when there are receipts, and the busts the cache guard counted', () => {
    const tally: Tally = { ...busyTally(), billed: { requests: 12, usd: 4.12, withoutUsd: 9.8, unpriced: 0 }, busts: 2, guardStopped: true };
    expect(plain(renderStatusLine({ agent: 'claude', tally, proxyUrl: 'x' }, 200))).toBe('headroom · claude · 12 req · saved 90k tok (75%) · billed $4.12, ~$9.80 without headroom · 2 cache busts, compression paused · 2 retrieved');
    const summary = plain(renderExitSummary({ agentTitle: 'Claude Code', tally, elapsedMs: 1000, exit: { code: 0 }, pricesTaken: '2026-11' }, 160));
    expect(summary).toContain("billed $4.12, ~$9.80 without headroom (the providers' usage receipts of 12 requests)");
    expect(summary).toContain('2 prompt-cache busts headroom caused; it stopped compressing new outputs where they cost more than it saved');
  });

  it('marks money as a lower bound when some models are unpriced, and shows upstream errors', () => {
    const line = plain(renderStatusLine({ agent: 'gemini', tally: { ...busyTally(), unpriced: 3, upstreamErrors: 1, retrievals: 0 }, proxyUrl: 'x' }, 200));
    expect(line).toContain('~$0.31+');
    expect(line).toContain('1 upstream error');
    expect(line).not.toContain('1 upstream errors');
    expect(line).not.toContain('retrieved');
  });

  it('fits any width on one line', () => {
    for (const width of [1, 10, 40, 80, 300]) {
      const line = renderStatusLine({ agent: 'claude', tally: busyTally(), proxyUrl: 'x' }, width);
      expect(line).not.toContain('\n');
      expect([...plain(line)].length).toBeLessThan(Math.max(width, 2));
    }
  });
});

describe('exit summary', () => {
  it('reports tokens, money, the top kinds and retrievals', () => {
    const text = plain(renderExitSummary({ agentTitle: 'Claude Code', tally: busyTally(), elapsedMs: 192_000, exit: { code: 0 }, pricesTaken: '2025-10-01' }, 120));
    expect(text).toContain('headroom · Claude Code exited with code 0 after 3 min 12 s');
    expect(text).toContain('12 requests · tool outputs 120k → 30k tokens · saved 90k (75%)');
    expect(text).toContain('estimated money saved ~$0.31 (cache-aware, prices of 2025-10-01)');
    expect(text).toContain('top kinds: log 80k (80%) · json 10k (50%)');
    expect(text).toContain('retrievals: 2');
  });

  it('counts one request as one request, not "1 requests"', () => {
    const text = plain(renderExitSummary({ agentTitle: 'Codex CLI', tally: { ...busyTally(), requests: 1 }, elapsedMs: 1000, exit: { code: 0 }, pricesTaken: 'x' }, 120));
    expect(text).toContain('  1 request · tool outputs');
  });

  it('names the signal that ended the agent and says when nothing went through', () => {
    const { lastFrame, unmount } = render(
      createElement(ExitSummary, { agentTitle: 'Codex CLI', tally: emptyTally(), elapsedMs: 300, exit: { code: 143, signal: 'SIGTERM' }, pricesTaken: 'x' }),
    );
    expect(lastFrame()).toContain('Codex CLI ended by SIGTERM after 0.3 s');
    expect(lastFrame()).toContain('no model requests went through headroom');
    unmount();
  });
});

describe('formatting', () => {
  it('formats numbers, shares, money and durations', () => {
    expect([compactNumber(999), compactNumber(1234), compactNumber(45_678), compactNumber(2_500_000)]).toEqual(['999', '1.2k', '46k', '2.5M']);
    expect([percent(1, 3), percent(1, 200), percent(0, 0)]).toEqual(['33%', '0.5%', '0%']);
    expect([usd(0), usd(0.00421), usd(12.4)]).toEqual(['$0', '$0.0042', '$12.40']);
    expect([duration(4200), duration(192_000), duration(3_900_000)]).toEqual(['4.2 s', '3 min 12 s', '1 h 05 min']);
  });
});
