import OpenAI from 'openai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ccrKey, FileCcrStore } from '../../src/compress/ccr-store.js';
import { keysInText } from '../../src/compress/marker.js';
import { startProxy, type ProxyOptions, type RunningProxy } from '../../src/proxy/server.js';
import { scriptSequence, startFakeUpstream, toolOutputsOf, type FakeUpstream, type Script } from '../helpers/fake-upstream.js';
import { agentRecognition } from '../../src/agents/index.js';

type Json = Record<string, unknown>;

/** The question and the (single, large) tool output of a recorded agent workload. */
function workload(id: string, output = 0): { question: string; command: string; toolOutput: string } {
  const request = JSON.parse(readFileSync(join('fixtures/workloads', id, 'request.json'), 'utf8')) as {
    messages: Array<{ content: Array<{ type: string; text?: string; content?: string; input?: { command: string } }> }>;
  };
  const [user, assistant, results] = request.messages;
  return {
    question: user!.content.find((b) => b.type === 'text')!.text!,
    command: assistant!.content.filter((b) => b.type === 'tool_use')[output]!.input!.command,
    toolOutput: results!.content.filter((b) => b.type === 'tool_result')[output]!.content!,
  };
}

const capture = (path: string): Json => (JSON.parse(readFileSync(join('/work/shared/wire', path), 'utf8')) as { body: Json }).body;

/** A tool output too short to compress, with bytes a re-serialisation would change. */
const smallOutput = 'total 0\n-rw-r--r-- 1 postgres postgres 0 caf\u00e9 \u2713.log\n';

const postgres = workload('p02-sre-postgres-deadlock-crash');
const nginx = workload('p03-sre-nginx-upstream-502');

/** A Copilot CLI request (its real system prompt and tools) that ran a command and got `toolOutput` back. */
function chatRequest(stream: boolean, toolOutput = postgres.toolOutput): Json {
  const copilot = capture('copilot/001-POST-_v1_chat_completions.json');
  const system = (copilot.messages as Json[])[0]!;
  const call = { id: 'call_bash_1', type: 'function', function: { name: 'bash', arguments: JSON.stringify({ command: postgres.command }) } };
  const messages = [
    system,
    { role: 'user', content: postgres.question },
    { role: 'assistant', content: 'I\u2019ll look at the recent PostgreSQL server log.', tool_calls: [call] },
    { role: 'tool', tool_call_id: call.id, content: toolOutput },
  ];
  const { stream_options: _options, ...rest } = copilot;
  return { ...rest, messages, stream, ...(stream ? { stream_options: { include_usage: true } } : {}) };
}

type ChatTool = { function?: { name: string }; custom?: { name: string } };
const chatToolName = (tool: ChatTool): string | undefined => (tool.function ?? tool.custom)?.name;

/** A Codex CLI request (its real instructions items and tools) whose last item is a large command output. */
function responsesRequest(stream: boolean, toolOutput = nginx.toolOutput): Json {
  const codex = capture('codex-tool/002-POST-_v1_responses.json');
  const input = (codex.input as Json[]).slice(0, 3);
  input.push(
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: nginx.question }] },
    { type: 'function_call', id: 'fc_1', call_id: 'call_exec_1', name: 'exec_command', arguments: JSON.stringify({ cmd: nginx.command }), status: 'completed' },
    { type: 'function_call_output', call_id: 'call_exec_1', output: toolOutput },
  );
  return { ...codex, input, stream };
}

const home = mkdtempSync(join(tmpdir(), 'headroom-openai-'));
const store = new FileCcrStore(join(home, 'ccr'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

interface Setup {
  fake: FakeUpstream;
  proxy: RunningProxy;
  client: OpenAI;
  close: () => Promise<void>;
}

async function setup(script?: Script, options: ProxyOptions = {}): Promise<Setup> {
  const fake = await startFakeUpstream(script);
  const proxy = await startProxy({ ...agentRecognition, port: 0, upstreams: { openai: fake.url }, store, ledgerDir: false, ...options });
  const client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'test-key', maxRetries: 0 });
  return { fake, proxy, client, close: async () => (await proxy.close(), await fake.close()) };
}

async function withSetup(script: Script | undefined, body: (t: Setup) => Promise<void>, options?: ProxyOptions): Promise<void> {
  const t = await setup(script, options);
  try {
    await body(t);
  } finally {
    await t.close();
  }
}

