import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { agentBin } from '../helpers/agent-bin.js';
import { toolOutputsOf } from '../helpers/fake-upstream.js';
import { KILO_OFFLINE_ENV, kiloDirectConfig } from '../helpers/kilo-cli.js';
import { hasTmux, type TmuxSession } from '../helpers/tmux.js';
import { afterResizes, askForTheLog, ERROR_LINE, expectSameAfterResizes, HEIGHT, logCommand, savingsShown, tmuxComparison, wrapCommand } from '../helpers/tmux-compare.js';

// The real Kilo Code, interactive (opencode's full-screen TUI), in tmux with and without
// `headroom wrap`: the same screen above the status row, also after resizes, and Ctrl-C pressed
// twice on an empty prompt (once does not end it) ends it with the same exit code.

// About 6 KB, enough for the proxy to compress (Kilo shows its first 10 lines either way).
const LOG_COMMAND = logCommand(100, 50);
/** Its model calls (a title, the command, the answer) take a minute or more on a busy machine. */
const ANSWER_MS = 150_000;

/**
 * What changes from run to run, with or without headroom: timings, the example in the empty
 * prompt, and the context/cost counter (the model's usage, which is smaller through headroom).
 */
const normalise = (rows: string[]): string[] =>
  rows.map((r) =>
    r
      .replace(/Ask anything\.\.\. "[^"]*"/, 'Ask anything... "…"')
      .replace(/\S+ \(\d+%\) · \$\d+\.\d+/, 'N (N%) · $N')
      .replace(/\d+(\.\d+)?m?s\b/g, 'Ns'),
  );
const prompt = (rows: string[]) => rows.some((r) => r.includes('ctrl+p commands')) && !rows.some((r) => r.includes('esc interrupt'));
const answered = (rows: string[]) => prompt(rows) && rows.some((r) => r.includes('FINAL:'));

describe.skipIf(!hasTmux())('Kilo Code interactive under headroom wrap (tmux)', () => {
  const suite = tmuxComparison('kilo');

  function session(wrapped: boolean) {
    const home = suite.tempDir('home');
    const kilo = agentBin('kilo');
    const env = {
      PATH: `${join(kilo, '..')}:${process.env.PATH}`,
      HOME: home,
      TMPDIR: home,
      ...KILO_OFFLINE_ENV,
      // Its shell tool runs without asking (in the TUI it asks by default).
      KILO_PERMISSION: JSON.stringify({ bash: 'allow' }),
      // Nothing leaves the machine: refused at once.
      HTTPS_PROXY: 'http://127.0.0.1:9',
      HTTP_PROXY: 'http://127.0.0.1:9',
      NO_PROXY: '127.0.0.1,localhost',
      HEADROOM_HOME: join(home, '.headroom'),
      HEADROOM_ANTHROPIC_UPSTREAM: suite.upstream.url,
      ...(wrapped ? {} : { KILO_CONFIG_CONTENT: kiloDirectConfig(suite.upstream.url) }),
      TERM: 'xterm-256color',
      LANG: 'C.UTF-8',
    };
    const args = '-m anthropic/claude-sonnet-4-5';
    const command = wrapped ? wrapCommand('kilo', `-- ${args}`) : `${kilo} ${args}`;
    // Its 170 MB binary and first start take 20-90 s on a busy 2-core machine.
    return suite.open(command, wrapped, env, prompt, 'the Kilo Code prompt', 150_000);
  }

  /** Ctrl-C twice on the empty prompt: one alone leaves Kilo running. */
  async function quit(t: TmuxSession): Promise<void> {
    t.sendKeys('C-c');
    await sleep(300);
    t.sendKeys('C-c');
  }

  // Both runs again, once, when they differ: under load the agent draws by timing, with or without headroom.
  it('looks as without headroom above the status row, which shows the savings, also after resizes; Ctrl-C ends it alike', { retry: 1, timeout: 720_000 }, async () => {
    await suite.startUpstream(LOG_COMMAND);
    const direct = await session(false);
    const directScreen = await askForTheLog(direct, answered, ANSWER_MS);
    const directResized = await afterResizes(direct, false, prompt);
    await quit(direct);
    const directExit = await direct.waitForExit(20_000);

    const upstream = await suite.startUpstream(LOG_COMMAND);
    const t = await session(true);
    await askForTheLog(t, answered, ANSWER_MS);
    const screen = await savingsShown(t);

    const withOutput = upstream.modelRequests().find((r) => r.format && toolOutputsOf(r.format, r.json).length > 0)!;
    const sent = toolOutputsOf(withOutput.format!, withOutput.json).join('\n');
    expect(sent).toContain(ERROR_LINE);
    expect(sent).toContain('headroom_retrieve key=');

    expect(screen).toHaveLength(HEIGHT);
    expect(normalise(screen.slice(0, HEIGHT - 1))).toEqual(normalise(directScreen));
    expect(screen[HEIGHT - 1]).toMatch(/^headroom · kilo · \d+ req · saved \S+ tok \(\d+%\)/);

    expectSameAfterResizes(directResized, await afterResizes(t, true, prompt), { agent: 'kilo', answer: 'FINAL: the ERROR line is in view', normalise, scrollback: 'answer' });

    await quit(t);
    await t.waitFor((rows) => rows.some((r) => r.includes(`Kilo Code exited with code ${directExit}`)), 20_000, 'the exit summary after Ctrl-C');
    expect(await t.waitForExit()).toBe(directExit);
  });
});
