import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FileCcrStore } from '../../src/compress/ccr-store.js';
import { keysInText } from '../../src/compress/marker.js';
import type { LedgerRecord } from '../../src/proxy/ledger.js';
import { runClaude, runCodex, runCopilot, runGemini, shellThenAnswer, type AgentRun, type WrapRun } from '../helpers/agent-cli.js';
import { buildDist } from '../helpers/build-dist.js';
import { startFakeUpstream, toolOutputsOf, type FakeUpstream, type RecordedRequest, type WireFormat } from '../helpers/fake-upstream.js';

// The real Claude Code, Codex, Copilot and Gemini CLIs, offline, each started by the built
// `headroom wrap <agent> -- <agent args>` with pipes for stdin/stdout (so wrap runs it with plain
// stdio, no PTY). The embedded proxy's upstream is the fake model API: set with
// HEADROOM_*_UPSTREAM, or for Copilot taken from the user's own BYOK COPILOT_PROVIDER_BASE_URL.
// The model runs a command printing a log that the agent passes whole; the log reaches the model
// compressed (ERROR line kept, the rest retrievable), the CLI prints the model's answer, and
// headroom prints its summary on stderr and records the requests in its ledger.

/**
 * An application log of 400 lines (25 KB) with one ERROR line in the middle: under each agent's own
 * cut once Codex's tool_output_token_limit and Copilot's COPILOT_LARGE_OUTPUT_THRESHOLD_BYTES are
 * raised (Claude Code passes ~25 KB, Gemini CLI up to 40,000 chars).
 */
const LOG_COMMAND =
  'seq 1 400 | awk \'{ if ($1 == 200) print "2026-03-01T12:03:20Z ERROR payment-api: connection pool exhausted (order 4711)"; ' +
  'else printf "2026-03-01T12:%02d:%02dZ INFO worker-%d handled request %d in 12ms\\n", int($1/60), $1%60, $1%8, $1 }\'';
const ERROR_LINE = 'ERROR payment-api: connection pool exhausted (order 4711)';
const answer = (output: string): string => `FINAL: ${output.includes(ERROR_LINE) ? 'ERROR seen' : 'no ERROR in view'} (${output.length} chars)`;
const PROMPT = 'Check the app log for errors.';

let log: string;
beforeAll(() => {
  buildDist();
  log = execFileSync('sh', ['-c', LOG_COMMAND], { encoding: 'utf8' });
  expect(log.length).toBeGreaterThan(24_000);
}, 120_000);

let fake: FakeUpstream | undefined;
let dir: string | undefined;
afterEach(async () => {
  await fake?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  fake = dir = undefined;
});

interface World {
  fake: FakeUpstream;
  sandbox: string;
  headroomHome: string;
  /** `wrap` for the run helpers: this test's HEADROOM_HOME and headroom variables. */
  wrap(env?: Record<string, string>): WrapRun;
}

async function setup(): Promise<World> {
  dir = fs.mkdtempSync(join(os.tmpdir(), 'headroom-wrapped-'));
  const headroomHome = join(dir, 'headroom');
  const sandbox = join(dir, 'home');
  fs.mkdirSync(sandbox);
  fake = await startFakeUpstream(shellThenAnswer(LOG_COMMAND, answer));
  return { fake, sandbox, headroomHome, wrap: (env = {}) => ({ headroomHome, env }) };
}

/** The last tool output of the (last) model call that carried one: what the model saw. */
function outputUpstream(f: FakeUpstream, format: WireFormat): string {
  const carrying = f.modelRequests().filter((q: RecordedRequest) => q.format === format && toolOutputsOf(format, q.json).length > 0);
  const last = carrying.at(-1);
  if (!last) throw new Error(`no ${format} request carried a tool output: ${f.requests.map((q) => `${q.method} ${q.url}`).join(', ')}`);
  return toolOutputsOf(format, last.json).at(-1)!;
}

