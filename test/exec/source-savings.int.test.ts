import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StatsReport } from '../../src/stats/ledger-stats.js';
import { compactNumber } from '../../src/tui/format.js';
import { buildDist, ROOT } from '../helpers/build-dist.js';
import { runSourceMode } from '../helpers/source-compare.js';

// A big log read in `headroom wrap claude` with the per-session hook (the real Claude Code CLI,
// offline): the hook compresses it at the source. What a person is then told counts that saving
// in the headline, next to the proxy's: the exit summary, `headroom stats` and its --json.

beforeAll(() => buildDist(), 120_000);

/** "80k" -> 80000, "4.6k" -> 4600, "512" -> 512. */
const tokens = (s: string): number => Number(s.replace(/[kM]$/, '')) * (s.endsWith('M') ? 1e6 : s.endsWith('k') ? 1e3 : 1);

function stats(headroomHome: string, args: string[]): string {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'stats', ...args], { env: { ...process.env, HEADROOM_HOME: headroomHome, NO_COLOR: '1' }, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('savings at the source in the headline', () => {
  it('the exit summary, headroom stats and --json count the output compressed at the source in the totals, and apart', async () => {
    let dashboard = '';
    let report: StatsReport | undefined;
    let sourceLines: Array<Record<string, unknown>> = [];
    const f = await runSourceMode('p02-sre-postgres-deadlock-crash', 'source', 'claude', {
      ledger: true,
      afterRun: (home) => {
        dashboard = stats(home, []);
        report = JSON.parse(stats(home, ['--json'])) as StatsReport;
        const dir = join(home, 'ledger', 'source');
        sourceLines = fs.readdirSync(dir).flatMap((n) => fs.readFileSync(join(dir, n), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>));
      },
    });
    expect(f.run.code, f.run.stderr).toBe(0);

    // The exit summary: the headline saving is the proxy's and the source's together.
    const summary = f.run.stderr;
    const head = /(\d+) requests · tool outputs (\S+) → (\S+) tokens · saved (\S+) \((\d+(?:\.\d)?)%\)/.exec(summary)!;
    const parts = /proxy: (\S+) → (\S+) tokens \(saved (\S+)\)\n {2}at the source: 1 big command output (\S+) → (\S+) tokens \(saved (\S+)\), before the agent cut them/.exec(summary)!;
    expect(head, summary).not.toBeNull();
    expect(parts, summary).not.toBeNull();
    const [proxySaved, sourceSaved, headSaved] = [tokens(parts[3]!), tokens(parts[6]!), tokens(head[4]!)];
    expect(sourceSaved).toBeGreaterThan(10_000);
    expect(Math.abs(headSaved - (proxySaved + sourceSaved))).toBeLessThanOrEqual(0.01 * headSaved + 100);
    expect(summary).not.toMatch(/saved 0 \(0%\)/);
    expect(summary).toMatch(/estimated money saved ~\$\d+\.\d+ \(proxy ~\$[\d.]+, at the source ~\$[\d.]+; cache-aware/);

    // The ledger line wrap wrote for it.
    expect(sourceLines).toEqual([expect.objectContaining({ agent: 'claude', by: 'claude-hook', model: expect.stringMatching(/^claude-/), wrap: expect.any(String) })]);

    // headroom stats --json: totals = proxy + source, and each part apart.
    const r = report!;
    expect(r.source.outputs).toBe(1);
    expect(r.source.tokensSaved).toBe(r.source.tokensBefore - r.source.tokensAfter);
    expect(r.source.tokensSaved).toBeGreaterThan(10_000);
    expect(r.totals.tokensSaved).toBe(r.proxy.tokensSaved + r.source.tokensSaved);
    expect(r.totals.usdSaved).toBeCloseTo(r.proxy.usdSaved + r.source.usdSaved, 12);
    expect(r.totals.requests).toBe(r.proxy.requests);
    expect(r.byAgent.claude!.tokensSaved).toBe(r.totals.tokensSaved);
    // The same figures a person reads in the dashboard.
    expect(dashboard).toContain(`saved ${compactNumber(r.totals.tokensSaved)} (`);
    expect(dashboard).toMatch(/at the source: 1 big command output \S+ → \S+ tokens \(saved \S+\)/);
  }, 400_000);
});

