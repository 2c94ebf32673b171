import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadPricing } from '../../src/pricing.js';
import { ledgerStats, type StatsReport } from '../../src/stats/ledger-stats.js';
import { recordLedger } from './record-ledger.js';

const FIXTURE = 'fixtures/ledger/2026-11-21.jsonl';

/** The figures that do not depend on when the recording ran. */
function timeless(r: StatsReport) {
  const { ledgerDir: _d, firstRequest: _f, lastRequest: _l, byDay: _b, ...rest } = r;
  return rest;
}

/** The recorded lines with the times of the committed fixture's lines (the fixture keeps its day). */
function withTimesOf(file: string, text: string): string {
  let times: string[] = [];
  try {
    times = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { time: string }).time);
  } catch {
    return text;
  }
  const lines = text.split('\n').filter(Boolean);
  if (times.length !== lines.length) return text;
  return lines.map((l, i) => JSON.stringify({ ...(JSON.parse(l) as object), time: times[i] })).join('\n') + '\n';
}

async function statsOf(text: string): Promise<StatsReport> {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-ledger-'));
  try {
    writeFileSync(join(dir, '2026-11-21.jsonl'), text);
    return await ledgerStats(dir, loadPricing({}));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// HEADROOM_RECORD_LEDGER=1 rewrites the committed fixture from this run.
it('the committed ledger fixture matches what the proxy records today', async () => {
  const text = await recordLedger();
  if (process.env.HEADROOM_RECORD_LEDGER === '1') {
    mkdirSync('fixtures/ledger', { recursive: true });
    writeFileSync(FIXTURE, withTimesOf(FIXTURE, text));
  }
  const fresh = await statsOf(text);
  expect(fresh.totals.requests).toBe(6);
  expect(fresh.corruptLines).toBe(0);
  expect(timeless(fresh)).toEqual(timeless(await statsOf(readFileSync(FIXTURE, 'utf8'))));
});
