import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentBin } from '../helpers/agent-bin.js';
import { toolOutputsOf } from '../helpers/fake-upstream.js';
import { hasTmux } from '../helpers/tmux.js';
import { askForTheLog, ERROR_LINE, HEIGHT, logCommand, savingsShown, tmuxComparison, wrapCommand } from '../helpers/tmux-compare.js';

// The real Claude Code, interactive, in a real terminal (tmux), with and without
// `headroom wrap`: what a person sees above the status row is the same screen Claude Code
// draws on its own in a terminal one row shorter, and the status row shows the savings.

const KEY = 'sk-ant-headroom-test-0123456789abcdef';
const LOG_COMMAND = logCommand(400, 200);

/** Spinner verbs and timings change from run to run. */
const normalise = (rows: string[]): string[] => rows.map((r) => r.replace(/^(✻|✶|✳|✢|·|\*) \S+ for \d+s.*$/, '<spinner>').replace(/\(\d+(\.\d+)?s\)/g, '(Ns)'));
const answered = (rows: string[]) => rows.some((r) => r.includes('FINAL:'));

describe.skipIf(!hasTmux())('Claude Code interactive under headroom wrap (tmux)', () => {
  const suite = tmuxComparison('claude');

  /** A Claude Code home where onboarding, the folder trust dialog and the API-key prompt are done. */
  function claudeHome(): string {
    const home = suite.tempDir('home');
    fs.mkdirSync(join(home, '.claude'), { recursive: true });
    fs.writeFileSync(
      join(home, '.claude', '.claude.json'),
      JSON.stringify({
        hasCompletedOnboarding: true,
        theme: 'dark',
        customApiKeyResponses: { approved: [KEY.slice(-20)], rejected: [] },
        projects: { [suite.cwd]: { hasTrustDialogAccepted: true, allowedTools: [] } },
      }),
    );
    return home;
  }

  async function session(wrapped: boolean) {
    const home = claudeHome();
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
      ...(wrapped ? { HEADROOM_ANTHROPIC_UPSTREAM: suite.upstream.url } : { ANTHROPIC_BASE_URL: suite.upstream.url }),
    };
    const command = wrapped ? wrapCommand('claude', '-- --allowedTools Bash') : `${claude} --allowedTools Bash`;
    const tmux = await suite.open(command, wrapped, env, (rows) => rows.some((r) => r.startsWith('❯')), 'the Claude Code prompt');
    return { tmux, home };
  }

  it('looks as without headroom above the status row, which shows the savings; /exit prints the summary', async () => {
    await suite.startUpstream(LOG_COMMAND);
    const directScreen = await askForTheLog((await session(false)).tmux, answered);

    const upstream = await suite.startUpstream(LOG_COMMAND);
    const { tmux: t, home } = await session(true);
    const screen = await askForTheLog(t, answered);
    const withStatus = await savingsShown(t);

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
