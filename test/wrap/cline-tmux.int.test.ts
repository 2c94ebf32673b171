import * as fs from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentBin } from '../helpers/agent-bin.js';
import { CLINE_OFFLINE_ENV, clineDirectEnv, writeClineUser } from '../helpers/cline-cli.js';
import { toolOutputsOf } from '../helpers/fake-upstream.js';
import { hasTmux } from '../helpers/tmux.js';
import { afterResizes, askForTheLog, ERROR_LINE, expectSameAfterResizes, HEIGHT, logCommand, savingsShown, tmuxComparison, wrapCommand } from '../helpers/tmux-compare.js';

// The real Cline, interactive (its terminal UI), in tmux with and without `headroom wrap`: the
// same screen above the status row, also after resizes, and Ctrl-C on an empty prompt ends it
// with the same exit code. Both runs are in Cline's sandbox mode, as headroom runs it, and no
// process of either outlives it (without sandbox mode its UI starts a background hub daemon).

// About 6 KB, enough for the proxy to compress.
const LOG_COMMAND = logCommand(100, 50);
const ANSWER_MS = 120_000;

/** The token counter (the usage the model reports, which headroom makes smaller) and timings. */
const normalise = (rows: string[]): string[] => rows.map((r) => r.replace(/fake-model \([\d,]+\)/, 'fake-model (N)').replace(/\d+(\.\d+)?m?s\b/g, 'Ns'));
const prompt = (rows: string[]) => rows.some((r) => r.includes('Auto-approve all enabled')) && rows.some((r) => r.includes('fake-model ('));
const answered = (rows: string[]) => prompt(rows) && rows.some((r) => r.includes('FINAL:')) && rows.some((r) => r.includes('Ask anything'));

/** Processes whose command line names `dir` (Cline's hub daemon names its working directory). */
function naming(dir: string): string[] {
  const out: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes('--cline-hub-daemon') && cmd.includes(dir)) out.push(`${pid} ${cmd}`);
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

describe.skipIf(!hasTmux())('Cline interactive under headroom wrap (tmux)', () => {
  const suite = tmuxComparison('cline');

  function session(wrapped: boolean) {
    const home = suite.tempDir('home');
    writeClineUser(home, 'openai-compatible');
    const cline = agentBin('cline');
    const env = {
      PATH: `${join(cline, '..')}:${process.env.PATH}`,
      HOME: home,
      TMPDIR: home,
      ...CLINE_OFFLINE_ENV,
      // Its ClinePass advertisement, shown at start until dismissed.
      CLINE_DISABLE_CLINE_PASS_NOTICE: '1',
      // Its model catalog (models.dev, api.cline.bot): refused at once.
      HTTPS_PROXY: 'http://127.0.0.1:9',
      HTTP_PROXY: 'http://127.0.0.1:9',
      NO_PROXY: '127.0.0.1,localhost',
      HEADROOM_HOME: join(home, '.headroom'),
      HEADROOM_OPENAI_UPSTREAM: suite.upstream.url,
      ...(wrapped ? {} : clineDirectEnv(home, join(home, 'cline-data'), 'openai-compatible', suite.upstream.url)),
      TERM: 'xterm-256color',
      LANG: 'C.UTF-8',
    };
    const command = wrapped ? wrapCommand('cline', '') : cline;
    // Its 150 MB binary takes 10-40 s to show its UI on a busy 2-core machine.
    return suite.open(command, wrapped, env, prompt, 'the Cline prompt', 90_000);
  }

  // Both runs again, once, when they differ: under load the agent draws by timing, with or without headroom.
  it('looks as without headroom above the status row, which shows the savings, also after resizes; Ctrl-C ends it alike, and no hub daemon is left', { retry: 1, timeout: 600_000 }, async () => {
    await suite.startUpstream(LOG_COMMAND);
    const direct = await session(false);
    await askForTheLog(direct, answered, ANSWER_MS);
    const directScreen = await direct.waitForSettled(answered, 20_000, 'the answer, settled');
    const directResized = await afterResizes(direct, false, answered);
    direct.sendKeys('C-c');
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
    expect(screen[HEIGHT - 1]).toMatch(/^headroom · cline · \d+ req · saved \S+ tok \(\d+%\)/);

    expectSameAfterResizes(directResized, await afterResizes(t, true, answered), { agent: 'cline', answer: 'FINAL: the ERROR line is in view', normalise, scrollback: 'answer' });

    t.sendKeys('C-c');
    await t.waitFor((rows) => rows.some((r) => r.includes(`Cline exited with code ${directExit}`)), 20_000, 'the exit summary after Ctrl-C');
    expect(await t.waitForExit()).toBe(directExit);
    expect(naming(suite.cwd)).toEqual([]);
  });
});
