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
import { runCline, type ClineProvider } from '../helpers/cline-cli.js';
import { startFakeUpstream, toolOutputsOf, type FakeUpstream, type Script, type WireFormat } from '../helpers/fake-upstream.js';

// The real Cline CLI (headless), offline, started by the built `headroom wrap cline` with plain
// stdio: wrap runs it in sandbox mode with a data folder of its own whose providers.json points the
// provider in use at the embedded proxy, and the proxy's upstream is the fake model API
// (HEADROOM_*_UPSTREAM). The model runs a command printing a log; the log reaches the model
// compressed and Cline prints the model's answer. One run per wire format its providers speak.

const LOG_COMMAND =
  'seq 1 400 | awk \'{ if ($1 == 200) print "2026-03-01T12:03:20Z ERROR payment-api: connection pool exhausted (order 4711)"; ' +
  'else printf "2026-03-01T12:%02d:%02dZ INFO worker-%d handled request %d in 12ms\\n", int($1/60), $1%60, $1%8, $1 }\'';
const ERROR_LINE = 'ERROR payment-api: connection pool exhausted (order 4711)';
const answer = (output: string): string => `FINAL: ${output.includes(ERROR_LINE) ? 'ERROR seen' : 'no ERROR in view'} (${output.length} chars)`;
const PROMPT = 'Check the app log for errors.';
const TIMEOUT = 120_000;

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

async function setup(script: Script = shellThenAnswer(LOG_COMMAND, answer)): Promise<{ fake: FakeUpstream; headroomHome: string; home: string; cwd: string }> {
  dir = fs.mkdtempSync(join(os.tmpdir(), 'headroom-cline-wrapped-'));
  fake = await startFakeUpstream(script);
  const home = join(dir, 'home');
  const cwd = join(dir, 'work');
  fs.mkdirSync(home);
  fs.mkdirSync(cwd);
  return { fake, headroomHome: join(dir, 'headroom'), home, cwd };
}

const UPSTREAM_VAR: Record<ClineProvider, string> = { anthropic: 'HEADROOM_ANTHROPIC_UPSTREAM', 'openai-compatible': 'HEADROOM_OPENAI_UPSTREAM', 'openai-native': 'HEADROOM_OPENAI_UPSTREAM' };

function wrapped(w: { fake: FakeUpstream; headroomHome: string; home: string; cwd: string }, provider: ClineProvider, args: string[] = ['--memory']): Promise<AgentRun> {
  return runCline({ baseUrl: w.fake.url, home: w.home, cwd: w.cwd, provider, prompt: PROMPT, timeoutMs: TIMEOUT, wrap: { headroomHome: w.headroomHome, args, env: { [UPSTREAM_VAR[provider]]: w.fake.url } } });
}

function ledger(headroomHome: string): LedgerRecord[] {
  const ledgerDir = join(headroomHome, 'ledger');
  return fs
    .readdirSync(ledgerDir)
    .flatMap((f) => fs.readFileSync(join(ledgerDir, f), 'utf8').trim().split('\n'))
    .map((l) => JSON.parse(l) as LedgerRecord);
}

