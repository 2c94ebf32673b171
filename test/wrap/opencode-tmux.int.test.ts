import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentBin } from '../helpers/agent-bin.js';
import { startOutboundCatcher } from '../helpers/agent-cli.js';
import { toolOutputsOf } from '../helpers/fake-upstream.js';
import { OPENCODE_OFFLINE_ENV, opencodeDirectConfig } from '../helpers/opencode-cli.js';
import { hasTmux } from '../helpers/tmux.js';
import { afterResizes, askForTheLog, ERROR_LINE, expectSameAfterResizes, HEIGHT, logCommand, savingsShown, tmuxComparison, wrapCommand } from '../helpers/tmux-compare.js';

// The real opencode, interactive (a full-screen TUI on the alternate screen), in tmux with and
// without `headroom wrap`: the same screen above the status row, also after resizes, and Ctrl-C
// on an empty prompt ends it with the same exit code.

// About 6 KB, enough for the proxy to compress (opencode shows its first 10 lines either way).
const LOG_COMMAND = logCommand(100, 50);
/** Three model calls (a title, the command, the answer) take opencode a minute or more on a busy machine. */
const ANSWER_MS = 150_000;

/**
 * What changes from run to run, with or without headroom: timings, the example in the empty
 * prompt, and the context/cost counter (the model's usage, which is smaller through headroom).
 */
const normalise = (rows: string[]): string[] =>
  rows.map((r) =>
    r
      .replace(/Ask anything… "[^"]*"/, 'Ask anything… "…"')
      .replace(/\S+ \(\d+%\) · \$\d+\.\d+/, 'N (N%) · $N')
      .replace(/\d+(\.\d+)?m?s\b/g, 'Ns'),
  );
const prompt = (rows: string[]) => rows.some((r) => r.includes('ctrl+p commands')) && !rows.some((r) => r.includes('esc interrupt'));
const answered = (rows: string[]) => prompt(rows) && rows.some((r) => r.includes('FINAL:'));

describe.skipIf(!hasTmux())('opencode interactive under headroom wrap (tmux)', () => {
  const suite = tmuxComparison('opencode');
  let catcher: Awaited<ReturnType<typeof startOutboundCatcher>>;
  beforeAll(async () => {
    catcher = await startOutboundCatcher();
  });
  afterAll(() => catcher.close());

  function session(wrapped: boolean) {
    const home = suite.tempDir('home');
    const opencode = agentBin('opencode');
    const env = {
      PATH: `${join(opencode, '..')}:${process.env.PATH}`,
      HOME: home,
      TMPDIR: home,
      ...OPENCODE_OFFLINE_ENV,
      // opencode installs its plugin package from npm at every start: refused at once here, as
      // offline. (A proxy that refuses the connection instead makes npm retry for over a minute,
      // which holds up the start when a plugin is configured, as under wrap.)
      HTTPS_PROXY: catcher.url,
      HTTP_PROXY: catcher.url,
      NO_PROXY: '127.0.0.1,localhost',
      HEADROOM_HOME: join(home, '.headroom'),
      HEADROOM_ANTHROPIC_UPSTREAM: suite.upstream.url,
      ...(wrapped ? {} : { OPENCODE_CONFIG_CONTENT: opencodeDirectConfig(suite.upstream.url) }),
      TERM: 'xterm-256color',
      LANG: 'C.UTF-8',
    };
    const args = '-m anthropic/claude-sonnet-4-5';
    const command = wrapped ? wrapCommand('opencode', `-- ${args}`) : `${opencode} ${args}`;
    // Its 180 MB binary and first start take 20-60 s on a busy 2-core machine.
    return suite.open(command, wrapped, env, prompt, 'the opencode prompt', 120_000);
  }

  // Both runs again, once, when they differ: under load the agent draws by timing, with or without headroom.
  it('looks as without headroom above the status row, which shows the savings, also after resizes; Ctrl-C ends it alike', { retry: 1, timeout: 720_000 }, async () => {
    await suite.startUpstream(LOG_COMMAND);
    const direct = await session(false);
    const directScreen = await askForTheLog(direct, answered, ANSWER_MS);
    const directResized = await afterResizes(direct, false, prompt);
    direct.sendKeys('C-c');
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
    expect(screen[HEIGHT - 1]).toMatch(/^headroom · opencode · \d+ req · saved \S+ tok \(\d+%\)/);

    expectSameAfterResizes(directResized, await afterResizes(t, true, prompt), { agent: 'opencode', answer: 'FINAL: the ERROR line is in view', normalise, scrollback: 'answer' });

    t.sendKeys('C-c');
    await t.waitFor((rows) => rows.some((r) => r.includes(`opencode exited with code ${directExit}`)), 20_000, 'the exit summary after Ctrl-C');
    expect(await t.waitForExit()).toBe(directExit);
  });
});
