import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { splice, SseParser, toolOutputs as neutralToolOutputs } from '../../src/wire/index.js';
import { openaiChat, type ProxyResult, type Round } from '../../src/providers/index.js';
import { RETRIEVE_TOOL, RETRIEVE_TOOL_NAME, RETRIEVE_TOOL_SCHEMA, retrieveArgs } from '../../src/proxy/retrieval.js';
import { toolOutputs } from '../compress/fixtures.js';

type Json = Record<string, any>;

/** The request Copilot CLI sent (BYOK, Chat Completions); the SDK sends JSON.stringify(body). */
const capture = JSON.parse(readFileSync('/work/shared/wire/copilot/001-POST-_v1_chat_completions.json', 'utf8')) as { body: Json };
const firstTurn = JSON.stringify(capture.body);

const mochaOutput = toolOutputs('p06')[0]!;
const reposJson = toolOutputs('p10')[0]!;
const half = Math.floor(reposJson.length / 2);

/** The next request of that session: two bash calls answered with real outputs (one as text parts). */
const secondTurnBody = {
  ...capture.body,
  messages: [
    ...capture.body.messages,
    { role: 'assistant', content: null, tool_calls: [bashCall('call_Q3mWz8', 'npm test', 'Run the express test suite')] },
    { role: 'tool', tool_call_id: 'call_Q3mWz8', content: mochaOutput },
    { role: 'assistant', content: 'Now the org repositories.', tool_calls: [bashCall('call_h7Kd2p', 'gh api orgs/codeforamerica/repos', 'List repositories')] },
    { role: 'tool', tool_call_id: 'call_h7Kd2p', content: [{ type: 'text', text: reposJson.slice(0, half) }, { type: 'text', text: reposJson.slice(half) }] },
    { role: 'developer', content: 'Keep answers short.' },
  ],
};
const secondTurn = JSON.stringify(secondTurnBody);

function bashCall(id: string, command: string, description: string): Json {
  return { id, type: 'function', function: { name: 'bash', arguments: JSON.stringify({ command, description }) } };
}

