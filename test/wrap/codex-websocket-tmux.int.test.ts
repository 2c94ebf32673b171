import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentBin } from '../helpers/agent-bin.js';
import { shellThenAnswer } from '../helpers/agent-cli.js';
import { startFakeUpstream, toolOutputsOf, type FakeUpstream } from '../helpers/fake-upstream.js';
import { hasTmux } from '../helpers/tmux.js';
import { askForTheLog, ERROR_LINE, logCommand, savingsShown, tmuxComparison, wrapCommand } from '../helpers/tmux-compare.js';

// The real Codex CLI, interactive under `headroom wrap` in tmux, against an upstream that speaks
// the Responses WebSocket: Codex starts without a warning and its turns go over WebSockets.

const WARNING = /warning|Running without the shared background server/i;

describe.skipIf(!hasTmux())('Codex CLI interactive under headroom wrap, over WebSocket (tmux)', () => {
  const suite = tmuxComparison('codex-ws');
  let upstream: FakeUpstream | undefined;
  afterEach(async () => {
    await upstream?.close();
    upstream = undefined;
  });

  it('starts with no warning, and a turn with a compressed tool output goes over WebSocket both ways', async () => {
    upstream = await startFakeUpstream(shellThenAnswer(logCommand(100, 50), (out) => `FINAL: ${out.includes(ERROR_LINE) ? 'the ERROR line is in view' : 'no ERROR in view'}`), { websocket: true });
    const home = suite.tempDir('home');
    fs.mkdirSync(join(home, '.codex'));
    const config = ['check_for_update_on_startup=false', 'analytics.enabled=false', 'features.plugins=false', `projects."${suite.cwd}".trust_level="trusted"`, 'model="gpt-5"', 'tool_output_token_limit=100000'];
    const args = config.map((c) => `-c '${c}'`).join(' ') + ' -s danger-full-access -a never';
    const env = {
      PATH: `${join(agentBin('codex'), '..')}:${process.env.PATH}`,
      HOME: home,
      CODEX_HOME: join(home, '.codex'),
      OPENAI_API_KEY: 'dummy',
      HEADROOM_HOME: join(home, '.headroom'),
      HEADROOM_OPENAI_UPSTREAM: upstream.url,
      TERM: 'xterm-256color',
      LANG: 'C.UTF-8',
    };
    const t = await suite.open(wrapCommand('codex', `-- ${args}`), true, env, (rows) => rows.some((r) => r.startsWith('›')), 'the Codex prompt');
    // Codex announces start-up warnings on its footer ("⚠ 1 warning · f2 to view") once it is drawn.
    const start = await t.waitForSettled((rows) => rows.some((r) => r.includes('for shortcuts')), 20_000, 'the settled start screen');
    expect(start.filter((r) => WARNING.test(r))).toEqual([]);

    const answered = await askForTheLog(t, (rows) => rows.some((r) => r.includes('FINAL:')));
    expect(answered.some((r) => r.includes('FINAL: the ERROR line is in view'))).toBe(true);
    await savingsShown(t);
    expect(upstream.websocketUpgrades.length).toBeGreaterThan(0);
    const calls = upstream.modelRequests();
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((r) => r.transport === 'websocket')).toBe(true);
    const withOutput = calls.find((r) => toolOutputsOf('openai-responses', r.json).length > 0)!;
    const sent = toolOutputsOf('openai-responses', withOutput.json).join('\n');
    expect(sent).toContain(ERROR_LINE);
    expect(sent).toContain('headroom_retrieve key=');

    t.sendKeys('C-c');
    expect(await t.waitForExit(20_000)).toBe(0);
  }, 180_000);
});
