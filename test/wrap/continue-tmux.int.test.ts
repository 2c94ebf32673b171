import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentBin } from '../helpers/agent-bin.js';
import { ROOT } from '../helpers/build-dist.js';
import { continueOfflineEnv, writeContinueConfig } from '../helpers/continue-cli.js';
import { toolOutputsOf } from '../helpers/fake-upstream.js';
import { hasTmux, type TmuxSession } from '../helpers/tmux.js';
import { afterResizes, ERROR_LINE, expectSameAfterResizes, HEIGHT, logCommand, savingsShown, tmuxComparison, wrapCommand } from '../helpers/tmux-compare.js';

// The real Continue CLI, interactive (a full-screen Ink app), in tmux with and without `headroom
// wrap`: the same screen above the status row, also after resizes, and Ctrl-C (twice, as it asks)
// on an empty prompt ends it with the same exit code. Its model is in the sandbox home's
// ~/.continue/config.yaml; --allow Bash runs its shell without asking (its --auto mode would too,
// but shows no hint after the first Ctrl-C).

// About 6 KB, enough for the proxy to compress.
const LOG_COMMAND = logCommand(100, 50);
const ANSWER_MS = 90_000;

/** Timings change from run to run, and the context counter (the usage the model reports, which headroom changes). */
const normalise = (rows: string[]): string[] => rows.map((r) => r.replace(/\d+(\.\d+)?m?s\b/g, 'Ns').replace(/Context: \d+%/, 'Context: N%'));

/**
 * Types the question and presses Enter 400 ms later. cn takes an Enter that reaches it in one
 * read with the text before it for part of a paste: a new line, the question not sent (so it does
 * without headroom, for text and \r sent in one write). Under wrap, an Enter sent 50-150 ms after
 * the text started a new line in some runs, presumably the two read together by headroom's relay
 * after a busy moment of its event loop (not seen under strace, which slows every step).
 */
async function askForTheLog(t: TmuxSession): Promise<void> {
  t.type('Find out why the payment failed. Check the log.');
  await t.waitFor((rows) => rows.some((r) => r.includes('Check the log.')), 10_000, 'the typed prompt');
  await new Promise((r) => setTimeout(r, 400));
  t.sendKeys('Enter');
  await t.waitFor(answered, ANSWER_MS, 'the answer');
}

const prompt = (rows: string[]) => rows.some((r) => r.includes('Ask anything'));
const answered = (rows: string[]) => prompt(rows) && rows.some((r) => r.includes('FINAL:')) && !rows.some((r) => r.includes('esc to interrupt'));

describe.skipIf(!hasTmux())('Continue CLI interactive under headroom wrap (tmux)', () => {
  const suite = tmuxComparison('continue');

  function session(wrapped: boolean) {
    const home = suite.tempDir('home');
    writeContinueConfig(home, suite.upstream.url, 'openai');
    const cn = agentBin('cn');
    const offline = continueOfflineEnv(join(home, 'outbound.log'));
    const env = {
      PATH: `${join(cn, '..')}:${process.env.PATH}`,
      HOME: home,
      TMPDIR: home,
      ...offline,
      // cn shows a tip under its banner at random; no tip in either run (see no-start-tip.cjs).
      NODE_OPTIONS: `${offline.NODE_OPTIONS} --require ${JSON.stringify(join(ROOT, 'test/helpers/no-start-tip.cjs'))}`,
      // Nothing leaves the machine: refused at once.
      HTTPS_PROXY: 'http://127.0.0.1:9',
      HTTP_PROXY: 'http://127.0.0.1:9',
      NO_PROXY: '127.0.0.1,localhost',
      HEADROOM_HOME: join(home, '.headroom'),
      TERM: 'xterm-256color',
      LANG: 'C.UTF-8',
    };
    const command = wrapped ? wrapCommand('continue', '-- --allow Bash') : `${cn} --allow Bash`;
    return suite.open(command, wrapped, env, prompt, 'the Continue CLI prompt', 60_000);
  }

  /** Ctrl-C on the empty prompt, then again once it asks for the second. */
  async function quit(t: TmuxSession): Promise<void> {
    t.sendKeys('C-c');
    await t.waitFor((rows) => rows.some((r) => r.includes('ctrl+c to exit')), 10_000, 'the second Ctrl-C hint');
    t.sendKeys('C-c');
  }

  // Both runs again, once, when they differ: under load the agent draws by timing, with or without headroom.
  it('looks as without headroom above the status row, which shows the savings, also after resizes; Ctrl-C ends it alike', { retry: 1, timeout: 400_000 }, async () => {
    await suite.startUpstream(LOG_COMMAND);
    const direct = await session(false);
    await askForTheLog(direct);
    const directScreen = await direct.waitForSettled(answered, 20_000, 'the answer, settled');
    const directResized = await afterResizes(direct, false, prompt);
    await quit(direct);
    const directExit = await direct.waitForExit(20_000);

    const upstream = await suite.startUpstream(LOG_COMMAND);
    const t = await session(true);
    await askForTheLog(t);
    await savingsShown(t);
    const screen = await t.waitForSettled((rows) => answered(rows) && /saved \S+ tok/.test(rows[HEIGHT - 1] ?? ''), 20_000, 'the answer and the savings, settled');

    const withOutput = upstream.modelRequests().find((r) => r.format && toolOutputsOf(r.format, r.json).length > 0)!;
    const sent = toolOutputsOf(withOutput.format!, withOutput.json).join('\n');
    expect(sent).toContain(ERROR_LINE);
    expect(sent).toContain('headroom_retrieve key=');

    expect(screen).toHaveLength(HEIGHT);
    expect(normalise(screen.slice(0, HEIGHT - 1))).toEqual(normalise(directScreen));
    expect(screen[HEIGHT - 1]).toMatch(/^headroom · continue · \d+ req · saved \S+ tok \(\d+%\)/);

    expectSameAfterResizes(directResized, await afterResizes(t, true, prompt), { agent: 'continue', answer: 'FINAL: the ERROR line is in view', normalise, scrollback: 'answer' });

    await quit(t);
    await t.waitFor((rows) => rows.some((r) => r.includes(`Continue CLI exited with code ${directExit}`)), 20_000, 'the exit summary after Ctrl-C');
    expect(await t.waitForExit()).toBe(directExit);
  });
});
