import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/errors.js';
import { FileCcrStore } from '../../src/compress/ccr-store.js';
import { keysInText } from '../../src/compress/marker.js';
import type { LedgerRecord } from '../../src/proxy/ledger.js';
import { shellThenAnswer, type AgentRun } from '../helpers/agent-cli.js';
import { buildDist } from '../helpers/build-dist.js';
import { CONTINUE_VERSION_CHECK, runContinue, writeContinueConfig } from '../helpers/continue-cli.js';
import { startFakeUpstream, toolOutputsOf, type FakeUpstream, type WireFormat } from '../helpers/fake-upstream.js';

// The real Continue CLI (`cn -p`), offline, started by the built `headroom wrap continue` with
// plain stdio: the user's ~/.continue/config.yaml names the fake model API as its model's apiBase;
// wrap hands cn a copy that points it at the embedded proxy, whose upstream becomes that apiBase.
// The model runs a command printing a log; the log reaches the model compressed and cn prints the
// model's answer.

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

async function setup(): Promise<{ fake: FakeUpstream; headroomHome: string; home: string }> {
  dir = fs.mkdtempSync(join(os.tmpdir(), 'headroom-continue-wrapped-'));
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

type Tool = { name?: string; input_schema?: unknown; type?: string; function?: { name?: string; parameters?: unknown } };
const toolsOf = (body: unknown): Tool[] => (body as { tools?: Tool[] } | undefined)?.tools ?? [];
const nameOf = (t: Tool): string | undefined => t.name ?? t.function?.name;

/**
 * The log reached the model compressed, cn printed the answer written from it, headroom its
 * summary; its turns declared headroom's memory tools in `shape`; the user's config is as it was.
 */
function expectCompressedRun(run: AgentRun, f: FakeUpstream, w: { headroomHome: string; home: string }, format: WireFormat, shape: (t: Tool) => boolean, config: string): void {
  const context = `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
  expect(run.timedOut, context).toBe(false);
  expect(run.code, context).toBe(0);
  expect(f.modelRequests().length).toBeGreaterThan(1);
  expect(f.modelRequests().every((q) => q.format === format)).toBe(true);
  const carrying = f.modelRequests().filter((q) => toolOutputsOf(format, q.json).length > 0);
  const output = toolOutputsOf(format, carrying.at(-1)?.json).at(-1) ?? '';
  expect(output).toContain(ERROR_LINE);
  expect(output).toContain('headroom_retrieve key=');
  expect(output.length).toBeLessThan(log.length / 2);
  const original = new FileCcrStore(join(w.headroomHome, 'ccr')).get(keysInText(output)[0]!);
  expect(original).toContain('handled request 399 in 12ms');
  expect(run.stdout).toContain(`FINAL: ERROR seen (${output.length} chars)`);
  expect(run.stderr).toContain('Continue CLI exited with code 0');
  expect(run.stderr).toMatch(/saved \d/);

  const turns = f.modelRequests().filter((q) => toolsOf(q.json).some((t) => nameOf(t) === 'Bash'));
  expect(turns.length).toBeGreaterThan(0);
  for (const q of turns) {
    const memory = toolsOf(q.json).filter((t) => nameOf(t) === 'memory_save' || nameOf(t) === 'memory_search');
    expect(memory.map(nameOf).sort()).toEqual(['memory_save', 'memory_search']);
    expect(memory.every(shape)).toBe(true);
    // Its key, a secret from ~/.continue/.env, still resolved in the copy.
    expect(q.headers.authorization ?? q.headers['x-api-key']).toMatch(/dummy$/);
  }
  // Every model request went through the proxy, each recorded as Continue's; nothing else left the
  // machine but its version check, refused.
  const records = ledger(w.headroomHome);
  expect(records.length).toBe(f.modelRequests().length);
  expect(new Set(records.map((r) => r.agent))).toEqual(new Set(['continue']));
  expect(run.outbound.filter((u) => !u.startsWith(CONTINUE_VERSION_CHECK))).toEqual([]);
  // The guard caught the version check (so it guards this cn's fetch).
  expect(run.outbound.some((u) => u.startsWith(CONTINUE_VERSION_CHECK))).toBe(true);
  expect(fs.readFileSync(join(w.home, '.continue', 'config.yaml'), 'utf8')).toBe(config);
  expect(fs.readdirSync(join(w.home, 'tmp')).filter((n) => n.startsWith('headroom-continue-'))).toEqual([]);
}

/** The user's config as the helper writes it (in a scratch home), to compare with the file after the run. */
function asWritten(f: FakeUpstream, provider: 'openai' | 'anthropic'): string {
  const scratch = join(dir!, 'scratch');
  return fs.readFileSync(writeContinueConfig(scratch, f.url, provider), 'utf8');
}

describe('real Continue CLI under `headroom wrap` (plain stdio)', () => {
  it('an openai model, --memory: Chat Completions through the proxy to its own apiBase, the log compressed, the memory tools in its turns', async () => {
    const w = await setup();
    const run = await runContinue({ baseUrl: w.fake.url, home: w.home, prompt: PROMPT, timeoutMs: TIMEOUT, wrap: { headroomHome: w.headroomHome, args: ['--memory'] } });
    expectCompressedRun(run, w.fake, w, 'openai-chat', (t) => t.type === 'function' && t.function?.parameters !== undefined, asWritten(w.fake, 'openai'));
  }, TIMEOUT + 30_000);

  it('an anthropic model, --memory: Messages through the proxy, the log compressed, the memory tools in its turns', async () => {
    const w = await setup();
    const run = await runContinue({ baseUrl: w.fake.url, home: w.home, provider: 'anthropic', prompt: PROMPT, timeoutMs: TIMEOUT, wrap: { headroomHome: w.headroomHome, args: ['--memory'] } });
    expectCompressedRun(run, w.fake, w, 'anthropic', (t) => t.input_schema !== undefined, asWritten(w.fake, 'anthropic'));
  }, TIMEOUT + 30_000);

  it("a Continue Hub assistant is refused before cn starts, with wrap's launch-error exit code", async () => {
    const w = await setup();
    const run = await runContinue({ baseUrl: w.fake.url, home: w.home, prompt: PROMPT, args: ['--config', 'acme/assistant'], timeoutMs: TIMEOUT, wrap: { headroomHome: w.headroomHome } });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain('names a Continue Hub assistant');
    expect(w.fake.requests).toEqual([]);
  }, TIMEOUT);
});
