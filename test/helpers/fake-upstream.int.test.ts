import * as fs from 'node:fs';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { SseParser } from '../../src/wire/index.js';
import { scriptSequence, startFakeUpstream, toolOutputsOf, type FakeUpstream, type Reply, type Script, type WireFormat } from './fake-upstream.js';

// The fake upstream's replies, parsed by the real @anthropic-ai/sdk and openai clients (and, for
// Gemini, by headroom's own SSE parser), streamed and not, and its answers to the requests the
// real agent CLIs sent (shared/wire captures).

const WIRE = '/work/shared/wire';
const TOOL_INPUT = { command: 'grep -rn "TODO" src', limit: 5, nested: { paths: ['a.ts', 'b.ts'], deep: true } };
const toolReply: Reply = { text: 'Let me look.', toolCalls: [{ name: 'Bash', input: TOOL_INPUT }, { name: 'Read', input: { path: 'x.ts' }, id: 'chosen_id_1' }] };

let fake: FakeUpstream | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(script?: Script): Promise<FakeUpstream> {
  fake = await startFakeUpstream(script);
  return fake;
}

const anthropic = (f: FakeUpstream, timeout?: number) => new Anthropic({ apiKey: 'dummy', baseURL: f.url, maxRetries: 0, ...(timeout ? { timeout } : {}) });
const openai = (f: FakeUpstream) => new OpenAI({ apiKey: 'dummy', baseURL: `${f.url}/v1`, maxRetries: 0 });

const userTurn = [{ role: 'user' as const, content: 'hi' }];
/** An Anthropic conversation that carries one 11-byte tool output. */
const withToolResult: Anthropic.MessageParam[] = [
  { role: 'user', content: 'run it' },
  { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'echo' } }] },
  { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'hello world' }] },
];

describe('Anthropic Messages, through @anthropic-ai/sdk', () => {
  it.each([false, true])('echoes what the request carried (stream: %s)', async (stream) => {
    const f = await start();
    const params = { model: 'claude-fake', max_tokens: 100, messages: withToolResult };
    const msg = stream ? await anthropic(f).messages.stream(params).finalMessage() : await anthropic(f).messages.create(params);
    expect(msg.content).toEqual([expect.objectContaining({ type: 'text', text: 'ok: 1 tool outputs, 11 bytes' })]);
    expect(msg.stop_reason).toBe('end_turn');
    expect(msg.model).toBe('claude-fake');
    const r = f.requests[0]!;
    // @anthropic-ai/sdk 1.x authenticates with a bearer token (Claude Code's bundled SDK uses x-api-key).
    expect([r.method, r.url, r.format, r.headers.authorization]).toEqual(['POST', '/v1/messages', 'anthropic', 'Bearer dummy']);
    expect(JSON.parse(r.body)).toEqual(r.json);
    expect((r.json as { stream?: boolean }).stream ?? false).toBe(stream);
  });

  it.each([false, true])('returns text and tool calls with their inputs (stream: %s)', async (stream) => {
    const f = await start(() => toolReply);
    const params = { model: 'claude-fake', max_tokens: 100, messages: userTurn };
    const msg = stream ? await anthropic(f).messages.stream(params).finalMessage() : await anthropic(f).messages.create(params);
    expect(msg.stop_reason).toBe('tool_use');
    expect(msg.content).toEqual([
      expect.objectContaining({ type: 'text', text: 'Let me look.' }),
      expect.objectContaining({ type: 'tool_use', name: 'Bash', input: TOOL_INPUT, id: expect.stringMatching(/^toolu_/) }),
      expect.objectContaining({ type: 'tool_use', name: 'Read', input: { path: 'x.ts' }, id: 'chosen_id_1' }),
    ]);
  });

  it('reports the usage the script sets, cache reads included, in the streamed events', async () => {
    const f = await start(() => ({ text: 'cached', usage: { input: 10, cacheRead: 900, output: 3 } }));
    const stream = anthropic(f).messages.stream({ model: 'claude-fake', max_tokens: 100, messages: userTurn });
    const types: string[] = [];
    stream.on('streamEvent', (ev) => types.push(ev.type));
    const msg = await stream.finalMessage();
    expect(msg.usage).toMatchObject({ input_tokens: 10, cache_read_input_tokens: 900, output_tokens: 3 });
    expect(types[0]).toBe('message_start');
    expect(types.slice(-2)).toEqual(['message_delta', 'message_stop']);
  });

  it('answers the ?beta=true path Claude Code uses, and count_tokens', async () => {
    const f = await start();
    const res = await fetch(`${f.url}/v1/messages?beta=true`, { method: 'POST', body: JSON.stringify({ model: 'claude-fake', max_tokens: 10, messages: userTurn }) });
    expect(await res.json()).toMatchObject({ content: [{ type: 'text', text: 'ok: 0 tool outputs, 0 bytes' }] });
    const count = await anthropic(f).messages.countTokens({ model: 'claude-fake', messages: userTurn });
    expect(count.input_tokens).toBeGreaterThan(0);
    expect(f.requests.map((r) => r.url)).toEqual(['/v1/messages?beta=true', '/v1/messages/count_tokens']);
    expect(f.modelRequests()).toHaveLength(1);
  });
});

