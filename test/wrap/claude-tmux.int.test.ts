import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentBin } from '../helpers/agent-bin.js';
import { toolOutputsOf } from '../helpers/fake-upstream.js';
import { hasTmux } from '../helpers/tmux.js';
import { afterResizes, askForTheLog, ERROR_LINE, expectSameAfterResizes, HEIGHT, logCommand, savingsShown, tmuxComparison, wrapCommand } from '../helpers/tmux-compare.js';

// The real Claude Code, interactive, in a real terminal (tmux), with and without
// `headroom wrap`: what a person sees above the status row is the same screen Claude Code
// draws on its own in a terminal one row shorter, and the status row shows the savings.

const KEY = 'sk-ant-headroom-test-0123456789abcdef';
const LOG_COMMAND = logCommand(400, 200);

/** Spinner verbs and timings change from run to run; the effort hint comes and goes. */
const normalise = (rows: string[]): string[] =>
  rows.map((r) => r.replace(/^(✻|✶|✳|✢|✽|·|\*) \S+ for \d+s.*$/, '<spinner>').replace(/^(✻|✶|✳|✢|✽|·|\*) \S+… \(\d+s\b.*\)$/, '<spinner>').replace(/\(\d+(\.\d+)?s\)/g, '(Ns)').replace(/\s+● \S+ · \/effort$/, ''));
// The answer is in and Claude Code is idle again (its footer no longer offers to interrupt).
const answered = (rows: string[]) => rows.some((r) => r.includes('FINAL:')) && !rows.some((r) => r.includes('esc to interrupt'));
const prompt = (rows: string[]) => rows.some((r) => r.startsWith('❯'));
/** At the prompt, with the effort notice gone (Claude Code shows it for 10 s): the footer rewraps differently with it. */
const idle = (rows: string[]) => prompt(rows) && !rows.some((r) => r.endsWith('/effort'));

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
    const tmux = await suite.open(command, wrapped, env, prompt, 'the Claude Code prompt');
    return { tmux, home };
  }

  // Both runs again, once, when they differ: under load the agent draws by timing, with or without headroom.
  it('looks as without headroom above the status row, which shows the savings, also after resizes; /exit prints the summary', { retry: 1, timeout: 210_000 }, async () => {
    await suite.startUpstream(LOG_COMMAND);
    const direct = (await session(false)).tmux;
    const directScreen = await askForTheLog(direct, answered);
    const directResized = await afterResizes(direct, false, idle);

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

    // Resized smaller and larger: the same screen, the answer where it is without headroom, the status line
    // on the new last row only. Not the whole scrollback: Claude Code's own redraw leaves a varying number of
    // rewrapped lines in it from the same screen (45 and 48 in two direct runs), with or without headroom.
    expectSameAfterResizes(directResized, await afterResizes(t, true, idle), { agent: 'claude', answer: 'FINAL: the ERROR line is in view', normalise, scrollback: 'answer' });

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
  });
});