/** Everything a wrapped run with a compressed tool output should show. */
function expectWrapped(run: AgentRun, w: World, agent: string, agentTitle: string, format: WireFormat): void {
  const context = `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
  expect(run.timedOut, context).toBe(false);
  expect(run.code, context).toBe(0);

  // The model saw the log compressed: the ERROR line kept, the rest behind a retrieval marker.
  const output = outputUpstream(w.fake, format);
  expect(output).toContain(ERROR_LINE);
  expect(output).toContain('headroom_retrieve key=');
  expect(output.length).toBeLessThan(log.length / 2);
  // The original is in this HEADROOM_HOME's CCR store.
  const keys = keysInText(output);
  expect(keys.length).toBeGreaterThan(0);
  const original = new FileCcrStore(join(w.headroomHome, 'ccr')).get(keys[0]!);
  expect(original).toContain(ERROR_LINE);
  expect(original).toContain('handled request 399 in 12ms');

  // The CLI printed the model's final answer, which it wrote from that output.
  expect(run.stdout).toContain(`FINAL: ERROR seen (${output.length} chars)`);

  // headroom's summary on stderr (stdout is the agent's).
  expect(run.stderr).toContain(`${agentTitle} exited with code 0`);
  expect(run.stderr).toMatch(/saved \d/);
  expect(run.stdout).not.toContain('exited with code');

  // One ledger line per model request, all this agent's and this wrap session's.
  const ledgerDir = join(w.headroomHome, 'ledger');
  const records = fs
    .readdirSync(ledgerDir)
    .flatMap((f) => fs.readFileSync(join(ledgerDir, f), 'utf8').trim().split('\n'))
    .map((l) => JSON.parse(l) as LedgerRecord);
  expect(records.length).toBe(w.fake.modelRequests().length);
  expect(new Set(records.map((r) => r.agent))).toEqual(new Set([agent]));
  const wraps = new Set(records.map((r) => r.wrap));
  expect(wraps.size).toBe(1);
  expect([...wraps][0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  expect(records.some((r) => r.tokensAfter < r.tokensBefore)).toBe(true);

  // Nothing tried to leave the machine (the CLI and headroom share the refusing HTTP(S)_PROXY).
  expect(run.outbound).toEqual([]);
}

describe('real agent CLIs under `headroom wrap` (plain stdio)', () => {
  it('Claude Code (-p): routed by ANTHROPIC_BASE_URL to the proxy, upstream from HEADROOM_ANTHROPIC_UPSTREAM', async () => {
    const w = await setup();
    const run = await runClaude({
      baseUrl: w.fake.url,
      prompt: PROMPT,
      home: w.sandbox,
      timeoutMs: 45_000,
      wrap: w.wrap({ HEADROOM_ANTHROPIC_UPSTREAM: w.fake.url }),
    });
    expectWrapped(run, w, 'claude', 'Claude Code', 'anthropic');
  });

  it('Codex (exec): routed by wrap’s -c provider with OPENAI_API_KEY, upstream from HEADROOM_OPENAI_UPSTREAM', async () => {
    const w = await setup();
    const run = await runCodex({
      baseUrl: w.fake.url,
      prompt: PROMPT,
      home: w.sandbox,
      timeoutMs: 45_000,
      config: ['tool_output_token_limit=100000'],
      // The proxy's compression is what this test is about: without the source hook, which would
      // compress the log before Codex returns it (test/exec/codex-source.int.test.ts).
      wrap: { ...w.wrap({ HEADROOM_OPENAI_UPSTREAM: w.fake.url }), args: ['--no-exec-hook'] },
    });
    expectWrapped(run, w, 'codex', 'Codex CLI', 'openai-responses');
  });

  it('Copilot CLI (BYOK, --prompt): the user’s COPILOT_PROVIDER_BASE_URL becomes the upstream', async () => {
    const w = await setup();
    const run = await runCopilot({
      baseUrl: w.fake.url,
      prompt: PROMPT,
      home: w.sandbox,
      timeoutMs: 45_000,
      env: { COPILOT_LARGE_OUTPUT_THRESHOLD_BYTES: '100000' },
      wrap: w.wrap(),
    });
    expectWrapped(run, w, 'copilot', 'GitHub Copilot CLI', 'openai-chat');
  });

  it('Gemini CLI (--prompt, yolo): API-key auth selected in the user settings, upstream from HEADROOM_GEMINI_UPSTREAM', async () => {
    const w = await setup();
    const run = await runGemini({
      baseUrl: w.fake.url,
      prompt: PROMPT,
      home: w.sandbox,
      timeoutMs: 45_000,
      settings: { security: { auth: { selectedType: 'gemini-api-key' } } },
      wrap: w.wrap({ HEADROOM_GEMINI_UPSTREAM: w.fake.url }),
    });
    expectWrapped(run, w, 'gemini', 'Gemini CLI', 'gemini');
  });

  // With GOOGLE_GEMINI_BASE_URL set and no auth type selected, Gemini CLI's prompt mode refuses
  // to start ("Invalid auth method selected."); headroom says what to set instead.
  it('Gemini CLI without a terminal and no auth type selected: headroom names the setting', async () => {
    const w = await setup();
    const run = await runGemini({ baseUrl: w.fake.url, prompt: PROMPT, home: w.sandbox, timeoutMs: 45_000, wrap: w.wrap({ HEADROOM_GEMINI_UPSTREAM: w.fake.url }) });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/"selectedType": "gemini-api-key"/);
    expect(w.fake.requests).toHaveLength(0);
  });
});
