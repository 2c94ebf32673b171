import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { qwen } from '../../src/agents/qwen.js';
import { emptyCounts, type SessionEvent } from '../../src/agents/events.js';
import { FileCcrStore } from '../../src/compress/ccr-store.js';
import { keysInText } from '../../src/compress/marker.js';
import type { LedgerRecord } from '../../src/proxy/ledger.js';
import { shellThenAnswer, type AgentRun } from '../helpers/agent-cli.js';
import { buildDist } from '../helpers/build-dist.js';
import { startFakeUpstream, toolOutputsOf, type FakeUpstream, type WireFormat } from '../helpers/fake-upstream.js';
import { runQwen } from '../helpers/qwen-cli.js';

// The real Qwen Code CLI (headless), offline, started by the built `headroom wrap qwen` with plain
// stdio: wrap routes it to the embedded proxy by OPENAI_BASE_URL / ANTHROPIC_BASE_URL and the
// proxy's upstream is the fake model API (HEADROOM_*_UPSTREAM). The model runs a command printing
// a log; the log reaches the model compressed and Qwen Code prints the model's answer. Then
// headroom's reader reads the transcript that run wrote.

const LOG_COMMAND =
  'seq 1 400 | awk \'{ if ($1 == 200) print "2026-03-01T12:03:20Z ERROR payment-api: connection pool exhausted (order 4711)"; ' +
  'else printf "2026-03-01T12:%02d:%02dZ INFO worker-%d handled request %d in 12ms\\n", int($1/60), $1%60, $1%8, $1 }\'';
const ERROR_LINE = 'ERROR payment-api: connection pool exhausted (order 4711)';
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

async function setup(): Promise<{ fake: FakeUpstream; headroomHome: string; home: string }> {
  dir = fs.mkdtempSync(join(os.tmpdir(), 'headroom-qwen-wrapped-'));
  fake = await startFakeUpstream(shellThenAnswer(LOG_COMMAND, answer));
  const home = join(dir, 'home');
  fs.mkdirSync(home);
  return { fake, headroomHome: join(dir, 'headroom'), home };
}

function ledger(headroomHome: string): LedgerRecord[] {
  const ledgerDir = join(headroomHome, 'ledger');
  return fs
    .readdirSync(ledgerDir)
    .flatMap((f) => fs.readFileSync(join(ledgerDir, f), 'utf8').trim().split('\n'))
    .map((l) => JSON.parse(l) as LedgerRecord);
}

/** The log reached the model compressed, Qwen Code printed the answer written from it, headroom its summary. */
function expectCompressedRun(run: AgentRun, f: FakeUpstream, headroomHome: string, format: WireFormat): string {
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
  expect(run.stderr).toContain('Qwen Code exited with code 0');
  expect(run.stderr).toMatch(/saved \d/);
  // Every model request went through the proxy, each recorded as Qwen Code's; nothing left the machine.
  const records = ledger(headroomHome);
  expect(records.length).toBe(f.modelRequests().length);
  expect(new Set(records.map((r) => r.agent))).toEqual(new Set(['qwen']));
  expect(run.outbound).toEqual([]);
  return output;
}

type Tool = { name?: string; input_schema?: unknown; type?: string; function?: { name?: string; parameters?: unknown } };
const toolsOf = (body: unknown): Tool[] => (body as { tools?: Tool[] } | undefined)?.tools ?? [];
const nameOf = (t: Tool): string | undefined => t.name ?? t.function?.name;

/** Its turns (those declaring its shell tool) declare headroom's two memory tools, in `shape`. */
function expectMemoryTools(f: FakeUpstream, shape: (t: Tool) => boolean): void {
  const turns = f.modelRequests().filter((q) => toolsOf(q.json).some((t) => nameOf(t) === 'run_shell_command'));
  expect(turns.length).toBeGreaterThan(0);
  for (const q of turns) {
    const memory = toolsOf(q.json).filter((t) => nameOf(t) === 'memory_save' || nameOf(t) === 'memory_search');
    expect(memory.map(nameOf).sort()).toEqual(['memory_save', 'memory_search']);
    expect(memory.every(shape)).toBe(true);
  }
}

async function eventsIn(home: string): Promise<SessionEvent[]> {
  const projects = qwen.transcriptDir({ HOME: home });
  const files = fs.readdirSync(projects, { recursive: true, encoding: 'utf8' }).map((f) => join(projects, f)).filter(qwen.transcriptFile);
  expect(files).toHaveLength(1);
  const out: SessionEvent[] = [];
  for await (const e of qwen.events(files[0]!, emptyCounts())) out.push(e);
  return out;
}

describe('real Qwen Code under `headroom wrap` (plain stdio)', () => {
  it('openai auth, --memory: Chat Completions through the proxy, the log compressed, the memory tools in its turns; learn reads its transcript', async () => {
    const w = await setup();
    const run = await runQwen({ baseUrl: w.fake.url, home: w.home, prompt: PROMPT, timeoutMs: TIMEOUT, wrap: { headroomHome: w.headroomHome, args: ['--memory'], env: { HEADROOM_OPENAI_UPSTREAM: w.fake.url } } });
    expectCompressedRun(run, w.fake, w.headroomHome, 'openai-chat');
    expectMemoryTools(w.fake, (t) => t.type === 'function' && t.function?.parameters !== undefined);

    // The transcript it wrote: the prompt, the shell call with its command, the result (the
    // output it ran, before the proxy compressed it) with its exit code.
    const events = await eventsIn(w.home);
    expect(events.filter((e) => e.kind === 'user').map((e) => e.kind === 'user' && e.text)).toEqual([PROMPT]);
    const call = events.find((e) => e.kind === 'call');
    expect(call).toMatchObject({ agent: 'qwen', tool: 'run_shell_command', command: LOG_COMMAND });
    const result = events.find((e) => e.kind === 'result');
    expect(result).toMatchObject({ id: call?.kind === 'call' ? call.id : '', tool: 'run_shell_command', exitCode: 0, isError: false });
    expect(result?.kind === 'result' && result.output).toContain(ERROR_LINE);
  }, TIMEOUT + 30_000);

  it('anthropic auth, --memory: Messages through the proxy, the log compressed, the memory tools in its turns', async () => {
    const w = await setup();
    const run = await runQwen({ baseUrl: w.fake.url, prompt: PROMPT, authType: 'anthropic', timeoutMs: TIMEOUT, wrap: { headroomHome: w.headroomHome, args: ['--memory'], env: { HEADROOM_ANTHROPIC_UPSTREAM: w.fake.url } } });
    expectCompressedRun(run, w.fake, w.headroomHome, 'anthropic');
    expectMemoryTools(w.fake, (t) => t.input_schema !== undefined);
  }, TIMEOUT + 30_000);
});
