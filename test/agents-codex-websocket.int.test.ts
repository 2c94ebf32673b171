import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentRecognition } from '../src/agents/index.js';
import { FileCcrStore } from '../src/compress/ccr-store.js';
import { keysInText } from '../src/compress/marker.js';
import { startProxy, type RunningProxy } from '../src/proxy/server.js';
import { runCodex, shellThenAnswer } from './helpers/agent-cli.js';
import { startFakeUpstream, toolOutputsOf, type FakeUpstream } from './helpers/fake-upstream.js';

// The real Codex CLI over its default transport, the Responses WebSocket, offline through the
// proxy to the fake upstream: one upstream that takes a WebSocket, one that speaks only HTTP.

const ERROR_LINE = 'ERROR payment-api: connection pool exhausted (order 4711)';
const logCommand =
  `seq 1 140 | awk '{ if ($1 == 70) print "2026-03-01T12:03:20Z ${ERROR_LINE}"; ` +
  'else printf "2026-03-01T12:%02d:%02dZ INFO worker-%d handled request %d in 12ms\\n", int($1/60), $1%60, $1%8, $1 }\'';
const answer = (output: string): string => `FINAL: ${output.includes(ERROR_LINE) ? 'ERROR seen' : 'no ERROR in view'} (${output.length} chars)`;

let fake: FakeUpstream | undefined;
let proxy: RunningProxy | undefined;
let home: string | undefined;
afterEach(async () => {
  await proxy?.close();
  await fake?.close();
  if (home) fs.rmSync(home, { recursive: true, force: true });
  proxy = fake = home = undefined;
});

describe.each([
  { upstream: 'WebSocket', websocket: true },
  { upstream: 'HTTP only', websocket: false },
])('real Codex over WebSocket through the proxy, upstream $upstream', ({ upstream, websocket }) => {
  it('completes a turn with a compressed tool output', async () => {
    home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-codex-ws-'));
    const store = new FileCcrStore(join(home, 'ccr'));
    fake = await startFakeUpstream(shellThenAnswer(logCommand, answer), { websocket });
    const log: string[] = [];
    proxy = await startProxy({ ...agentRecognition, port: 0, upstreams: { openai: fake.url }, store, ledgerDir: false, onEvent: (e) => void (e.type === 'log' && log.push(e.line)) });
    const run = await runCodex({ baseUrl: proxy.url, prompt: 'Check the app log for errors.', config: ['model_providers.headroom.supports_websockets=true'], timeoutMs: 120_000 });

    expect(run.code, run.stderr).toBe(0);
    // Codex came over a WebSocket, and the proxy went upstream the way the upstream takes.
    expect(log).toContain(`WebSocket /v1/responses: upstream over ${websocket ? 'WebSocket' : 'HTTP'}`);
    const calls = fake.modelRequests();
    expect(calls.every((r) => r.transport === (websocket ? 'websocket' : undefined))).toBe(true);
    expect(fake.websocketUpgrades.length > 0).toBe(websocket);
    const withOutput = calls.find((r) => toolOutputsOf('openai-responses', r.json).length > 0)!;
    const output = toolOutputsOf('openai-responses', withOutput.json).at(-1)!;
    expect(output).toContain(ERROR_LINE);
    const key = keysInText(output)[0]!;
    expect(store.get(key)!.length).toBeGreaterThan(output.length * 2);
    expect(run.stdout).toContain(`FINAL: ERROR seen (${output.length} chars)`);
    expect(proxy.stats().byAgent.codex?.tokensSaved).toBeGreaterThan(1000);
  }, 150_000);
});

// The start-up warning wrap no longer causes is the interactive CLI's: test/wrap/codex-websocket-tmux.int.test.ts.
describe('`headroom wrap codex` keeps the WebSocket transport', () => {
  it('`codex exec` under wrap talks to the proxy over a WebSocket', async () => {
    home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-codex-ws-wrap-'));
    const dirs = { home: join(home, 'home'), cwd: join(home, 'project'), headroomHome: join(home, 'headroom') };
    for (const d of Object.values(dirs)) fs.mkdirSync(d);
    fake = await startFakeUpstream(shellThenAnswer(logCommand, answer), { websocket: true });
    const wrap = { headroomHome: dirs.headroomHome, env: { HEADROOM_OPENAI_UPSTREAM: fake.url }, args: ['--no-ledger'] };
    const run = await runCodex({ baseUrl: fake.url, prompt: 'Check the app log for errors.', home: dirs.home, cwd: dirs.cwd, timeoutMs: 120_000, wrap });

    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('FINAL: ERROR seen');
    // The proxy opens the upstream socket only for a client that came over a WebSocket.
    expect(fake.websocketUpgrades.length).toBeGreaterThan(0);
    expect(fake.modelRequests().every((r) => r.transport === 'websocket')).toBe(true);
  }, 150_000);
});