/** Posts raw bytes as a client would, expecting a 200 read to the end. */
async function postRaw(t: Setup, path: string, raw: string): Promise<Response> {
  const res = await fetch(`${t.proxy.url}${path}`, { method: 'POST', body: Buffer.from(raw), headers: { 'content-type': 'application/json', authorization: 'Bearer k' } });
  expect(res.status).toBe(200);
  await res.clone().text();
  return res;
}

/** The first retrieval key in the latest tool output the fake received. */
function keyOf(toolOutputs: string[]): string {
  const key = keysInText(toolOutputs.at(-1) ?? '')[0];
  if (!key) throw new Error('the forwarded tool output carries no retrieval marker');
  return key;
}

/** What the proxy inserted into `sent` to get `forwarded`, when it only inserted (else undefined). */
function insertionOf(sent: string, forwarded: string): string | undefined {
  let start = 0;
  while (start < sent.length && sent[start] === forwarded[start]) start++;
  let tail = 0;
  while (tail < sent.length - start && sent[sent.length - 1 - tail] === forwarded[forwarded.length - 1 - tail]) tail++;
  return start + tail === sent.length ? forwarded.slice(start, forwarded.length - tail) : undefined;
}

/**
 * The forwarded body is the client's body with the tool output's bytes replaced: everything
 * before the output is the same text, and the compressed output names the original's key.
 */
function expectSplicedOutput(sentRaw: string, forwardedRaw: string, original: string, forwarded: string): void {
  const at = sentRaw.indexOf(JSON.stringify(original));
  expect(at).toBeGreaterThan(0);
  expect(forwardedRaw.slice(0, at)).toBe(sentRaw.slice(0, at));
  expect(forwardedRaw.slice(at, at + JSON.stringify(forwarded).length)).toBe(JSON.stringify(forwarded));
  expect(forwarded.length).toBeLessThan(original.length / 2);
  expect(keysInText(forwarded)).toEqual([ccrKey(original)]);
  expect(store.get(ccrKey(original))).toBe(original);
}