describe('OpenAI Chat Completions, through openai', () => {
  it.each([false, true])('returns text and tool calls (stream: %s)', async (stream) => {
    const f = await start(scriptSequence('plain text answer', toolReply));
    const client = openai(f);
    const params = { model: 'gpt-fake', messages: [{ role: 'user' as const, content: 'hi' }], stream_options: stream ? { include_usage: true } : undefined };
    const ask = async () =>
      stream ? await client.chat.completions.stream(params).finalChatCompletion() : await client.chat.completions.create({ ...params, stream: false });
    const first = await ask();
    expect(first.choices[0]?.message.content).toBe('plain text answer');
    expect(first.choices[0]?.finish_reason).toBe('stop');
    const second = await ask();
    expect(second.choices[0]?.finish_reason).toBe('tool_calls');
    const calls = second.choices[0]?.message.tool_calls ?? [];
    expect(calls.map((c) => (c.type === 'function' ? [c.function.name, JSON.parse(c.function.arguments)] : []))).toEqual([
      ['Bash', TOOL_INPUT],
      ['Read', { path: 'x.ts' }],
    ]);
    expect(calls[1]?.id).toBe('chosen_id_1');
    expect(second.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('ends a stream with a usage chunk and [DONE]', async () => {
    const f = await start(() => ({ text: 'x', usage: { input: 5, cacheRead: 20, output: 1 } }));
    const chunks = [];
    for await (const chunk of await openai(f).chat.completions.create({ model: 'gpt-fake', messages: userTurn, stream: true })) chunks.push(chunk);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 25, prompt_tokens_details: { cached_tokens: 20 } } });
  });

  it('lists models', async () => {
    const f = await start();
    const ids = [];
    for await (const m of openai(f).models.list()) ids.push(m.id);
    expect(ids).toContain('gpt-fake');
  });
});

describe('OpenAI Responses, through openai', () => {
  it.each([false, true])('returns text and function calls (stream: %s)', async (stream) => {
    const f = await start(() => toolReply);
    const client = openai(f);
    const params = { model: 'gpt-fake', input: 'hi' };
    const res = stream ? await client.responses.stream(params).finalResponse() : await client.responses.create(params);
    expect(res.status).toBe('completed');
    expect(res.output_text).toBe('Let me look.');
    const output: OpenAI.Responses.ResponseOutputItem[] = res.output;
    const calls = output.flatMap((o) => (o.type === 'function_call' ? [[o.name, JSON.parse(o.arguments), o.call_id]] : []));
    expect(calls).toEqual([
      ['Bash', TOOL_INPUT, expect.stringMatching(/^call_/)],
      ['Read', { path: 'x.ts' }, 'chosen_id_1'],
    ]);
  });

  it('numbers stream events from 0 and ends with response.completed carrying usage', async () => {
    const f = await start(() => ({ ...toolReply, usage: { input: 7, cacheRead: 70, output: 2 } }));
    const events = [];
    for await (const ev of openai(f).responses.stream({ model: 'gpt-fake', input: 'hi' })) events.push(ev);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const last = events.at(-1);
    expect(last?.type).toBe('response.completed');
    if (last?.type === 'response.completed') expect(last.response.usage).toMatchObject({ input_tokens: 77, input_tokens_details: { cached_tokens: 70 } });
  });

  it('counts function_call_output items as tool outputs', async () => {
    const f = await start();
    const res = await openai(f).responses.create({
      model: 'gpt-fake',
      input: [
        { type: 'function_call', call_id: 'c1', name: 'exec_command', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: 'twelve bytes' },
      ],
    });
    expect(res.output_text).toBe('ok: 1 tool outputs, 12 bytes');
  });
});

