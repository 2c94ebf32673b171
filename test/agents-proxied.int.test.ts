import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileCcrStore } from '../src/compress/ccr-store.js';
import { keysInText } from '../src/compress/marker.js';
import { startProxy, type RunningProxy } from '../src/proxy/server.js';
import { runClaude, runCodex, shellThenAnswer } from './helpers/agent-cli.js';
import { startFakeUpstream, toolOutputsOf, type FakeUpstream, type RecordedRequest } from './helpers/fake-upstream.js';

// The real Claude Code and Codex CLIs, offline, through the headroom proxy to the fake upstream:
// the model runs a command with a large log output, the output reaches the model compressed
// (its ERROR line kept, the rest retrievable), and the CLI prints the model's answer.

/**
 * An application log of `lines` lines (about 62 bytes each) with one ERROR line in the middle.
 * Claude Code passes ~25 KB whole; Codex cuts exec output to ~10 KB itself (head and tail),
 * so its run uses a log that fits.
 */
const logCommand = (lines: number): string =>
  `seq 1 ${lines} | awk '{ if ($1 == ${lines / 2}) print "2026-03-01T12:03:20Z ERROR payment-api: connection pool exhausted (order 4711)"; ` +
  'else printf "2026-03-01T12:%02d:%02dZ INFO worker-%d handled request %d in 12ms\\n", int($1/60), $1%60, $1%8, $1 }\'';
const ERROR_LINE = 'ERROR payment-api: connection pool exhausted (order 4711)';
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

async function setup(lines: number): Promise<{ fake: FakeUpstream; proxy: RunningProxy; store: FileCcrStore }> {
  home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-agents-'));
  const store = new FileCcrStore(join(home, 'ccr'));
  fake = await startFakeUpstream(shellThenAnswer(logCommand(lines), answer));
  proxy = await startProxy({ port: 0, upstreams: { anthropic: fake.url, openai: fake.url }, store, ledgerDir: false });
  return { fake, proxy, store };
}

/** The model call that carries the command's output. */
function callWithOutput(f: FakeUpstream): RecordedRequest {
  const r = f.modelRequests().find((q) => q.format !== undefined && toolOutputsOf(q.format, q.json).length > 0);
  if (!r) throw new Error(`no request carried a tool output: ${f.requests.map((q) => q.url).join(', ')}`);
  return r;
}

/** The error stays in view; lines that were dropped are in the original behind the marker. */
function expectCompressedLog(output: string, store: FileCcrStore): void {
  expect(output).toContain(ERROR_LINE);
  const keys = keysInText(output);
  expect(keys.length).toBeGreaterThan(0);
  const original = store.get(keys[0]!)!;
  expect(original.length).toBeGreaterThan(output.length * 2);
  const dropped = original.split('\n').filter((l) => l.includes('handled request') && !output.includes(l));
  expect(dropped.length).toBeGreaterThan(10);
}

describe('real agent CLIs through the proxy', () => {
  it('Claude Code: the Bash output arrives compressed upstream and the CLI prints the answer', async () => {
    const t = await setup(400);
    const run = await runClaude({ baseUrl: t.proxy.url, prompt: 'Check the app log for errors.' });
    expect(run.code, run.stderr).toBe(0);
    const output = toolOutputsOf('anthropic', callWithOutput(t.fake).json).at(-1)!;
    expectCompressedLog(output, t.store);
    expect(run.stdout.trim()).toBe(`FINAL: ERROR seen (${output.length} chars)`);
    const sent = callWithOutput(t.fake).json as { tools: Array<{ name: string }> };
    expect(sent.tools.at(-1)!.name).toBe('headroom_retrieve');
    const stats = t.proxy.stats();
    expect(stats.byAgent.claude?.tokensSaved).toBeGreaterThan(1000);
  }, 120_000);

  it('Codex: the exec_command output arrives compressed upstream and the CLI prints the answer', async () => {
    const t = await setup(140);
    const run = await runCodex({ baseUrl: t.proxy.url, prompt: 'Check the app log for errors.' });
    expect(run.code, run.stderr).toBe(0);
    const output = toolOutputsOf('openai-responses', callWithOutput(t.fake).json).at(-1)!;
    expectCompressedLog(output, t.store);
    expect(run.stdout).toContain(`FINAL: ERROR seen (${output.length} chars)`);
    expect(t.proxy.stats().byAgent.codex?.tokensSaved).toBeGreaterThan(1000);
  }, 120_000);
});
