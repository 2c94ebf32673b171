import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentBin } from '../helpers/agent-bin.js';
import { hasTmux } from '../helpers/tmux.js';
import { afterResizes, askForTheLog, expectSameAfterResizes, HEIGHT, logCommand, savingsShown, tmuxComparison, wrapCommand } from '../helpers/tmux-compare.js';

// The real Gemini CLI, interactive (a full-screen Ink app), in tmux with and without
// `headroom wrap`: the same screen above the status row, and after resizes the same screen and
// scrollback (the answer was lost from both when headroom guessed the layout after a resize).

// Short enough that Gemini CLI's own shell view keeps all of it: what it keeps of a longer
// output varies from run to run, with or without headroom.
const LOG_COMMAND = logCommand(40, 20);

/** Timings and the random tips and phrases Gemini CLI shows change from run to run. */
const normalise = (rows: string[]): string[] => rows.map((r) => r.replace(/\d+(\.\d+)?m?s\b/g, 'Ns'));
const answered = (rows: string[]) => rows.some((r) => r.includes('FINAL:')) && !rows.some((r) => r.includes('esc to cancel'));
const prompt = (rows: string[]) => rows.some((r) => r.includes('Type your message'));

const TIMEOUT = 240_000;

describe.skipIf(!hasTmux())('Gemini CLI interactive under headroom wrap (tmux)', () => {
  const suite = tmuxComparison('gemini');

  function session(wrapped: boolean) {
    const home = suite.tempDir('home');
    fs.mkdirSync(join(home, '.gemini'));
    const settings = {
      security: { auth: { selectedType: 'gemini-api-key' } },
      privacy: { usageStatisticsEnabled: false },
      general: { maxAttempts: 1 },
      ui: { hideTips: true, hideBanner: true, accessibility: { disableLoadingPhrases: true } },
    };
    fs.writeFileSync(join(home, '.gemini', 'settings.json'), JSON.stringify(settings));
    const gemini = agentBin('gemini');
    const env = {
      PATH: `${join(gemini, '..')}:${process.env.PATH}`,
      HOME: home,
      GEMINI_API_KEY: 'dummy',
      GEMINI_CLI_TRUST_WORKSPACE: 'true',
      HEADROOM_HOME: join(home, '.headroom'),
      HEADROOM_GEMINI_UPSTREAM: suite.upstream.url,
      ...(wrapped ? {} : { GOOGLE_GEMINI_BASE_URL: suite.upstream.url }),
      TMPDIR: home,
      TERM: 'xterm-256color',
      LANG: 'C.UTF-8',
    };
    const command = wrapped ? wrapCommand('gemini', '-- --approval-mode yolo') : `${gemini} --approval-mode yolo`;
    return suite.open(command, wrapped, env, prompt, 'the Gemini CLI prompt');
  }

  // Both runs again, once, when they differ: on a loaded machine Gemini CLI shows its "Press
  // Ctrl+O to show more lines" hint in some runs and not in others, with or without headroom.
  // A difference both times fails.
  it('looks as without headroom above the status row, which shows the savings, also after resizes', { retry: 1, timeout: TIMEOUT }, async () => {
    await suite.startUpstream(LOG_COMMAND);
    const direct = await session(false);
    const directScreen = await askForTheLog(direct, answered);
    const directResized = await afterResizes(direct, false, prompt);

    await suite.startUpstream(LOG_COMMAND);
    const t = await session(true);
    await askForTheLog(t, answered);
    const screen = await savingsShown(t);
    expect(screen.join('\n')).toContain('FINAL: the ERROR line is in view');
    expect(screen).toHaveLength(HEIGHT);
    expect(normalise(screen.slice(0, HEIGHT - 1))).toEqual(normalise(directScreen));
    expect(screen[HEIGHT - 1]).toMatch(/^headroom · gemini · \d+ req · saved \S+ tok \(\d+%\)/);

    expectSameAfterResizes(directResized, await afterResizes(t, true, prompt), { agent: 'gemini', answer: 'FINAL: the ERROR line is in view', normalise, scrollback: 'same' });
  });
});