describe('Gemini generateContent', () => {
  const post = (f: FakeUpstream, path: string, body: object) =>
    fetch(`${f.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const contents = [{ role: 'user', parts: [{ text: 'hi' }] }];

  it('answers generateContent with one candidate', async () => {
    const f = await start(() => toolReply);
    const res = await post(f, '/v1beta/models/gemini-fake:generateContent', { contents });
    const body = (await res.json()) as { candidates: Array<{ content: { parts: unknown[] }; finishReason: string }> };
    expect(body.candidates[0]?.finishReason).toBe('STOP');
    expect(body.candidates[0]?.content.parts).toEqual([
      { text: 'Let me look.' },
      { functionCall: { name: 'Bash', args: TOOL_INPUT } },
      { functionCall: { name: 'Read', args: { path: 'x.ts' }, id: 'chosen_id_1' } },
    ]);
    expect(f.requests[0]?.format).toBe('gemini');
  });

  it('streams alt=sse chunks that add up to the same parts', async () => {
    const f = await start(() => toolReply);
    const res = await post(f, '/v1beta/models/gemini-fake:streamGenerateContent?alt=sse', { contents });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const parser = new SseParser();
    const events = parser.push(await res.text());
    expect(parser.end()).toBe('');
    const chunks = events.map((e) => JSON.parse(e.data) as { candidates: Array<{ content: { parts: Array<{ text?: string }> }; finishReason?: string }> });
    expect(chunks.length).toBeGreaterThan(2);
    const parts = chunks.flatMap((c) => c.candidates[0]?.content.parts ?? []);
    expect(parts.map((p) => p.text ?? '').join('')).toBe('Let me look.');
    expect(parts.filter((p) => 'functionCall' in p)).toHaveLength(2);
    expect(chunks.map((c) => c.candidates[0]?.finishReason)).toEqual([...chunks.slice(1).map(() => undefined), 'STOP']);
  });
});

describe('faults', () => {
  const params = { model: 'claude-fake', max_tokens: 10, messages: userTurn };

  it('sends a scripted error status and body', async () => {
    const body = { type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } };
    const f = await start(() => ({ error: { status: 429, body, headers: { 'retry-after': '1' } } }));
    const err = await anthropic(f).messages.create(params).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    expect((err as InstanceType<typeof Anthropic.RateLimitError>).error).toEqual(body);
  });

  it('resets the connection part way through a stream', async () => {
    const f = await start(() => ({ text: 'a long enough answer to split', fault: { resetAfterEvents: 3 } }));
    const seen: string[] = [];
    const stream = anthropic(f).messages.stream(params);
    stream.on('streamEvent', (ev) => seen.push(ev.type));
    await expect(stream.finalMessage()).rejects.toThrow();
    // The SDK drops ping events, the third one sent.
    expect(seen).toEqual(['message_start', 'content_block_start']);
  });

  it('ends a stream cleanly part way, after whole events or in the middle of one', async () => {
    const f = await start(scriptSequence({ text: 'a long enough answer to split', fault: { endAfterEvents: 3 } }, { text: 'a long enough answer to split', fault: { endAfterBytes: 300 } }));
    const body = JSON.stringify({ ...params, stream: true });
    const whole = await (await fetch(`${f.url}/v1/messages`, { method: 'POST', body })).text();
    expect(whole.match(/^event: /gm)).toEqual(['event: ', 'event: ', 'event: ']);
    expect(whole.endsWith('\n\n')).toBe(true);
    const cut = await (await fetch(`${f.url}/v1/messages`, { method: 'POST', body })).text();
    expect(Buffer.byteLength(cut)).toBe(300);
    expect(cut.endsWith('\n')).toBe(false);
  });

  it('resets the connection part way through a JSON body', async () => {
    const f = await start(() => ({ text: 'x', fault: { resetAfterBytes: 20 } }));
    await expect(openai(f).chat.completions.create({ model: 'gpt-fake', messages: userTurn })).rejects.toThrow();
  });

  it('delays headers past the client timeout', async () => {
    const f = await start(() => ({ text: 'late', fault: { delayHeadersMs: 2_000 } }));
    await expect(anthropic(f, 200).messages.create(params)).rejects.toBeInstanceOf(Anthropic.APIConnectionTimeoutError);
  });

  it('still delivers a stream with pauses between events', async () => {
    const f = await start(() => ({ text: 'slow but whole', fault: { delayBetweenEventsMs: 5 } }));
    const res = await openai(f).responses.stream({ model: 'gpt-fake', input: 'hi' }).finalResponse();
    expect(res.output_text).toBe('slow but whole');
  });

  it('never answers a hung request, and close() still returns', async () => {
    const f = await start(() => ({ fault: { hang: true } }));
    const pending = anthropic(f).messages.create(params).catch((e: unknown) => e);
    while (f.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    await f.close();
    fake = undefined;
    expect(await pending).toBeInstanceOf(Anthropic.APIConnectionError);
  });

  it.each(['gzip', 'br'] as const)('compresses replies with %s, streamed and not', async (encoding) => {
    const f = await start(() => ({ ...toolReply, encoding }));
    const plain = await anthropic(f).messages.create(params);
    const streamed = await anthropic(f).messages.stream(params).finalMessage();
    for (const msg of [plain, streamed]) expect(msg.content.map((b) => b.type)).toEqual(['text', 'tool_use', 'tool_use']);
    const raw = await fetch(`${f.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages: [] }), headers: { 'accept-encoding': encoding } });
    expect(raw.headers.get('content-encoding')).toBe(encoding);
  });
});

