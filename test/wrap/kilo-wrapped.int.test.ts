import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FileCcrStore } from '../../src/compress/ccr-store.js';
import { keysInText } from '../../src/compress/marker.js';
import type { LedgerRecord } from '../../src/proxy/ledger.js';
import { shellThenAnswer, type AgentRun } from '../helpers/agent-cli.js';
import { buildDist } from '../helpers/build-dist.js';
import { startFakeUpstream, toolOutputsOf, type FakeUpstream, type Script, type WireFormat } from '../helpers/fake-upstream.js';
import { KILO_GATEWAY, runKilo } from '../helpers/kilo-cli.js';
import { ERROR_LINE, logCommand } from '../helpers/tmux-compare.js';

// The real Kilo Code CLI (`kilo run`), offline, started by the built `headroom wrap kilo` with plain
// stdio: wrap routes its providers to the embedded proxy by KILO_CONFIG_CONTENT and the proxy's
// upstream is the fake model API (HEADROOM_*_UPSTREAM). The model runs a command printing a log;
// the log reaches the model compressed and Kilo prints the model's answer.

const LOG_COMMAND = logCommand(400, 200);
const answer = (output: string): string => `FINAL: ${output.includes(ERROR_LINE) ? 'ERROR seen' : 'no ERROR in view'} (${output.length} chars)`;
const PROMPT = 'Check the app log for errors.';
const TIMEOUT = 150_000;

let log: string;
beforeAll(() => {
  buildDist();
  log = execFileSync('sh', ['-c', LOG_COMMAND], { encoding: 'utf8' });
}, 120_000);

let fake: FakeUpstream | undefined;
let dir: string | undefined;
afterEach(async () => {
  await fake?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  fake = dir = undefined;
});

async function setup(script: Script = shellThenAnswer(LOG_COMMAND, answer)): Promise<{ fake: FakeUpstream; headroomHome: string }> {
  dir = fs.mkdtempSync(join(os.tmpdir(), 'headroom-kilo-wrapped-'));
  fake = await startFakeUpstream(script);
  return { fake, headroomHome: join(dir, 'headroom') };
}

function ledger(headroomHome: string): LedgerRecord[] {
  const ledgerDir = join(headroomHome, 'ledger');
  return fs
    .readdirSync(ledgerDir)
    .flatMap((f) => fs.readFileSync(join(ledgerDir, f), 'utf8').trim().split('\n'))
    .map((l) => JSON.parse(l) as LedgerRecord);
}

/** The names of the tools a request declares, in Anthropic's or OpenAI Responses' shape. */
function declaredTools(body: unknown): Array<{ name?: string; type?: string }> {
  return (body as { tools?: Array<{ name?: string; type?: string }> } | undefined)?.tools ?? [];
}

/**
 * The log reached the model compressed, Kilo printed the answer written from it, headroom its
 * summary; every request went through the proxy, and its turns declare headroom's memory tools
 * in the shape `memoryTool` accepts.
 */
function expectCompressedRun(run: AgentRun, f: FakeUpstream, headroomHome: string, format: WireFormat, memoryTool: (t: { type?: string }) => boolean): void {
  const context = `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
  expect(run.timedOut, context).toBe(false);
  expect(run.code, context).toBe(0);
  expect(f.modelRequests().every((q) => q.format === format)).toBe(true);
  const carrying = f.modelRequests().filter((q) => toolOutputsOf(format, q.json).length > 0);
  const output = toolOutputsOf(format, carrying.at(-1)?.json).at(-1) ?? '';
  expect(output).toContain(ERROR_LINE);
  expect(output).toContain('headroom_retrieve key=');
  expect(output.length).toBeLessThan(log.length / 2);
  const original = new FileCcrStore(join(headroomHome, 'ccr')).get(keysInText(output)[0]!);
  expect(original).toContain('handled request 399 in 12ms');
  expect(run.stdout).toContain(`FINAL: ERROR seen (${output.length} chars)`);
  expect(run.stderr).toContain('Kilo Code exited with code 0');
  expect(run.stderr).toMatch(/saved \d/);
  const records = ledger(headroomHome);
  expect(records.length).toBe(f.modelRequests().length);
  expect(new Set(records.map((r) => r.agent))).toEqual(new Set(['kilo']));
  expect(run.outbound.filter((to) => to !== KILO_GATEWAY)).toEqual([]);
  const turns = f.modelRequests().filter((q) => declaredTools(q.json).some((t) => t.name === 'bash'));
  expect(turns.length).toBeGreaterThan(0);
  for (const q of turns) {
    const memory = declaredTools(q.json).filter((t) => t.name === 'memory_save' || t.name === 'memory_search');
    expect(memory.map((t) => t.name).sort()).toEqual(['memory_save', 'memory_search']);
    expect(memory.every(memoryTool)).toBe(true);
  }
}

describe('real Kilo Code under `headroom wrap` (plain stdio)', () => {
  it('anthropic provider, --memory: Messages requests through the proxy, the log compressed, the memory tools in its turns', async () => {
    const w = await setup();
    const run = await runKilo({ baseUrl: w.fake.url, prompt: PROMPT, timeoutMs: TIMEOUT, wrap: { headroomHome: w.headroomHome, args: ['--memory'], env: { HEADROOM_ANTHROPIC_UPSTREAM: w.fake.url } } });
    expectCompressedRun(run, w.fake, w.headroomHome, 'anthropic', (t) => 'input_schema' in t);
  }, TIMEOUT + 30_000);

  it('openai provider, --memory: Responses requests through the proxy, the log compressed, the memory tools in its turns', async () => {
    const w = await setup();
    const run = await runKilo({ baseUrl: w.fake.url, prompt: PROMPT, model: 'openai/gpt-5', timeoutMs: TIMEOUT, wrap: { headroomHome: w.headroomHome, args: ['--memory'], env: { HEADROOM_OPENAI_UPSTREAM: w.fake.url } } });
    expectCompressedRun(run, w.fake, w.headroomHome, 'openai-responses', (t) => t.type === 'function' && 'parameters' in t);
  }, TIMEOUT + 30_000);

  it("exits with Kilo's own exit code when the provider refuses the request, as it does without headroom", async () => {
    const refuse: Script = () => ({ error: { status: 400, body: { type: 'error', error: { type: 'invalid_request_error', message: 'fake: refused' } } } });
    const w = await setup(refuse);
    const direct = await runKilo({ baseUrl: w.fake.url, prompt: PROMPT, timeoutMs: TIMEOUT });
    const wrapped = await runKilo({ baseUrl: w.fake.url, prompt: PROMPT, timeoutMs: TIMEOUT, wrap: { headroomHome: w.headroomHome, env: { HEADROOM_ANTHROPIC_UPSTREAM: w.fake.url } } });
    expect(direct.timedOut || wrapped.timedOut).toBe(false);
    expect(direct.code).not.toBe(0);
    expect(wrapped.code, wrapped.stderr).toBe(direct.code);
    expect(wrapped.stderr).toContain(`Kilo Code exited with code ${direct.code}`);
    expect(wrapped.stdout + wrapped.stderr).toContain('fake: refused');
  }, 2 * TIMEOUT + 30_000);
});
