import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileCcrStore } from '../../src/compress/ccr-store.js';
import { Memories } from '../../src/memory/memory.js';
import { memoryHooks } from '../../src/memory/proxy-hooks.js';
import { startProxy, type RunningProxy } from '../../src/proxy/server.js';
import { GEMINI_ROUTE, isGeminiRoutingCall, runClaude, runGemini, type AgentRun } from '../helpers/agent-cli.js';
import { startFakeUpstream, type FakeUpstream, type RecordedRequest, type Script } from '../helpers/fake-upstream.js';
import { agentRecognition } from '../../src/agents/index.js';

// The real Claude Code and Gemini CLIs, offline, through the proxy with the project memory on
// (`headroom proxy --memory`: a LanceDB memory on disk and its recall hook). On one prompt each
// CLI also sends a background call that repeats the prompt (Claude Code's session title, Gemini
// CLI's routing call): the memory is recalled once, into the main conversation's request.

const FACT = 'The staging database listens on port 5433';
const PROMPT = 'Which port does the staging database listen on? Check with a command.';

let dir: string | undefined;
let upstream: FakeUpstream | undefined;
let proxy: RunningProxy | undefined;
let memories: Memories | undefined;
afterEach(async () => {
  await proxy?.close();
  await upstream?.close();
  memories?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = upstream = proxy = memories = undefined;
});

/** One shell command, then an answer; the background calls get what they expect. */
const script: Script = (call) => {
  if (isGeminiRoutingCall(call)) return GEMINI_ROUTE;
  if (call.toolNames.length === 0) return '{"title": "Staging database port"}';
  if (call.toolOutputs.length > 0) return 'FINAL: 5433';
  const shell = call.toolNames.find((n) => n === 'Bash' || n === 'run_shell_command')!;
  return { toolCalls: [{ name: shell, input: { command: 'echo checked', description: 'Check' } }] };
};

/** The fake upstream, and the proxy with a project memory that holds FACT, in front of it. */
async function setup(): Promise<{ upstream: FakeUpstream; proxy: RunningProxy; ledgerDir: string; cwd: string }> {
  dir = fs.mkdtempSync(join(os.tmpdir(), 'headroom-recall-main-'));
  const cwd = join(dir, 'project');
  fs.mkdirSync(cwd);
  memories = await Memories.open({ env: { ...process.env, HEADROOM_HOME: join(dir, 'headroom'), HEADROOM_USER: 'ada' }, project: 'github.com/acme/shop' });
  expect((await memories.save({ text: FACT, agent: 'codex', source: 'tool' })).status).toBe('inserted');
  upstream = await startFakeUpstream(script);
  const ledgerDir = join(dir, 'ledger');
  const hooks = memoryHooks(memories);
  // A generous recall budget: this is about where recall goes, not how fast it is on a busy machine.
  proxy = await startProxy({ ...agentRecognition, port: 0, upstreams: { anthropic: upstream.url, gemini: upstream.url }, store: new FileCcrStore(join(dir, 'ccr')), ledgerDir, tools: hooks.tools, recall: hooks.recall, recallTimeoutMs: 60_000 });
  return { upstream, proxy, ledgerDir, cwd };
}

function ledgerRecalls(ledgerDir: string): number[] {
  return fs.readdirSync(ledgerDir).flatMap((f) => fs.readFileSync(join(ledgerDir, f), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { recalled: number }).recalled));
}

const declaresTools = (r: RecordedRequest): boolean => ((r.json as { tools?: unknown[] }).tools?.length ?? 0) > 0;

/** Exactly one recall for the prompt; its block in the main conversation's requests only. */
function expectOneRecallIntoTheMainConversation(run: AgentRun, ledgerDir: string, background: RecordedRequest[], main: RecordedRequest[]): void {
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toContain('FINAL: 5433');
  expect(background.length).toBeGreaterThan(0);
  for (const r of background) {
    expect(r.body).toContain('staging database listen on');
    expect(r.body).not.toContain('<headroom-memory');
  }
  // Two turns of the main conversation: the first gets the memory, the second replays it as it was sent.
  expect(main).toHaveLength(2);
  for (const r of main) expect(r.body).toContain(FACT);
  const recalls = ledgerRecalls(ledgerDir);
  expect(recalls.filter((n) => n > 0)).toEqual([1]);
  expect(proxy!.stats().byAgent).not.toHaveProperty('unknown');
}

describe('--memory recalls once per prompt, into the main conversation', () => {
  it('Claude Code: not into its session title request', async () => {
    const t = await setup();
    const run = await runClaude({ baseUrl: t.proxy.url, cwd: t.cwd, prompt: PROMPT, nonessentialTraffic: true });
    const requests = t.upstream.modelRequests();
    const titles = requests.filter((r) => !declaresTools(r));
    expect(titles.map((r) => r.body.includes('Generate a concise, sentence-case title'))).toEqual([true]);
    expectOneRecallIntoTheMainConversation(run, t.ledgerDir, titles, requests.filter(declaresTools));
  }, 240_000);

  it('Gemini CLI: not into its routing call', async () => {
    const t = await setup();
    const run = await runGemini({ baseUrl: t.proxy.url, cwd: t.cwd, prompt: PROMPT, timeoutMs: 90_000 });
    const requests = t.upstream.modelRequests();
    const routing = requests.filter((r) => r.url.includes(':generateContent'));
    expect(routing).toHaveLength(1);
    expectOneRecallIntoTheMainConversation(run, t.ledgerDir, routing, requests.filter(declaresTools));
  }, 240_000);
});
