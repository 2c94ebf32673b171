import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentBin } from '../helpers/agent-bin.js';
import { toolOutputsOf } from '../helpers/fake-upstream.js';
import { QWEN_OFFLINE_ENV, qwenDirectEnv } from '../helpers/qwen-cli.js';
import { hasTmux, type TmuxSession } from '../helpers/tmux.js';
import { afterResizes, askForTheLog, ERROR_LINE, expectSameAfterResizes, HEIGHT, logCommand, savingsShown, tmuxComparison, wrapCommand } from '../helpers/tmux-compare.js';

// The real Qwen Code, interactive (a full-screen Ink app, a Gemini CLI fork), in tmux with and
// without `headroom wrap`: the same screen above the status row, also after resizes, and Ctrl-C
// (twice, as it asks) on an empty prompt ends it with the same exit code.

// About 6 KB, enough for the proxy to compress.
const LOG_COMMAND = logCommand(100, 50);
const ANSWER_MS = 120_000;

/** Timings change from run to run, and the context counter (the usage the model reports, which headroom changes). */
const normalise = (rows: string[]): string[] => rows.map((r) => r.replace(/\d+(\.\d+)?m?s\b/g, 'Ns').replace(/Context \d+(\.\d+)?% used/, 'Context N% used'));
const prompt = (rows: string[]) => rows.some((r) => r.includes('Type your message'));
const answered = (rows: string[]) => prompt(rows) && rows.some((r) => r.includes('FINAL:')) && !rows.some((r) => r.includes('esc to cancel'));

const TIMEOUT = 600_000;

describe.skipIf(!hasTmux())('Qwen Code interactive under headroom wrap (tmux)', () => {
  const suite = tmuxComparison('qwen');

  function session(wrapped: boolean) {
    const home = suite.tempDir('home');
    fs.mkdirSync(join(home, '.qwen'));
    // No update check (its result depends on a timeout), tips or loading phrases (random), and no
    // scrollbar: it appears on the transcript's right edge in some runs and not in others, with or without headroom.
    const settings = {
      general: { enableAutoUpdate: false, disableUpdateNag: true },
      ui: { hideTips: true, showScrollbar: false, accessibility: { disableLoadingPhrases: true } },
    };
    fs.writeFileSync(join(home, '.qwen', 'settings.json'), JSON.stringify(settings));
    const qwen = agentBin('qwen');
    const env = {
      PATH: `${join(qwen, '..')}:${process.env.PATH}`,
      HOME: home,
      TMPDIR: home,
      ...QWEN_OFFLINE_ENV,
      // Nothing leaves the machine: refused at once.
      HTTPS_PROXY: 'http://127.0.0.1:9',
      HTTP_PROXY: 'http://127.0.0.1:9',
      NO_PROXY: '127.0.0.1,localhost',
      HEADROOM_HOME: join(home, '.headroom'),
      HEADROOM_OPENAI_UPSTREAM: suite.upstream.url,
      ...(wrapped ? {} : qwenDirectEnv(suite.upstream.url)),
      TERM: 'xterm-256color',
      LANG: 'C.UTF-8',
    };
    const args = '--auth-type openai --yolo';
    const command = wrapped ? wrapCommand('qwen', `-- ${args}`) : `${qwen} ${args}`;
    return suite.open(command, wrapped, env, prompt, 'the Qwen Code prompt', 90_000);
  }

  /** Ctrl-C on the empty prompt, then again once it asks for the second. */
  async function quit(t: TmuxSession): Promise<void> {
    t.sendKeys('C-c');
    await t.waitFor((rows) => rows.some((r) => /ctrl\+c again/i.test(r)), 10_000, 'the second Ctrl-C hint');
    t.sendKeys('C-c');
  }

  // Both runs again, once, when they differ: on a loaded machine Qwen Code hides a different
  // number of a tool output's lines ("... first 60 lines hidden ...") from run to run, with or
  // without headroom. A difference both times fails.
  it('looks as without headroom above the status row, which shows the savings, also after resizes; Ctrl-C ends it alike', { retry: 1, timeout: TIMEOUT }, async () => {
    await suite.startUpstream(LOG_COMMAND);
    const direct = await session(false);
    await askForTheLog(direct, answered, ANSWER_MS);
    const directScreen = await direct.waitForSettled(answered, 20_000, 'the answer, settled');
    const directResized = await afterResizes(direct, false, prompt);
    await quit(direct);
    const directExit = await direct.waitForExit(20_000);

    const upstream = await suite.startUpstream(LOG_COMMAND);
    const t = await session(true);
    await askForTheLog(t, answered, ANSWER_MS);
    await savingsShown(t);
    const screen = await t.waitForSettled((rows) => answered(rows) && /saved \S+ tok/.test(rows[HEIGHT - 1] ?? ''), 20_000, 'the answer and the savings, settled');

    const withOutput = upstream.modelRequests().find((r) => r.format && toolOutputsOf(r.format, r.json).length > 0)!;
    const sent = toolOutputsOf(withOutput.format!, withOutput.json).join('\n');
    expect(sent).toContain(ERROR_LINE);
    expect(sent).toContain('headroom_retrieve key=');

    expect(screen).toHaveLength(HEIGHT);
    expect(normalise(screen.slice(0, HEIGHT - 1))).toEqual(normalise(directScreen));
    expect(screen[HEIGHT - 1]).toMatch(/^headroom · qwen · \d+ req · saved \S+ tok \(\d+%\)/);

    expectSameAfterResizes(directResized, await afterResizes(t, true, prompt), { agent: 'qwen', answer: 'FINAL: the ERROR line is in view', normalise, scrollback: 'answer' });

    await quit(t);
    await t.waitFor((rows) => rows.some((r) => r.includes(`Qwen Code exited with code ${directExit}`)), 20_000, 'the exit summary after Ctrl-C');
    expect(await t.waitForExit()).toBe(directExit);
  });
});
