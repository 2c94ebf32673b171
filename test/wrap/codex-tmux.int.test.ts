import { join } from 'node:path';
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { agentBin } from '../helpers/agent-bin.js';
import { toolOutputsOf } from '../helpers/fake-upstream.js';
import { hasTmux } from '../helpers/tmux.js';
import { afterResizes, askForTheLog, ERROR_LINE, expectSameAfterResizes, HEIGHT, logCommand, savingsShown, tmuxComparison, wrapCommand } from '../helpers/tmux-compare.js';

// The real Codex CLI, interactive (its inline TUI writes history above its viewport with
// scroll regions), in tmux with and without `headroom wrap`: the same screen above the status row,
// and after resizes the same screen and scrollback.

// About 6 KB: under Codex's own ~10 KB cut, so the proxy sees the whole output.
const LOG_COMMAND = logCommand(100, 50);

const normalise = (rows: string[]): string[] => rows.map((r) => r.replace(/Worked for [^•]+• \d\d:\d\d/, 'Worked for N • HH:MM').replace(/\d+(\.\d+)?m?s\b/g, 'Ns'));
const answered = (rows: string[]) => rows.some((r) => r.includes('FINAL:')) && rows.some((r) => r.includes('Worked for'));
const prompt = (rows: string[]) => rows.some((r) => r.startsWith('›'));

describe.skipIf(!hasTmux())('Codex CLI interactive under headroom wrap (tmux)', () => {
  const suite = tmuxComparison('codex');

  function session(wrapped: boolean) {
    const home = suite.tempDir('home');
    fs.mkdirSync(join(home, '.codex'));
    const codex = agentBin('codex');
    const config = [
      'check_for_update_on_startup=false',
      'analytics.enabled=false',
      'features.plugins=false',
      `projects."${suite.cwd}".trust_level="trusted"`,
      'model="gpt-5"',
      'tool_output_token_limit=100000',
    ];
    // headroom supplies the provider overrides itself; the direct run points the same provider at the fake.
    const direct = wrapped
      ? []
      : ['model_provider="headroom"', `model_providers.headroom={name="headroom", base_url="${suite.upstream.url}/v1", wire_api="responses", env_key="OPENAI_API_KEY", supports_websockets=true}`];
    // wrap asks for embedded mode (--no-daemon), as -c needs; the direct run does too, so both start with the same warnings.
    const args = [...direct, ...config].map((c) => `-c '${c}'`).join(' ') + ` -s danger-full-access -a never${wrapped ? '' : ' --no-daemon'}`;
    const env = {
      PATH: `${join(codex, '..')}:${process.env.PATH}`,
      HOME: home,
      CODEX_HOME: join(home, '.codex'),
      OPENAI_API_KEY: 'dummy',
      HEADROOM_HOME: join(home, '.headroom'),
      HEADROOM_OPENAI_UPSTREAM: suite.upstream.url,
      TERM: 'xterm-256color',
      LANG: 'C.UTF-8',
    };
    const command = wrapped ? wrapCommand('codex', `-- ${args}`) : `${codex} ${args}`;
    return suite.open(command, wrapped, env, prompt, 'the Codex prompt');
  }

  // Both runs again, once, when they differ: under load the agent draws by timing, with or without headroom.
  it('looks as without headroom above the status row, which shows the savings, also after resizes', { retry: 1, timeout: 210_000 }, async () => {
    await suite.startUpstream(LOG_COMMAND);
    const direct = await session(false);
    const directScreen = await askForTheLog(direct, answered);
    const directResized = await afterResizes(direct, false, prompt);

    const upstream = await suite.startUpstream(LOG_COMMAND);
    const t = await session(true);
    await askForTheLog(t, answered);
    const screen = await savingsShown(t);

    const withOutput = upstream.modelRequests().find((r) => r.format && toolOutputsOf(r.format, r.json).length > 0)!;
    const sent = toolOutputsOf(withOutput.format!, withOutput.json).join('\n');
    expect(sent).toContain(ERROR_LINE);
    expect(sent).toContain('headroom_retrieve key=');

    expect(screen).toHaveLength(HEIGHT);
    expect(normalise(screen.slice(0, HEIGHT - 1))).toEqual(normalise(directScreen));
    expect(screen[HEIGHT - 1]).toMatch(/^headroom · codex · \d+ req · saved \S+ tok \(\d+%\)/);

    expectSameAfterResizes(directResized, await afterResizes(t, true, prompt), { agent: 'codex', answer: 'FINAL: the ERROR line is in view', normalise, scrollback: 'same' });

    t.sendKeys('C-c');
    await t.waitFor((rows) => rows.some((r) => r.includes('Codex CLI exited with code 0')), 20_000, 'the exit summary after Ctrl-C');
    expect(await t.waitForExit()).toBe(0);
  });
});