describe('probes and the real CLI requests', () => {
  it('answers the HEAD probes and 404s unknown paths', async () => {
    const f = await start();
    for (const path of ['/', '/api/hello']) expect((await fetch(`${f.url}${path}`, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(`${f.url}/v2/nothing`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect(f.modelRequests()).toEqual([]);
  });

  const captures = fs
    .readdirSync(WIRE)
    .flatMap((dir) => fs.readdirSync(join(WIRE, dir)).map((file) => ({ dir, file })))
    .filter(({ file }) => file.includes('-POST-'));
  const formatOf = (dir: string): WireFormat =>
    dir.startsWith('claude') ? 'anthropic' : dir.startsWith('codex') ? 'openai-responses' : dir === 'copilot' ? 'openai-chat' : 'gemini';

  it.each(captures)('answers $dir/$file as the CLI asked', async ({ dir, file }) => {
    const capture = JSON.parse(fs.readFileSync(join(WIRE, dir, file), 'utf8')) as { url: string; body: { stream?: boolean } };
    const f = await start();
    const res = await fetch(`${f.url}${capture.url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(capture.body) });
    expect(res.status).toBe(200);
    const streamed = capture.body.stream === true || capture.url.includes('alt=sse');
    expect(res.headers.get('content-type')).toBe(streamed ? 'text/event-stream' : 'application/json');
    const format = formatOf(dir);
    const text = streamed ? streamedText(format, await res.text()) : visibleText(format, await res.json());
    expect(String(text)).toMatch(new RegExp(`^ok: ${toolOutputsOf(format, capture.body).length} tool outputs, \\d+ bytes$`));
    expect(f.requests[0]?.format).toBe(format);
  });

  it('finds the tool outputs in the captures that carry one', () => {
    const read = (p: string) => (JSON.parse(fs.readFileSync(join(WIRE, p), 'utf8')) as { body: unknown }).body;
    expect(toolOutputsOf('anthropic', read('claude-tool/003-POST-_v1_messages.json'))).toEqual(['TOOL-RAN-42']);
    const codex = toolOutputsOf('openai-responses', read('codex-tool/002-POST-_v1_responses.json'));
    expect(codex).toHaveLength(1);
    expect(codex[0]).toContain('CODEX-TOOL-42');
  });
});

/** The value at a path of keys and indexes in parsed JSON, or undefined. */
function dig(v: unknown, ...path: Array<string | number>): unknown {
  return path.reduce<unknown>((at, key) => (typeof at === 'object' && at !== null ? (at as Record<string | number, unknown>)[key] : undefined), v);
}

/** The visible text of a non-streamed reply. */
function visibleText(format: WireFormat, body: unknown): unknown {
  switch (format) {
    case 'anthropic':
      return dig(body, 'content', 0, 'text');
    case 'openai-chat':
      return dig(body, 'choices', 0, 'message', 'content');
    case 'openai-responses':
      return dig(body, 'output', 0, 'content', 0, 'text');
    case 'gemini':
      return dig(body, 'candidates', 0, 'content', 'parts', 0, 'text');
  }
}

/** The visible text of a streamed reply: its text deltas joined. */
function streamedText(format: WireFormat, sse: string): string {
  const parser = new SseParser();
  const datas = parser.push(sse).map((e) => e.data).filter((d) => d !== '[DONE]');
  const deltaOf = (ev: unknown): unknown => {
    if (format === 'anthropic') return dig(ev, 'type') === 'content_block_delta' ? dig(ev, 'delta', 'text') : '';
    if (format === 'openai-responses') return dig(ev, 'type') === 'response.output_text.delta' ? dig(ev, 'delta') : '';
    if (format === 'openai-chat') return dig(ev, 'choices', 0, 'delta', 'content');
    return dig(ev, 'candidates', 0, 'content', 'parts', 0, 'text');
  };
  return datas.map((d) => deltaOf(JSON.parse(d)) ?? '').join('');
}