describe('OpenAI Chat Completions through the proxy (Copilot-style)', () => {
  it('compresses a large tool message, adds headroom_retrieve and leaves the rest as sent', async () => {
    await withSetup(undefined, async (t) => {
      const request = chatRequest(false);
      const res = await t.client.chat.completions.create(request as never).withResponse();
      expect(res.data.choices[0]!.message.content).toMatch(/^ok: 1 tool outputs, \d+ bytes$/);
      expect(Number(res.response.headers.get('x-headroom-tokens-saved'))).toBeGreaterThan(1000);

      const [sent] = t.fake.modelRequests();
      const json = sent!.json as { messages: Json[]; tools: ChatTool[] };
      const forwarded = json.messages.at(-1)!.content as string;
      expectSplicedOutput(JSON.stringify(request), sent!.body, postgres.toolOutput, forwarded);
      expect(json.messages.slice(0, -1)).toEqual((request.messages as Json[]).slice(0, -1));
      // Copilot declares function and custom (apply_patch) tools.
      expect(json.tools.map(chatToolName)).toEqual([...(request.tools as ChatTool[]).map(chatToolName), 'headroom_retrieve']);
      expect(json.tools.slice(0, -1)).toEqual(request.tools);
      const { messages: _m, tools: _t, ...rest } = request;
      expect(sent!.json).toMatchObject(rest);
      expect(sent!.headers.authorization).toBe('Bearer test-key');
    });
  });

  it('streams the answer to the SDK with the compressed request', async () => {
    await withSetup(undefined, async (t) => {
      const final = await t.client.chat.completions.stream(chatRequest(true) as never).finalChatCompletion();
      const bytes = Number(/(\d+) bytes/.exec(final.choices[0]!.message.content ?? '')![1]);
      expect(bytes).toBeGreaterThan(0);
      expect(bytes).toBeLessThan(Buffer.byteLength(postgres.toolOutput) / 2);
      expect(final.choices[0]!.finish_reason).toBe('stop');
      expect(final.usage?.prompt_tokens).toBeGreaterThan(0);
    });
  });

  it('answers a retrieve-only call itself and splices both rounds into one stream', async () => {
    const script: Script = (call) =>
      call.index === 0
        ? { text: 'Let me look. ', toolCalls: [{ name: 'headroom_retrieve', input: { key: keyOf(call.toolOutputs), query: 'deadlock' }, id: 'call_r1' }], usage: { input: 1000, output: 10 } }
        : { text: `found ${call.toolOutputs.at(-1)!.includes('deadlock detected') ? 'it' : 'nothing'}`, usage: { input: 2000, output: 4, cacheRead: 900 } };
    await withSetup(script, async (t) => {
      const stream = t.client.chat.completions.stream(chatRequest(true) as never);
      const chunks: Array<{ id: string; choices: Array<{ finish_reason: string | null; delta: Json }> }> = [];
      stream.on('chunk', (c) => chunks.push(c as never));
      const final = await stream.finalChatCompletion();
      expect(final.choices[0]!.message.content).toBe('Let me look. found it');
      expect(final.choices[0]!.message.tool_calls ?? []).toEqual([]);
      expect(final.choices[0]!.finish_reason).toBe('stop');
      expect(final.usage).toMatchObject({ prompt_tokens: 3900, completion_tokens: 14, total_tokens: 3914, prompt_tokens_details: { cached_tokens: 900 } });
      // One stream: one id, one role delta, one finish, no trace of the retrieve call.
      expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
      expect(chunks.filter((c) => c.choices[0]?.delta.role !== undefined)).toHaveLength(1);
      expect(chunks.flatMap((c) => c.choices).filter((c) => c.finish_reason !== null)).toHaveLength(1);
      expect(JSON.stringify(chunks)).not.toContain('headroom_retrieve');

      const [first, second] = t.fake.modelRequests();
      const messages = (second!.json as { messages: Json[] }).messages;
      expect(messages.slice(0, -2)).toEqual((first!.json as { messages: Json[] }).messages);
      expect(messages.at(-2)).toMatchObject({ role: 'assistant', tool_calls: [{ id: 'call_r1', function: { name: 'headroom_retrieve' } }] });
      expect(messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_r1' });
      const answer = messages.at(-1)!.content as string;
      expect(answer).toContain('deadlock detected');
      for (const line of answer.split('\n').filter((l) => l.startsWith('2026-'))) expect(postgres.toolOutput).toContain(line);
      // The continuation extends the first forwarded body: the cached prefix holds.
      const end = first!.body.indexOf('"tool_call_id":"call_bash_1"');
      expect(second!.body.slice(0, end)).toBe(first!.body.slice(0, end));
      expect(t.proxy.stats().retrievals).toMatchObject({ calls: 1, rounds: 1, unknownKeys: 0 });
    });
  });

  it('merges a non-streamed retrieval loop into one completion with summed usage', async () => {
    const script = scriptSequence(
      { toolCalls: [{ name: 'headroom_retrieve', input: { key: '0123456789abcdef' } }], usage: { input: 100, output: 7 } },
      { text: 'done', usage: { input: 200, output: 5, cacheRead: 50 } },
    );
    await withSetup(script, async (t) => {
      const completion = await t.client.chat.completions.create(chatRequest(false) as never);
      expect(completion.choices[0]!.message.content).toBe('done');
      expect(completion.choices[0]!.message.tool_calls).toBeUndefined();
      expect(completion.choices[0]!.finish_reason).toBe('stop');
      expect(completion.id).toBe('chatcmpl-fake-001');
      expect(completion.usage).toMatchObject({ prompt_tokens: 350, completion_tokens: 12, prompt_tokens_details: { cached_tokens: 50 } });
      expect(t.fake.modelRequests()).toHaveLength(2);
      expect(t.proxy.stats().retrievals.unknownKeys).toBe(1);
    });
  });

  it('hides a retrieve call mixed with a client tool call and lets the client call through', async () => {
    const script = scriptSequence({
      text: 'Checking.',
      toolCalls: [
        { name: 'headroom_retrieve', input: { key: '0123456789abcdef' } },
        { name: 'bash', input: { command: 'ls /var/log/postgresql' }, id: 'call_ls' },
      ],
    });
    await withSetup(script, async (t) => {
      const final = await t.client.chat.completions.stream(chatRequest(true) as never).finalChatCompletion();
      const message = final.choices[0]!.message;
      expect(message.content).toBe('Checking.');
      expect(message.tool_calls).toEqual([{ id: 'call_ls', type: 'function', function: { name: 'bash', arguments: '{"command":"ls /var/log/postgresql"}' } }]);
      expect(final.choices[0]!.finish_reason).toBe('tool_calls');
      expect(t.fake.modelRequests()).toHaveLength(1);
      expect(t.proxy.stats().retrievals.unanswered).toBe(1);
    });
  });

  it('hides a mixed retrieve call in a non-streamed completion too', async () => {
    const script = scriptSequence({
      toolCalls: [
        { name: 'bash', input: { command: 'uptime' }, id: 'call_up' },
        { name: 'headroom_retrieve', input: { key: '0123456789abcdef' } },
      ],
    });
    await withSetup(script, async (t) => {
      const completion = await t.client.chat.completions.create(chatRequest(false) as never);
      expect(completion.choices[0]!.message.tool_calls).toEqual([{ id: 'call_up', type: 'function', function: { name: 'bash', arguments: '{"command":"uptime"}' } }]);
      expect(completion.choices[0]!.finish_reason).toBe('tool_calls');
    });
  });

  it('ends the turn normally when the model keeps retrieving past the round limit', async () => {
    const script: Script = (call) => ({ text: `round ${call.index}. `, toolCalls: [{ name: 'headroom_retrieve', input: { key: keyOf(call.toolOutputs.slice(0, 1)) } }] });
    await withSetup(
      script,
      async (t) => {
        const final = await t.client.chat.completions.stream(chatRequest(true) as never).finalChatCompletion();
        expect(final.choices[0]!.message.content).toBe('round 0. round 1. round 2. ');
        expect(final.choices[0]!.message.tool_calls ?? []).toEqual([]);
        expect(final.choices[0]!.finish_reason).toBe('stop');
        expect(t.fake.modelRequests()).toHaveLength(3);
        const completion = await t.client.chat.completions.create(chatRequest(false) as never);
        expect(completion.choices[0]!.message.content).toBe('round 3. round 4. round 5. ');
        expect(completion.choices[0]!.finish_reason).toBe('stop');
      },
      { maxRetrievalRounds: 2 },
    );
  });

  it('reports an upstream failure in a retrieval round: an error the SDK raises, or the upstream status', async () => {
    const failing = { error: { status: 429, body: { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } } } };
    const retrieve = { toolCalls: [{ name: 'headroom_retrieve', input: { key: '0123456789abcdef' } }] };
    await withSetup(scriptSequence(retrieve, failing, retrieve, failing), async (t) => {
      const stream = t.client.chat.completions.stream(chatRequest(true) as never);
      await expect(stream.finalChatCompletion()).rejects.toThrow(/answered 429 while answering a retrieval/);
      await expect(t.client.chat.completions.create(chatRequest(false) as never)).rejects.toMatchObject({ status: 429, error: { code: 'rate_limit_exceeded' } });
      expect(t.fake.modelRequests()).toHaveLength(4);
    });
  });

  it('decodes gzip and br rounds of a retrieval loop into one plain stream', async () => {
    const script: Script = (call) =>
      call.index === 0
        ? { text: 'zipped, ', toolCalls: [{ name: 'headroom_retrieve', input: { key: keyOf(call.toolOutputs) } }], encoding: 'gzip' }
        : { text: 'then brotli', encoding: 'br' };
    await withSetup(script, async (t) => {
      const final = await t.client.chat.completions.stream(chatRequest(true) as never).finalChatCompletion();
      expect(final.choices[0]!.message.content).toBe('zipped, then brotli');
      // The retrieval answer is the whole original when no query is given.
      expect(toolOutputsOf('openai-chat', t.fake.modelRequests()[1]!.json).at(-1)).toBe(postgres.toolOutput);
    });
  });

  it('forwards a request with nothing to compress byte for byte, but for the retrieve tool it always adds', async () => {
    await withSetup(undefined, async (t) => {
      const raw = JSON.stringify(chatRequest(false, smallOutput), null, 2).replace('"messages"', '"messages"  ');
      const res = await postRaw(t, '/v1/chat/completions', raw);
      expect(res.headers.get('x-headroom-tokens-saved')).toBe('0');
      const inserted = insertionOf(raw, t.fake.modelRequests()[0]!.body);
      expect(inserted).toBeDefined();
      expect(JSON.parse(`[${inserted!.replace(/^,/, '')}]`)).toMatchObject([{ type: 'function', function: { name: 'headroom_retrieve' } }]);
      // Without tools of its own a request is never touched.
      const { tools: _tools, ...toolless } = chatRequest(false, smallOutput);
      const bare = JSON.stringify(toolless, null, 1);
      await postRaw(t, '/v1/chat/completions', bare);
      expect(t.fake.modelRequests()[1]!.body).toBe(bare);
    });
  });

  it('forwards a compressible request as it came when the client asks for x-headroom-bypass', async () => {
    await withSetup(undefined, async (t) => {
      const raw = JSON.stringify(chatRequest(false));
      const res = await fetch(`${t.proxy.url}/v1/chat/completions`, { method: 'POST', body: raw, headers: { 'content-type': 'application/json', 'x-headroom-bypass': 'true' } });
      expect(res.status).toBe(200);
      await res.json();
      const [sent] = t.fake.modelRequests();
      expect(sent!.body).toBe(raw);
      expect(sent!.headers['x-headroom-bypass']).toBeUndefined();
    });
  });

  it('with the retrieve tool only when compressed, a request with nothing to compress goes byte for byte', async () => {
    await withSetup(
      undefined,
      async (t) => {
        const raw = JSON.stringify(chatRequest(true, smallOutput), null, 2);
        const res = await postRaw(t, '/v1/chat/completions', raw);
        expect(res.headers.get('content-type')).toContain('text/event-stream');
        expect(t.fake.modelRequests()[0]!.body).toBe(raw);
      },
      { retrieveTool: 'when-compressed' },
    );
  });
});

