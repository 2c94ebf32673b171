import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildDist, ROOT } from '../helpers/build-dist.js';
import { hasTmux, TmuxSession } from '../helpers/tmux.js';

const CLI = join(ROOT, 'dist/cli.js');
const FIXTURE = join(ROOT, 'fixtures/ledger/2026-11-21.jsonl');
const BUCKET_KEYS = ['requests', 'tokensAfter', 'tokensBefore', 'tokensSaved', 'unpricedRequests', 'usdSaved'];

let home: string;
beforeAll(() => buildDist(), 120_000);
beforeEach(() => {
  home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-stats-cli-'));
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

function run(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, 'stats', ...args], { cwd: ROOT, env: { ...process.env, HEADROOM_HOME: home, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  return { code: r.status, out: r.stdout.toString('utf8'), err: r.stderr.toString('utf8') };
}
function withFixture(): void {
  fs.mkdirSync(join(home, 'ledger'));
  fs.copyFileSync(FIXTURE, join(home, 'ledger', '2026-11-21.jsonl'));
}
const sorted = (o: object) => Object.keys(o).sort();

describe('headroom stats', () => {
  it('says plainly that a missing or empty ledger has nothing yet', () => {
    const missing = run([]);
    expect(missing).toMatchObject({ code: 0, err: '' });
    expect(missing.out).toContain(`headroom has recorded no requests yet: the ledger ${join(home, 'ledger')} is empty.`);
    fs.mkdirSync(join(home, 'ledger'));
    expect(run([]).out).toContain('recorded no requests yet');
  });

  it('prints the dashboard of the ledger', () => {
    withFixture();
    const r = run([]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('headroom stats · all time');
    expect(r.out).toMatch(/6 requests · tool outputs \S+ → \S+ tokens · saved/);
    expect(r.out).toMatch(/^claude-sonnet-4-5\s+3\s/m);
  });

  it('--json prints the stable shape', () => {
    withFixture();
    const r = run(['--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as Record<string, any>;
    expect(sorted(j)).toEqual(
      ['billed', 'byAgent', 'byDay', 'byKind', 'byModel', 'corruptLines', 'files', 'firstRequest', 'guard', 'holdout', 'lastRequest', 'ledgerDir', 'memory', 'pricesTaken', 'proxy', 'retrievals', 'since', 'source', 'totals', 'withoutHeadroom'],
    );
    expect(sorted(j.billed)).toEqual(['cacheReadTokens', 'cacheWriteTokens', 'inputTokens', 'outputTokens', 'requests', 'unpricedRequests', 'usd']);
    expect(sorted(j.withoutHeadroom)).toEqual(['inputTokens', 'method', 'usd', 'verifiedRequests']);
    expect(j.withoutHeadroom.method).toBe("receipts + headroom's token estimate of the bytes removed");
    expect(j.holdout).toBeNull();
    expect(j.guard).toEqual({ busts: 0, bustTokens: 0, stoppedConversations: 0 });
    expect(sorted(j.totals)).toEqual(BUCKET_KEYS);
    expect(sorted(j.proxy)).toEqual(BUCKET_KEYS);
    expect(sorted(j.source)).toEqual(['outputs', 'tokensAfter', 'tokensBefore', 'tokensSaved', 'unpricedOutputs', 'usdSaved']);
    for (const group of ['byAgent', 'byModel', 'byDay']) for (const b of Object.values(j[group] as object)) expect(sorted(b)).toEqual(BUCKET_KEYS);
    for (const k of Object.values(j.byKind as object)) expect(sorted(k)).toEqual(['tokensAfter', 'tokensBefore', 'tokensSaved']);
    expect(sorted(j.retrievals)).toEqual(['calls', 'requests', 'share']);
    expect(sorted(j.memory)).toEqual(['recalled', 'toolCalls']);
    expect(j).toMatchObject({ ledgerDir: join(home, 'ledger'), since: null, files: 1, corruptLines: 0, totals: { requests: 6 } });
  });

  it('--json on an empty ledger is the same shape with zeros', () => {
    const j = JSON.parse(run(['--json', '--since', '7d']).out) as Record<string, any>;
    expect(j).toMatchObject({ files: 0, totals: { requests: 0 }, byAgent: {}, firstRequest: null });
    expect(Date.parse(j.since)).toBeLessThan(Date.now());
  });

  it('--since filters by date', () => {
    withFixture();
    const j = JSON.parse(run(['--json', '--since', '2026-11-22']).out) as { totals: { requests: number }; files: number };
    expect(j).toMatchObject({ files: 0, totals: { requests: 0 } });
    expect(run(['--since', '2026-11-22']).out).toContain('no requests in the ledger in this span yet');
  });

  it('a bad --since is one line and exit 2', () => {
    const r = run(['--since', 'last tuesday']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe('headroom: --since must be a span like 30m, 24h, 7d, 2w or a date like 2026-11-01, got "last tuesday"\n');
  });

  it('--help has examples; --json with --watch is refused', () => {
    const help = spawnSync(process.execPath, [CLI, 'stats', '--help'], { env: { ...process.env, HEADROOM_HOME: home } });
    expect(help.status).toBe(0);
    expect(help.stdout.toString()).toContain('headroom stats --since 7d');
    expect(run(['--json', '--watch']).code).toBe(2);
  });

  it('--watch follows new lines until Ctrl-C', async () => {
    withFixture();
    const child = spawn(process.execPath, [CLI, 'stats', '--watch'], { cwd: ROOT, env: { ...process.env, HEADROOM_HOME: home, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const waitFor = async (re: RegExp) => {
      for (let i = 0; i < 300 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 50));
      return re.test(out);
    };
    try {
      expect(await waitFor(/6 requests/)).toBe(true);
      const next = JSON.parse(fs.readFileSync(FIXTURE, 'utf8').split('\n')[0]!) as Record<string, unknown>;
      fs.appendFileSync(join(home, 'ledger', '2026-11-21.jsonl'), `${JSON.stringify({ ...next, agent: 'codex' })}\n`);
      expect(await waitFor(/7 requests/)).toBe(true);
      expect(out).toMatch(/^codex\s+1\s/m);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });

  it.skipIf(!hasTmux())('--watch on a terminal redraws in place, also when CI=true', async () => {
    withFixture();
    const env = { PATH: process.env.PATH ?? '', HOME: os.homedir(), HEADROOM_HOME: home, NO_COLOR: '1', CI: 'true' };
    const term = new TmuxSession(`${process.execPath} ${CLI} stats --watch`, { width: 100, height: 40, env, cwd: ROOT });
    const text = (rows: string[]) => rows.join('\n');
    try {
      await term.waitFor((rows) => /6 requests/.test(text(rows)), 15_000, 'the first dashboard');
      const next = JSON.parse(fs.readFileSync(FIXTURE, 'utf8').split('\n')[0]!) as Record<string, unknown>;
      fs.appendFileSync(join(home, 'ledger', '2026-11-21.jsonl'), `${JSON.stringify({ ...next, agent: 'codex' })}\n`);
      const rows = await term.waitFor((r) => /7 requests/.test(text(r)), 15_000, 'the redrawn dashboard');
      expect(text(rows)).not.toMatch(/6 requests/);
      expect(rows.filter((r) => r.startsWith('headroom stats'))).toHaveLength(1);
      term.sendKeys('C-c');
      expect(await term.waitForExit()).toBe(0);
    } finally {
      term.kill();
    }
  });
});
