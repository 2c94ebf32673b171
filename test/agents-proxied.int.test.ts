import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileCcrStore } from '../src/compress/ccr-store.js';
import { arrayElements, objectMembers, rootSpan } from '../src/wire/index.js';
import { keysInText } from '../src/compress/marker.js';
import { startProxy, type RunningProxy } from '../src/proxy/server.js';
import { runClaude, runCodex, shellThenAnswer } from './helpers/agent-cli.js';
import { startFakeUpstream, toolOutputsOf, type FakeUpstream, type ModelCall, type RecordedRequest } from './helpers/fake-upstream.js';
import { agentRecognition } from '../src/agents/index.js';

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
  proxy = await startProxy({ ...agentRecognition, port: 0, upstreams: { anthropic: fake.url, openai: fake.url }, store, ledgerDir: false });
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

  it("Codex's default model (no -m): headroom_retrieve arrives in its additional_tools shape, and the proxy answers the model's call through it", async () => {
    home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-agents-'));
    const store = new FileCcrStore(join(home, 'ccr'));
    const run1 = shellThenAnswer(logCommand(400), () => '');
    // The fake model runs the log command (JavaScript in Codex's `exec` tool), asks headroom for
    // the original behind the first marker, then says whether a line compression dropped came back.
    fake = await startFakeUpstream((call: ModelCall) => {
      const last = call.toolOutputs.at(-1);
      if (last === undefined) return run1(call);
      const key = keysInText(last)[0];
      if (key === undefined) return `FINAL: ${last.includes('handled request 123 in') ? 'the original came back' : 'no original'}`;
      if (!call.toolNames.includes('headroom_retrieve')) return 'FINAL: a marker but no headroom_retrieve';
      return { toolCalls: [{ name: 'headroom_retrieve', namespace: 'headroom', input: { key } }] };
    });
    proxy = await startProxy({ ...agentRecognition, port: 0, upstreams: { openai: fake.url }, store, ledgerDir: false });
    const run = await runCodex({ baseUrl: proxy.url, prompt: 'Check the app log for errors.', model: null });

    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('FINAL: the original came back');
    // Codex asked twice; the proxy added the round that answered the retrieve call.
    const [first, withOutput, continued] = fake.modelRequests();
    expect(fake.modelRequests()).toHaveLength(3);
    for (const r of [first!, withOutput!, continued!]) {
      const body = r.json as { tools?: unknown; input: Array<{ type: string; tools?: Array<{ type: string; name: string; tools?: Array<{ name: string }> }> }> };
      expect(body.tools).toBeUndefined();
      expect(body.input[0]!.type).toBe('additional_tools');
      expect(body.input[0]!.tools!.at(-1)).toMatchObject({ type: 'namespace', name: 'headroom', tools: [{ name: 'headroom_retrieve' }] });
    }
    // The tools are byte for byte the same in every request of the session (the cached prefix).
    expect(new Set([first!, withOutput!, continued!].map(firstInputItem)).size).toBe(1);
    const compressed = toolOutputsOf('openai-responses', withOutput!.json).at(-1)!;
    expectCompressedLog(compressed, store);
    const items = (continued!.json as { input: Array<Record<string, unknown>> }).input;
    const retrieveCall = items.find((i) => i.type === 'function_call' && i.name === 'headroom_retrieve')!;
    expect(retrieveCall.namespace).toBe('headroom');
    const answer = items.find((i) => i.type === 'function_call_output' && i.call_id === retrieveCall.call_id)!;
    expect(answer.output).toBe(store.get(keysInText(compressed)[0]!));
    expect(proxy.stats().retrievals.calls).toBe(1);
    // Codex never saw the call the proxy answered.
    expect(run.stderr).not.toContain('headroom_retrieve');
  }, 120_000);
});

/** The exact bytes of a request's first input item. */
function firstInputItem(r: RecordedRequest): string {
  const input = objectMembers(r.body, rootSpan(r.body)).get('input')!;
  const first = arrayElements(r.body, input)[0]!;
  return r.body.slice(first.start, first.end);
}