describe('read', () => {
  it('reads the Copilot CLI capture', () => {
    const req = openaiChat.read(firstTurn);
    expect(req.model).toBe('gpt-fake');
    expect(req.stream).toBe(true);
    expect(req.system).toEqual([{ type: 'text', text: capture.body.messages[0].content }]);
    expect(req.tools).toHaveLength(16);
    expect(req.tools).toContain('bash');
    expect(req.tools).toContain('apply_patch'); // a custom (freeform) tool
    expect(req.messages).toHaveLength(1);
    expect(req.messages[0]!.role).toBe('user');
    expect(neutralToolOutputs(req)).toEqual([]);
  });

  it.each([
    ['compact', secondTurn],
    ['indented', JSON.stringify(secondTurnBody, null, 2)],
  ])('locates every tool output of a later turn (%s JSON)', (_, raw) => {
    const req = openaiChat.read(raw);
    const outputs = neutralToolOutputs(req);
    expect(outputs.map((o) => o.id)).toEqual(['call_Q3mWz8', 'call_h7Kd2p', 'call_h7Kd2p']);
    expect(outputs.map((o) => o.text)).toEqual([mochaOutput, reposJson.slice(0, half), reposJson.slice(half)]);
    for (const o of outputs) {
      expect(raw[o.span.start]).toBe('"');
      expect(JSON.parse(raw.slice(o.span.start, o.span.end))).toBe(o.text);
    }
    expect(req.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant', 'tool', 'system']);
    expect(req.messages[1]!.parts).toEqual([{ type: 'tool_call', id: 'call_Q3mWz8', name: 'bash', input: { command: 'npm test', description: 'Run the express test suite' } }]);
    expect(req.messages[3]!.parts[0]).toEqual({ type: 'text', text: 'Now the org repositories.' });
  });

  it('carries prompt_cache_key as the session key', () => {
    expect(openaiChat.read('{"model":"m","prompt_cache_key":"sess-1","messages":[]}').sessionKey).toBe('sess-1');
  });

  it('throws SyntaxError on invalid JSON', () => {
    expect(() => openaiChat.read(firstTurn.slice(0, -10))).toThrow(SyntaxError);
  });
});

describe('addTools', () => {
  it('appends the tool to the tools array and changes nothing else', () => {
    const edit = openaiChat.addTools(firstTurn, [RETRIEVE_TOOL]);
    expect(edit.start).toBe(edit.end);
    const raw = splice(firstTurn, [edit]);
    expect(raw.slice(0, edit.start)).toBe(firstTurn.slice(0, edit.start));
    expect(raw.slice(edit.start + edit.text.length)).toBe(firstTurn.slice(edit.start));
    const body = JSON.parse(raw) as Json;
    expect(body.tools).toHaveLength(17);
    expect(body.tools.slice(0, 16)).toEqual(capture.body.tools);
    expect(body.tools[16]).toEqual({ type: 'function', function: { name: RETRIEVE_TOOL_NAME, description: expect.any(String), parameters: RETRIEVE_TOOL_SCHEMA } });
    expect({ ...body, tools: undefined }).toEqual({ ...capture.body, tools: undefined });
    expect(openaiChat.read(raw).tools.at(-1)).toBe(RETRIEVE_TOOL_NAME);
  });

  it('inserts the same bytes for every request', () => {
    expect(openaiChat.addTools(secondTurn, [RETRIEVE_TOOL]).text).toBe(openaiChat.addTools(firstTurn, [RETRIEVE_TOOL]).text);
  });

  it.each([
    ['no tools', '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}'],
    ['an empty tools array', '{"model":"gpt-4o","messages":[],"tools":[ ]}'],
    ['tools: null', '{"model":"gpt-4o","tools":null,"messages":[]}'],
  ])('gives valid JSON for a request with %s', (_, raw) => {
    const body = JSON.parse(splice(raw, [openaiChat.addTools(raw, [RETRIEVE_TOOL])])) as Json;
    expect(body.tools.map((t: Json) => t.function.name)).toEqual([RETRIEVE_TOOL_NAME]);
  });
});

/** A non-streamed response as OpenAI returns it. */
function completion(id: string, message: Json, finish: string, usage: Json): Json {
  return {
    id,
    object: 'chat.completion',
    created: 1763707111,
    model: 'gpt-4.1-2025-04-14',
    choices: [{ index: 0, message: { role: 'assistant', refusal: null, annotations: [], ...message }, logprobs: null, finish_reason: finish }],
    usage,
    service_tier: 'default',
    system_fingerprint: 'fp_b3f1157249',
  };
}

function usage(prompt: number, completionTokens: number, cached: number): Json {
  return {
    prompt_tokens: prompt,
    completion_tokens: completionTokens,
    total_tokens: prompt + completionTokens,
    prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

const KEY = '3f2a9c81d04b7e65';
const retrieveCall = (id: string, args: Json): Json => ({ id, type: 'function', function: { name: RETRIEVE_TOOL_NAME, arguments: JSON.stringify(args) } });

const retrieveRound = completion('chatcmpl-CeA1', { content: 'The failing test sits in the omitted part; fetching it.', tool_calls: [retrieveCall('call_r1', { key: KEY, query: 'failing' })] }, 'tool_calls', usage(15210, 40, 15104));
const answerRound = completion('chatcmpl-CeA2', { content: ' `res.cookie` should set relative expires fails in test/res.cookie.js.' }, 'stop', usage(15690, 25, 15232));

describe('readResponse / mergeResponses / usageOf', () => {
  it('reads retrieve calls, client calls and usage', () => {
    const mixed = completion('chatcmpl-CeA3', { content: null, tool_calls: [bashCall('call_b1', 'git diff lib/response.js', 'Show the change'), retrieveCall('call_r2', { key: KEY })] }, 'tool_calls', usage(900, 30, 0));
    const round = openaiChat.readResponse(mixed);
    expect(round.proxyCalls).toEqual([{ id: 'call_r2', name: RETRIEVE_TOOL_NAME, input: { key: KEY } }]);
    expect(round.clientToolCalls).toBe(1);
    expect(round.usage).toEqual({ input: 900, output: 30, cacheRead: 0, cacheWrite: 0 });
    // Replayable as a request message: no response-only annotations or null refusal.
    expect(round.assistant).toEqual({ role: 'assistant', content: null, tool_calls: mixed.choices[0].message.tool_calls });
    expect(openaiChat.usageOf(retrieveRound)).toEqual({ input: 106, output: 40, cacheRead: 15104, cacheWrite: 0 });
  });

  it('counts a custom (freeform) tool call as a client call', () => {
    const patch = { id: 'call_p1', type: 'custom', custom: { name: 'apply_patch', input: '*** Begin Patch\n*** End Patch' } };
    const round = openaiChat.readResponse(completion('chatcmpl-CeA7', { content: null, tool_calls: [patch] }, 'tool_calls', usage(10, 5, 0)));
    expect(round).toMatchObject({ proxyCalls: [], clientToolCalls: 1 });
    const raw = JSON.stringify({ model: 'gpt-5', messages: [{ role: 'assistant', content: null, tool_calls: [patch] }] });
    expect(openaiChat.read(raw).messages[0]!.parts).toEqual([{ type: 'tool_call', id: 'call_p1', name: 'apply_patch', input: patch.custom.input }]);
  });

  it('merges a retrieval round and its answer into one completion', () => {
    const merged = openaiChat.mergeResponses([retrieveRound, answerRound], false) as Json;
    expect(merged.id).toBe('chatcmpl-CeA1');
    const choice = merged.choices[0];
    expect(choice.finish_reason).toBe('stop');
    expect(choice.message.content).toBe('The failing test sits in the omitted part; fetching it. `res.cookie` should set relative expires fails in test/res.cookie.js.');
    expect(choice.message.tool_calls).toBeUndefined();
    expect(merged.usage).toEqual({
      prompt_tokens: 30900,
      completion_tokens: 65,
      total_tokens: 30965,
      prompt_tokens_details: { cached_tokens: 30336, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    });
  });

  it('ends the turn normally when the loop was cut while the model still asked for retrievals', () => {
    const again = completion('chatcmpl-CeA4', { content: null, tool_calls: [retrieveCall('call_r3', { key: KEY })] }, 'tool_calls', usage(15700, 12, 15232));
    const merged = openaiChat.mergeResponses([retrieveRound, again], true) as Json;
    expect(merged.choices[0].finish_reason).toBe('stop');
    expect(merged.choices[0].message.tool_calls).toBeUndefined();
  });

  it("keeps the client's own calls when the retrieve call is hidden beside them", () => {
    const mixed = completion('chatcmpl-CeA5', { content: null, tool_calls: [retrieveCall('call_r4', { key: KEY }), bashCall('call_b2', 'npm test', 'Run tests')] }, 'tool_calls', usage(100, 20, 0));
    const merged = openaiChat.mergeResponses([mixed], false) as Json;
    expect(merged.choices[0].finish_reason).toBe('tool_calls');
    expect(merged.choices[0].message.tool_calls.map((c: Json) => c.id)).toEqual(['call_b2']);
  });
});

describe('continueRequest', () => {
  const results = (round: Round): ProxyResult[] => round.proxyCalls.map((call) => ({ call, text: `original of ${retrieveArgs(call.input).key}` }));

  it('appends the model turn and one tool answer per call, keeping the request as a prefix', () => {
    const raw = splice(secondTurn, [openaiChat.addTools(secondTurn, [RETRIEVE_TOOL])]);
    const round = openaiChat.readResponse(retrieveRound);
    const next = openaiChat.continueRequest(raw, round, results(round));
    const cut = raw.lastIndexOf(']', raw.indexOf('"tools"'));
    expect(next.startsWith(raw.slice(0, cut))).toBe(true);
    expect(next.slice(next.length - (raw.length - cut))).toBe(raw.slice(cut));
    const messages = (JSON.parse(next) as Json).messages;
    expect(messages.slice(0, -2)).toEqual(secondTurnBody.messages);
    expect(messages.at(-2)).toEqual({ role: 'assistant', content: 'The failing test sits in the omitted part; fetching it.', tool_calls: [retrieveCall('call_r1', { key: KEY, query: 'failing' })] });
    expect(messages.at(-1)).toEqual({ role: 'tool', tool_call_id: 'call_r1', content: `original of ${KEY}` });

    // A second round extends the first continuation the same way.
    const again = openaiChat.readResponse(completion('chatcmpl-CeA6', { content: null, tool_calls: [retrieveCall('call_r5', { key: KEY })] }, 'tool_calls', usage(1, 1, 0)));
    const third = openaiChat.continueRequest(next, again, results(again));
    expect(third.startsWith(next.slice(0, next.lastIndexOf(']', next.indexOf('"tools"'))))).toBe(true);
    expect(openaiChat.read(third).messages.at(-1)!.parts[0]).toMatchObject({ type: 'tool_output', id: 'call_r5' });
  });

  it('throws when the request has no messages array', () => {
    expect(() => openaiChat.continueRequest('{"model":"m"}', openaiChat.readResponse(retrieveRound), [])).toThrow(SyntaxError);
  });
});

// ---- streaming ----

/** One streamed chunk in the field order OpenAI sends. */
function chunk(id: string, delta: Json, finish: string | null = null): string {
  const body = {
    id,
    object: 'chat.completion.chunk',
    created: 1763707111,
    model: 'gpt-4.1-2025-04-14',
    service_tier: 'default',
    system_fingerprint: 'fp_b3f1157249',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    usage: null,
  };
  return `data: ${JSON.stringify(body)}\n\n`;
}

function usageChunk(id: string, u: Json): string {
  return `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 1763707111, model: 'gpt-4.1-2025-04-14', service_tier: 'default', system_fingerprint: 'fp_b3f1157249', choices: [], usage: u })}\n\n`;
}

const DONE = 'data: [DONE]\n\n';

/** The pieces of one tool call as OpenAI streams it: id and name first, then arguments. */
function callPieces(id: string, index: number, call: Json): string[] {
  const args = call.function.arguments as string;
  const first = chunk(id, { tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] });
  const rest = [args.slice(0, 7), args.slice(7)].map((a) => chunk(id, { tool_calls: [{ index, function: { arguments: a } }] }));
  return [first, ...rest];
}

/** Feeds SSE text through the parser in small byte pieces (cutting multi-byte characters too). */
function relayRound(relay: ReturnType<typeof openaiChat.streamRelay>, n: number, sse: string): { out: string; round: Round } {
  relay.beginRound(n);
  const parser = new SseParser();
  const bytes = new TextEncoder().encode(sse);
  let out = '';
  for (let i = 0; i < bytes.length; i += 13) for (const ev of parser.push(bytes.subarray(i, i + 13))) out += relay.push(ev);
  expect(parser.end()).toBe('');
  return { out, round: relay.endRound() };
}

/** What the openai SDK makes of a stream: its chunks and the accumulated completion. */
async function sdkRead(sse: string): Promise<{ chunks: Json[]; final: Json }> {
  const client = new OpenAI({
    apiKey: 'test',
    baseURL: 'http://127.0.0.1:9/v1',
    maxRetries: 0,
    fetch: async () => new Response(sse, { headers: { 'content-type': 'text/event-stream' } }),
  });
  const stream = client.chat.completions.stream({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }], stream_options: { include_usage: true } });
  const chunks: Json[] = [];
  for await (const c of stream) chunks.push(c as Json);
  return { chunks, final: (await stream.finalChatCompletion()) as Json };
}

const textStream = [
  chunk('chatcmpl-S1', { role: 'assistant', content: '', refusal: null }),
  chunk('chatcmpl-S1', { content: 'Tests: ' }),
  chunk('chatcmpl-S1', { content: '✔ 1067 passing, ✖ 1 failing.' }),
  chunk('chatcmpl-S1', {}, 'stop'),
  usageChunk('chatcmpl-S1', usage(812, 14, 0)),
  DONE,
].join('');

describe('streamRelay', () => {
  it('passes a single round through byte for byte', () => {
    const relay = openaiChat.streamRelay();
    const { out, round } = relayRound(relay, 0, textStream);
    expect(out + relay.finish(false)).toBe(textStream);
    expect(round.assistant).toEqual({ role: 'assistant', content: 'Tests: ✔ 1067 passing, ✖ 1 failing.' });
    expect(round.proxyCalls).toEqual([]);
    expect(round.usage).toEqual({ input: 812, output: 14, cacheRead: 0, cacheWrite: 0 });
  });

  it("passes a round with the client's tool calls through byte for byte", () => {
    const sse = [
      chunk('chatcmpl-S2', { role: 'assistant', content: null, refusal: null }),
      ...callPieces('chatcmpl-S2', 0, bashCall('call_a1', 'npm test', 'Run tests')),
      ...callPieces('chatcmpl-S2', 1, bashCall('call_a2', 'git status', 'Show status')),
      chunk('chatcmpl-S2', {}, 'tool_calls'),
      usageChunk('chatcmpl-S2', usage(500, 60, 128)),
      DONE,
    ].join('');
    const relay = openaiChat.streamRelay();
    const { out, round } = relayRound(relay, 0, sse);
    expect(out + relay.finish(false)).toBe(sse);
    expect(round.clientToolCalls).toBe(2);
    expect(round.assistant).toEqual({ role: 'assistant', content: null, tool_calls: [bashCall('call_a1', 'npm test', 'Run tests'), bashCall('call_a2', 'git status', 'Show status')] });
  });

  it('joins a retrieve-only round and its continuation into one stream', async () => {
    const relay = openaiChat.streamRelay();
    const first = relayRound(relay, 0, [
      chunk('chatcmpl-R1', { role: 'assistant', content: '', refusal: null }),
      chunk('chatcmpl-R1', { content: 'Fetching the omitted lines.' }),
      ...callPieces('chatcmpl-R1', 0, retrieveCall('call_r1', { key: KEY, query: 'failing' })),
      chunk('chatcmpl-R1', {}, 'tool_calls'),
      usageChunk('chatcmpl-R1', usage(15210, 40, 15104)),
      DONE,
    ].join(''));
    expect(first.out).not.toContain(RETRIEVE_TOOL_NAME);
    expect(first.out).not.toContain('finish_reason":"tool_calls');
    expect(first.round.proxyCalls).toEqual([{ id: 'call_r1', name: RETRIEVE_TOOL_NAME, input: { key: KEY, query: 'failing' } }]);
    expect(first.round.clientToolCalls).toBe(0);
    expect(first.round.assistant).toEqual({ role: 'assistant', content: 'Fetching the omitted lines.', tool_calls: [retrieveCall('call_r1', { key: KEY, query: 'failing' })] });

    const second = relayRound(relay, 1, [
      chunk('chatcmpl-R2', { role: 'assistant', content: '', refusal: null }),
      chunk('chatcmpl-R2', { content: ' The failing test is "should set relative expires".' }),
      chunk('chatcmpl-R2', {}, 'stop'),
      usageChunk('chatcmpl-R2', usage(15690, 25, 15232)),
      DONE,
    ].join(''));
    const sse = first.out + second.out + relay.finish(false);
    expect(sse).not.toContain('chatcmpl-R2');
    expect(sse.match(/"role"/g)).toHaveLength(1);

    const { chunks, final } = await sdkRead(sse);
    expect(new Set(chunks.map((c) => c.id))).toEqual(new Set(['chatcmpl-R1']));
    expect(final.choices[0].message.content).toBe('Fetching the omitted lines. The failing test is "should set relative expires".');
    expect(final.choices[0].message.tool_calls).toBeUndefined();
    expect(final.choices[0].finish_reason).toBe('stop');
    expect(final.usage).toMatchObject({ prompt_tokens: 30900, completion_tokens: 65, total_tokens: 30965, prompt_tokens_details: { cached_tokens: 30336 } });
  });

  it("renumbers the client's call after a hidden retrieve call, across rounds", async () => {
    const relay = openaiChat.streamRelay();
    const first = relayRound(relay, 0, [
      chunk('chatcmpl-T1', { role: 'assistant', content: null, refusal: null }),
      ...callPieces('chatcmpl-T1', 0, retrieveCall('call_r1', { key: KEY })),
      chunk('chatcmpl-T1', {}, 'tool_calls'),
      DONE,
    ].join(''));
    const second = relayRound(relay, 1, [
      chunk('chatcmpl-T2', { role: 'assistant', content: null, refusal: null }),
      ...callPieces('chatcmpl-T2', 0, retrieveCall('call_r2', { key: KEY, query: 'expires' })),
      ...callPieces('chatcmpl-T2', 1, bashCall('call_b1', 'sed -n 1,40p lib/response.js', 'Read the cookie code')),
      chunk('chatcmpl-T2', {}, 'tool_calls'),
      DONE,
    ].join(''));
    expect(second.round.proxyCalls.map((c) => c.id)).toEqual(['call_r2']);
    expect(second.round.clientToolCalls).toBe(1);
    const { chunks, final } = await sdkRead(first.out + second.out + relay.finish(false));
    const indices = chunks.flatMap((c) => (c.choices[0]?.delta?.tool_calls ?? []).map((t: Json) => t.index));
    expect(new Set(indices)).toEqual(new Set([0]));
    expect(final.id).toBe('chatcmpl-T1');
    expect(final.choices[0].finish_reason).toBe('tool_calls');
    expect(final.choices[0].message.tool_calls).toEqual([bashCall('call_b1', 'sed -n 1,40p lib/response.js', 'Read the cookie code')]);
  });

  it('hides a retrieve call streamed beside a client call, keeping both for the continuation', async () => {
    const client = bashCall('call_b2', 'npm test -- --grep cookie', 'Run the cookie tests');
    const hidden = retrieveCall('call_r3', { key: KEY });
    // Both calls' pieces in the same chunks, as some servers send them.
    const sse = [
      chunk('chatcmpl-M1', { role: 'assistant', content: null, refusal: null }),
      chunk('chatcmpl-M1', { tool_calls: [{ index: 0, id: 'call_r3', type: 'function', function: { name: RETRIEVE_TOOL_NAME, arguments: '' } }, { index: 1, id: 'call_b2', type: 'function', function: { name: 'bash', arguments: '' } }] }),
      chunk('chatcmpl-M1', { tool_calls: [{ index: 0, function: { arguments: hidden.function.arguments } }, { index: 1, function: { arguments: client.function.arguments } }] }),
      chunk('chatcmpl-M1', {}, 'tool_calls'),
      usageChunk('chatcmpl-M1', usage(700, 50, 0)),
      DONE,
    ].join('');
    const relay = openaiChat.streamRelay();
    const { out, round } = relayRound(relay, 0, sse);
    expect(round.proxyCalls).toEqual([{ id: 'call_r3', name: RETRIEVE_TOOL_NAME, input: { key: KEY } }]);
    expect(round.clientToolCalls).toBe(1);
    expect(round.assistant).toEqual({ role: 'assistant', content: null, tool_calls: [hidden, client] });
    const { final } = await sdkRead(out + relay.finish(false));
    expect(final.choices[0].message.tool_calls).toEqual([client]);
    expect(final.choices[0].finish_reason).toBe('tool_calls');
    expect(final.usage.prompt_tokens).toBe(700);
  });

  it('says the turn ended when the loop is cut while the model still asks for retrievals', async () => {
    const relay = openaiChat.streamRelay();
    const rounds = [0, 1].map((n) =>
      relayRound(relay, n, [
        chunk(`chatcmpl-C${n}`, { role: 'assistant', content: null, refusal: null }),
        ...callPieces(`chatcmpl-C${n}`, 0, retrieveCall(`call_c${n}`, { key: KEY })),
        chunk(`chatcmpl-C${n}`, {}, 'tool_calls'),
        usageChunk(`chatcmpl-C${n}`, usage(1000, 10, 500)),
        DONE,
      ].join('')),
    );
    const sse = rounds.map((r) => r.out).join('') + relay.finish(true);
    const { final } = await sdkRead(sse);
    expect(final.choices[0].finish_reason).toBe('stop');
    expect(final.choices[0].message.tool_calls).toBeUndefined();
    expect(final.usage).toMatchObject({ prompt_tokens: 2000, completion_tokens: 20, prompt_tokens_details: { cached_tokens: 1000 } });
  });

  it('sends content that arrives on the finish chunk at once and holds only the finish', async () => {
    const sse = [
      chunk('chatcmpl-F1', { role: 'assistant', content: 'All ' }),
      chunk('chatcmpl-F1', { content: 'done.' }, 'stop'),
      DONE,
    ].join('');
    const relay = openaiChat.streamRelay();
    const { out } = relayRound(relay, 0, sse);
    expect(out).toContain('done.');
    expect(out).not.toContain('"finish_reason":"stop"');
    const { final } = await sdkRead(out + relay.finish(false));
    expect(final.choices[0].message.content).toBe('All done.');
    expect(final.choices[0].finish_reason).toBe('stop');
  });

  it('builds a continuation request from the streamed round', () => {
    const relay = openaiChat.streamRelay();
    const { round } = relayRound(relay, 0, [
      chunk('chatcmpl-K1', { role: 'assistant', content: '', refusal: null }),
      chunk('chatcmpl-K1', { content: 'Checking.' }),
      ...callPieces('chatcmpl-K1', 0, retrieveCall('call_k1', { key: KEY, query: 'Set-Cookie' })),
      chunk('chatcmpl-K1', {}, 'tool_calls'),
      DONE,
    ].join(''));
    const next = openaiChat.continueRequest(firstTurn, round, [{ call: round.proxyCalls[0]!, text: 'Error: expected "Set-Cookie"' }]);
    const messages = (JSON.parse(next) as Json).messages;
    expect(messages.at(-2)).toEqual({ role: 'assistant', content: 'Checking.', tool_calls: [retrieveCall('call_k1', { key: KEY, query: 'Set-Cookie' })] });
    expect(messages.at(-1)).toEqual({ role: 'tool', tool_call_id: 'call_k1', content: 'Error: expected "Set-Cookie"' });
  });

  it('reports a mid-stream failure in a form the openai SDK raises', async () => {
    const relay = openaiChat.streamRelay();
    relay.beginRound(0);
    const parser = new SseParser();
    let out = '';
    for (const ev of parser.push(chunk('chatcmpl-E1', { role: 'assistant', content: 'Partial' }))) out += relay.push(ev);
    out += relay.error('upstream connection reset');
    await expect(sdkRead(out)).rejects.toThrow(/upstream connection reset/);
  });
});

describe('errorBody', () => {
  it('uses the OpenAI error shape', async () => {
    const body = openaiChat.errorBody(502, 'upstream unreachable') as Json;
    expect(body).toEqual({ error: { message: 'upstream unreachable', type: 'server_error', param: null, code: null } });
    const client = new OpenAI({
      apiKey: 'test',
      baseURL: 'http://127.0.0.1:9/v1',
      maxRetries: 0,
      fetch: async () => new Response(JSON.stringify(body), { status: 502, headers: { 'content-type': 'application/json' } }),
    });
    await expect(client.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 502, type: 'server_error', message: expect.stringContaining('upstream unreachable') });
  });
});
