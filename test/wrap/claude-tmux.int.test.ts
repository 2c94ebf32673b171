import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { agentBin } from '../helpers/agent-bin.js';
import { shellThenAnswer } from '../helpers/agent-cli.js';
import { buildDist, ROOT } from '../helpers/build-dist.js';
import { startFakeUpstream, toolOutputsOf, type FakeUpstream } from '../helpers/fake-upstream.js';
import { hasTmux, TmuxSession } from '../helpers/tmux.js';

// The real Claude Code, interactive, in a real terminal (tmux), with and without
// `headroom wrap`: what a person sees above the status row is the same screen Claude Code
// draws on its own in a terminal one row shorter, and the status row shows the savings.

const KEY = 'sk-ant-headroom-test-0123456789abcdef';
const WIDTH = 100;
const HEIGHT = 30;
const ERROR_LINE = 'ERROR payment-api: connection pool exhausted (order 4711)';
const LOG_COMMAND =
  `seq 1 400 | awk '{ if ($1 == 200) print "2026-03-01T12:03:20Z ${ERROR_LINE}"; ` +
  'else printf "2026-03-01T12:%02d:%02dZ INFO worker-%d handled request %d in 12ms\\n", int($1/60), $1%60, $1%8, $1 }\'';

/** A Claude Code home where onboarding, the folder trust dialog and the API-key prompt are done. */
function claudeHome(cwd: string): string {
  const home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-claude-home-'));
  fs.mkdirSync(join(home, '.claude'), { recursive: true });
  fs.writeFileSync(
    join(home, '.claude', '.claude.json'),
    JSON.stringify({
      hasCompletedOnboarding: true,
      theme: 'dark',
      customApiKeyResponses: { approved: [KEY.slice(-20)], rejected: [] },
      projects: { [cwd]: { hasTrustDialogAccepted: true, allowedTools: [] } },
    }),
  );
  return home;
}

/** Spinner verbs and timings change from run to run. */
const normalise = (rows: string[]): string[] => rows.map((r) => r.replace(/^(✻|✶|✳|✢|·|\*) \S+ for \d+s.*$/, '<spinner>').replace(/\(\d+(\.\d+)?s\)/g, '(Ns)'));