describe('OpenAI Responses through the proxy (Codex-style)', () => {
  const codexHeaders = { 'session-id': 'codex-session-1', originator: 'codex_exec' };

  it('compresses a large function_call_output, adds headroom_retrieve and leaves the rest as sent', async () => {
    await withSetup(undefined, async (t) => {
      const request = responsesRequest(false);
      const response = await t.client.responses.create(request as never, { headers: codexHeaders });
      expect(response.output_text).toMatch(/^ok: 1 tool outputs/);

      const [sent] = t.fake.modelRequests();
      const json = sent!.json as { input: Json[]; tools: Array<{ name?: string; type: string }> };
      const forwarded = json.input.at(-1)!.output as string;
      expectSplicedOutput(JSON.stringify(request), sent!.body, nginx.toolOutput, forwarded);
      expect(json.input.slice(0, -1)).toEqual((request.input as Json[]).slice(0, -1));
      expect(json.tools.slice(0, -1)).toEqual(request.tools);
      expect(json.tools.at(-1)).toMatchObject({ type: 'function', name: 'headroom_retrieve' });
      expect(sent!.headers['session-id']).toBe('codex-session-1');
      expect(Object.keys(t.proxy.stats().byAgent)).toEqual(['codex']);
    });
  });

  it('answers a retrieve-only call itself and gives the SDK one consistent event stream', async () => {
    const script: Script = (call) =>
      call.index === 0
        ? { text: 'Reading the log. ', toolCalls: [{ name: 'headroom_retrieve', input: { key: keyOf(call.toolOutputs), query: 'upstream prematurely closed' }, id: 'call_r1' }], usage: { input: 500, output: 9 } }
        : { text: `found ${call.toolOutputs.at(-1)!.includes('upstream prematurely closed') ? 'it' : 'nothing'}`, usage: { input: 700, output: 3, cacheRead: 400 } };
    await withSetup(script, async (t) => {
      const stream = t.client.responses.stream(responsesRequest(true) as never, { headers: codexHeaders });
      const events: Array<{ type: string; sequence_number: number; output_index?: number; response?: { id: string } }> = [];
      for await (const ev of stream) events.push(ev as never);
      const final = await stream.finalResponse();
      expect(final.output_text).toBe('Reading the log. found it');
      expect(final.output.map((o) => o.type)).toEqual(['message', 'message']);
      expect(final.status).toBe('completed');
      expect(final.id).toBe('resp_fake_001');
      expect(final.usage).toMatchObject({ input_tokens: 1600, output_tokens: 12, input_tokens_details: { cached_tokens: 400 } });
      expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
      expect(events.filter((e) => e.type === 'response.created')).toHaveLength(1);
      expect(events.filter((e) => e.type === 'response.completed')).toHaveLength(1);
      expect(events.at(-1)!.type).toBe('response.completed');
      expect([...new Set(events.filter((e) => e.type === 'response.output_item.added').map((e) => e.output_index))]).toEqual([0, 1]);
      expect(JSON.stringify(events)).not.toContain('headroom_retrieve');

      const [first, second] = t.fake.modelRequests();
      const input = (second!.json as { input: Json[] }).input;
      expect(input.slice(0, -3)).toEqual((first!.json as { input: Json[] }).input);
      expect(input.at(-2)).toMatchObject({ type: 'function_call', name: 'headroom_retrieve', call_id: 'call_r1' });
      expect(input.at(-1)).toMatchObject({ type: 'function_call_output', call_id: 'call_r1' });
      expect(input.at(-1)!.output).toContain('upstream prematurely closed');
      expect(second!.headers['session-id']).toBe('codex-session-1');
    });
  });

  it('merges a non-streamed retrieval loop into one response', async () => {
    const script: Script = (call) =>
      call.index === 0
        ? { toolCalls: [{ name: 'headroom_retrieve', input: { key: keyOf(call.toolOutputs) } }], usage: { input: 10, output: 3 } }
        : { text: `${call.toolOutputs.at(-1)!.length} chars back`, usage: { input: 20, output: 4 } };
    await withSetup(script, async (t) => {
      const response = await t.client.responses.create(responsesRequest(false) as never);
      expect(response.output_text).toBe(`${nginx.toolOutput.length} chars back`);
      expect(response.output.some((o) => o.type === 'function_call')).toBe(false);
      expect(response.usage).toMatchObject({ input_tokens: 30, output_tokens: 7 });
      expect(response.id).toBe('resp_fake_001');
    });
  });

  it('ends the streamed turn as completed when the model keeps retrieving past the round limit', async () => {
    const script: Script = (call) => ({ text: `round ${call.index}. `, toolCalls: [{ name: 'headroom_retrieve', input: { key: keyOf(call.toolOutputs.slice(0, 1)) } }] });
    await withSetup(
      script,
      async (t) => {
        const final = await t.client.responses.stream(responsesRequest(true) as never).finalResponse();
        expect(final.output_text).toBe('round 0. round 1. ');
        expect(final.output.map((o) => o.type)).toEqual(['message', 'message']);
        expect(final.status).toBe('completed');
        expect(t.fake.modelRequests()).toHaveLength(2);
      },
      { maxRetrievalRounds: 1 },
    );
  });

  it('hides a retrieve call mixed with a client tool call in the stream', async () => {
    const script = scriptSequence({
      toolCalls: [
        { name: 'headroom_retrieve', input: { key: '0123456789abcdef' } },
        { name: 'exec_command', input: { cmd: 'ls /var/log/nginx' }, id: 'call_ls' },
      ],
    });
    await withSetup(script, async (t) => {
      const events: Array<{ type: string; output_index?: number }> = [];
      const stream = await t.client.responses.create(responsesRequest(true) as never);
      for await (const ev of stream as unknown as AsyncIterable<{ type: string; output_index?: number; response?: { output: Json[] } }>) events.push(ev);
      const completed = events.at(-1) as { type: string; response: { output: Json[] } };
      expect(completed.type).toBe('response.completed');
      expect(completed.response.output).toEqual([expect.objectContaining({ type: 'function_call', name: 'exec_command', call_id: 'call_ls' })]);
      expect(events.filter((e) => e.output_index !== undefined).every((e) => e.output_index === 0)).toBe(true);
      expect(JSON.stringify(events)).not.toContain('headroom_retrieve');
      expect(t.fake.modelRequests()).toHaveLength(1);
    });
  });

  it('forwards a request with nothing to compress byte for byte', async () => {
    await withSetup(
      undefined,
      async (t) => {
        const raw = JSON.stringify(responsesRequest(false, smallOutput), null, '\t');
        const res = await postRaw(t, '/v1/responses', raw);
        expect(await res.json()).toMatchObject({ object: 'response', status: 'completed' });
        expect(t.fake.modelRequests()[0]!.body).toBe(raw);
      },
      { retrieveTool: 'when-compressed' },
    );
  });
});