/** The log reached the model compressed, Cline printed the answer written from it, headroom its summary. */
function expectCompressedRun(run: AgentRun, f: FakeUpstream, headroomHome: string, format: WireFormat): void {
  const context = `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
  expect(run.timedOut, context).toBe(false);
  expect(run.code, context).toBe(0);
  expect(f.modelRequests().length).toBeGreaterThan(0);
  expect(f.modelRequests().every((q) => q.format === format)).toBe(true);
  const carrying = f.modelRequests().filter((q) => toolOutputsOf(format, q.json).length > 0);
  const output = toolOutputsOf(format, carrying.at(-1)?.json).at(-1) ?? '';
  expect(output).toContain(ERROR_LINE);
  expect(output).toContain('headroom_retrieve key=');
  expect(output.length).toBeLessThan(log.length / 2);
  const original = new FileCcrStore(join(headroomHome, 'ccr')).get(keysInText(output)[0]!);
  expect(original).toContain('handled request 399 in 12ms');
  expect(run.stdout).toContain(`FINAL: ERROR seen (${output.length} chars)`);
  expect(run.stderr).toContain('Cline exited with code 0');
  expect(run.stderr).toMatch(/saved \d/);
  // Every model request went through the proxy, each recorded as Cline's; nothing left the machine.
  const records = ledger(headroomHome);
  expect(records.length).toBe(f.modelRequests().length);
  expect(new Set(records.map((r) => r.agent))).toEqual(new Set(['cline']));
  expect(run.outbound).toEqual([]);
}

type Tool = { name?: string; input_schema?: unknown; type?: string; parameters?: unknown; function?: { name?: string; parameters?: unknown } };
const toolsOf = (body: unknown): Tool[] => (body as { tools?: Tool[] } | undefined)?.tools ?? [];
const nameOf = (t: Tool): string | undefined => t.name ?? t.function?.name;

/** Its turns (those declaring its shell tool) declare headroom's two memory tools, in `shape`. */
function expectMemoryTools(f: FakeUpstream, shape: (t: Tool) => boolean): void {
  const turns = f.modelRequests().filter((q) => toolsOf(q.json).some((t) => nameOf(t) === 'run_commands'));
  expect(turns.length).toBeGreaterThan(0);
  for (const q of turns) {
    const memory = toolsOf(q.json).filter((t) => nameOf(t) === 'memory_save' || nameOf(t) === 'memory_search');
    expect(memory.map(nameOf).sort()).toEqual(['memory_save', 'memory_search']);
    expect(memory.every(shape)).toBe(true);
  }
}

/** Processes still running in `cwd` (Cline's hub daemon names its cwd in its arguments). */
function leftIn(cwd: string): string[] {
  const out: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes(cwd) || fs.readlinkSync(`/proc/${pid}/cwd`) === cwd) out.push(`${pid} ${cmd}`);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return out;
}

describe('real Cline under `headroom wrap` (plain stdio)', () => {
  it('openai-compatible, --memory: Chat Completions through the proxy, the log compressed, the memory tools in its turns; nothing of it outlives the run; its session is the user\'s, their providers untouched', async () => {
    const w = await setup();
    const run = await wrapped(w, 'openai-compatible');
    expectCompressedRun(run, w.fake, w.headroomHome, 'openai-chat');
    expectMemoryTools(w.fake, (t) => t.type === 'function' && t.function?.parameters !== undefined);

    // No hub daemon or any other process of the run left; its data folder went with headroom's
    // session folder; the session it ran is in the user's own Cline sessions, with the prompt.
    expect(leftIn(w.cwd)).toEqual([]);
    expect(fs.readdirSync(join(w.headroomHome, 'sessions')).filter((n) => !n.startsWith('.'))).toEqual([]);
    const sessions = join(w.home, '.cline', 'data', 'sessions');
    const ids = fs.readdirSync(sessions);
    expect(ids).toHaveLength(1);
    expect(fs.readFileSync(join(sessions, ids[0]!, `${ids[0]}.messages.json`), 'utf8')).toContain(PROMPT);
    expect(fs.readdirSync(join(w.home, '.cline', 'data', 'db')).some((f) => f.startsWith('sessions.db'))).toBe(true);
    const userProviders = JSON.parse(fs.readFileSync(join(w.home, '.cline', 'data', 'settings', 'providers.json'), 'utf8'));
    expect(userProviders.providers['openai-compatible'].settings).toEqual({ provider: 'openai-compatible', apiKey: 'dummy', model: 'fake-model' });
  }, TIMEOUT + 30_000);

  it('anthropic, --memory: Messages through the proxy, the log compressed, the memory tools in its turns', async () => {
    const w = await setup();
    const run = await wrapped(w, 'anthropic');
    expectCompressedRun(run, w.fake, w.headroomHome, 'anthropic');
    expectMemoryTools(w.fake, (t) => t.input_schema !== undefined);
  }, TIMEOUT + 30_000);

  it('openai-native, --memory: Responses through the proxy, the log compressed, the memory tools in its turns', async () => {
    const w = await setup();
    const run = await wrapped(w, 'openai-native');
    expectCompressedRun(run, w.fake, w.headroomHome, 'openai-responses');
    expectMemoryTools(w.fake, (t) => t.type === 'function' && t.parameters !== undefined);
  }, TIMEOUT + 30_000);

  it('exits with the code Cline exits with when the model call fails, as it does without headroom', async () => {
    const failing: Script = () => ({ error: { status: 400, body: { error: { type: 'invalid_request_error', message: 'fake refusal' } } } });
    const w = await setup(failing);
    const direct = await runCline({ baseUrl: w.fake.url, prompt: PROMPT, timeoutMs: TIMEOUT });
    expect(direct.code, direct.stderr).not.toBe(0);
    const run = await wrapped(w, 'openai-compatible', []);
    expect(run.stderr).toContain('fake refusal');
    expect(run.code, run.stderr).toBe(direct.code);
    expect(run.stderr).toContain(`Cline exited with code ${direct.code}`);
  }, 2 * TIMEOUT + 30_000);
});