describe.skipIf(!hasTmux())('Claude Code interactive under headroom wrap (tmux)', () => {
  let upstream: FakeUpstream;
  let cwd: string;
  const homes: string[] = [];
  let tmux: TmuxSession | undefined;

  beforeAll(() => {
    buildDist();
    cwd = fs.mkdtempSync(join(os.tmpdir(), 'headroom-claude-cwd-'));
  });
  afterEach(async () => {
    tmux?.kill();
    tmux = undefined;
    await upstream?.close();
  });
  afterAll(() => {
    for (const d of [cwd, ...homes]) fs.rmSync(d, { recursive: true, force: true });
  });

  async function session(wrapped: boolean): Promise<{ tmux: TmuxSession; home: string }> {
    const home = claudeHome(cwd);
    homes.push(home);
    const claude = agentBin('claude');
    const env: Record<string, string> = {
      PATH: `${join(claude, '..')}:${process.env.PATH}`,
      HOME: home,
      CLAUDE_CONFIG_DIR: join(home, '.claude'),
      ANTHROPIC_API_KEY: KEY,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      CLAUDE_CODE_MAX_RETRIES: '0',
      DISABLE_AUTOUPDATER: '1',
      TERM: 'xterm-256color',
      LANG: 'C.UTF-8',
      HEADROOM_HOME: join(home, '.headroom'),
    };
    const t = wrapped
      ? new TmuxSession(`${process.execPath} ${join(ROOT, 'dist/cli.js')} wrap claude -- --allowedTools Bash`, {
          width: WIDTH,
          height: HEIGHT,
          cwd,
          env: { ...env, HEADROOM_ANTHROPIC_UPSTREAM: upstream.url },
        })
      : new TmuxSession(`${claude} --allowedTools Bash`, { width: WIDTH, height: HEIGHT - 1, cwd, env: { ...env, ANTHROPIC_BASE_URL: upstream.url } });
    tmux = t;
    await t.waitFor((rows) => rows.some((r) => r.startsWith('❯')), 30_000, 'the Claude Code prompt');
    return { tmux: t, home };
  }

  async function askForTheLog(t: TmuxSession): Promise<string[]> {
    t.type('Why did the payment fail? Check the log.');
    await t.waitFor((rows) => rows.some((r) => r.includes('Check the log.')), 10_000, 'the typed prompt');
    t.sendKeys('Enter');
    return t.waitFor((rows) => rows.some((r) => r.includes('FINAL:')), 45_000, 'the answer');
  }

  it('looks as without headroom above the status row, which shows the savings; /exit prints the summary', async () => {
    const answer = (out: string) => `FINAL: ${out.includes(ERROR_LINE) ? 'the ERROR line is in view' : 'no ERROR in view'}`;

    upstream = await startFakeUpstream(shellThenAnswer(LOG_COMMAND, answer));
    const direct = await session(false);
    const directScreen = await askForTheLog(direct.tmux);
    direct.tmux.kill();
    await upstream.close();

    upstream = await startFakeUpstream(shellThenAnswer(LOG_COMMAND, answer));
    const { tmux: t, home } = await session(true);
    const screen = await askForTheLog(t);
    const withStatus = await t.waitFor((rows) => /saved \S+ tok/.test(rows[HEIGHT - 1] ?? ''), 10_000, 'the savings on the status row');

    // The log reached the model compressed, the ERROR line in view.
    const withOutput = upstream.modelRequests().find((r) => r.format && toolOutputsOf(r.format, r.json).length > 0)!;
    const sent = toolOutputsOf(withOutput.format!, withOutput.json).join('\n');
    expect(sent).toContain(ERROR_LINE);
    expect(sent).toContain('headroom_retrieve key=');
    expect(screen.join('\n')).toContain('FINAL: the ERROR line is in view');

    // Row for row, Claude Code's own screen is what it draws without headroom.
    expect(withStatus).toHaveLength(HEIGHT);
    expect(normalise(withStatus.slice(0, HEIGHT - 1))).toEqual(normalise(directScreen));
    expect(withStatus[HEIGHT - 1]).toMatch(/^headroom · claude · \d+ req · saved \S+ tok \(\d+%\)/);

    // Resized smaller and larger: the status line moves to the new last row, no stale copy stays.
    for (const [w, h] of [[80, 20], [110, 34]] as const) {
      t.resize(w, h);
      const rows = await t.waitFor(
        (r) => r.length === h && /^headroom · claude · \d+ req/.test(r[h - 1] ?? '') && r.some((x) => x.startsWith('❯')),
        10_000,
        `the ${w}x${h} layout`,
      );
      expect(rows.filter((r) => r.startsWith('headroom · claude'))).toHaveLength(1);
    }

    t.type('/exit');
    await t.waitFor((rows) => rows.some((r) => r.includes('/exit')), 10_000, '/exit typed');
    t.sendKeys('Enter');
    const end = await t.waitFor((rows) => rows.some((r) => r.includes('Claude Code exited with code 0')), 20_000, 'the exit summary');
    expect(end.join('\n')).toMatch(/tool outputs \S+ → \S+ tokens · saved \S+ \(\d+%\)/);
    expect(await t.waitForExit()).toBe(0);

    const ledger = fs.readdirSync(join(home, '.headroom', 'ledger'));
    const records = fs.readFileSync(join(home, '.headroom', 'ledger', ledger[0]!), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { agent: string; wrap?: string; tokensBefore: number });
    expect(records.every((r) => r.agent === 'claude' && typeof r.wrap === 'string')).toBe(true);
    expect(records.some((r) => r.tokensBefore > 0)).toBe(true);
  }, 150_000);
});
