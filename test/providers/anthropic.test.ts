import Anthropic from '@anthropic-ai/sdk';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { anthropic, RETRIEVE_TOOL_NAME, type Round, type StreamRelay } from '../../src/providers/index.js';
import { splice, SseParser, toolOutputs } from '../../src/wire/index.js';

/** The Anthropic Messages adapter (Claude Code's format): what the contract suite does not pin. */

type Json = Record<string, any>;

const KEY = '0123456789abcdef';
const capture = (path: string): Json => (JSON.parse(readFileSync(new URL(`../../fixtures/wire/${path}`, import.meta.url), 'utf8')) as { body: Json }).body;

describe('read', () => {
  it("reads Claude Code's captured request: system blocks, tools, the Bash call and its result", () => {
    const body = capture('claude-tool/003-POST-_v1_messages.json');
    const request = anthropic.read(JSON.stringify(body));
    expect(request.model).toBe(body.model);
    expect(request.stream).toBe(true);
    expect(request.system.map((s) => s.text)).toEqual(body.system.map((b: Json) => b.text));
    expect(request.tools).toEqual(body.tools.map((t: Json) => t.name));
    const call = request.messages.flatMap((m) => m.parts).find((p) => p.type === 'tool_call');
    const [output] = toolOutputs(request);
    expect(call).toMatchObject({ name: 'Bash' });
    expect(output!.id).toBe((call as { id: string }).id);
  });

  it('reads string and block contents, is_error, and keeps text spans on user turns only', () => {
    const raw = JSON.stringify({
      model: 'claude-x',
      system: 'be brief',
      tools: [{ name: 'Bash' }, { type: 'web_search_20250305' }],
      messages: [
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'hm', signature: 's' }, { type: 'text', text: 'running' }, { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', is_error: true, content: [{ type: 'text', text: 'part one' }, { type: 'image', source: {} }, { type: 'text', text: 'part two' }] },
            { type: 'text', text: 'and now?' },
          ],
        },
      ],
    });
    const request = anthropic.read(raw);
    expect(request).toMatchObject({ model: 'claude-x', stream: false, system: [{ type: 'text', text: 'be brief' }], tools: ['Bash', 'web_search_20250305'] });
    const [user, assistant, results] = request.messages;
    expect(user!.parts).toEqual([{ type: 'text', text: 'first question', span: expect.any(Object) }]);
    expect(assistant!.parts).toEqual([
      { type: 'text', text: 'running' },
      { type: 'tool_call', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } },
    ]);
    expect(results!.parts.map((p) => (p.type === 'tool_output' ? [p.text, p.isError] : p.type))).toEqual([['part one', true], ['part two', true], 'text']);
    const compressed = splice(raw, toolOutputs(request).map((o) => ({ ...o.span, text: '"x"' })));
    expect(JSON.parse(compressed).messages[2].content[0].content).toEqual([{ type: 'text', text: 'x' }, { type: 'image', source: {} }, { type: 'text', text: 'x' }]);
  });
});

describe('addTools', () => {
  it('appends Messages tool definitions, creating `tools` when the request has none', () => {
    const spec = { name: RETRIEVE_TOOL_NAME, description: 'd', schema: { type: 'object' } };
    for (const body of [{ model: 'm', messages: [] }, { model: 'm', tools: [{ name: 'Bash' }], messages: [] }]) {
      const out = JSON.parse(splice(JSON.stringify(body), [anthropic.addTools(JSON.stringify(body), [spec])]));
      expect(out.tools.at(-1)).toEqual({ name: RETRIEVE_TOOL_NAME, description: 'd', input_schema: { type: 'object' } });
    }
  });
});

const retrieveBlock = { type: 'tool_use', id: 'toolu_r1', name: RETRIEVE_TOOL_NAME, input: { key: KEY } };
const bashBlock = { type: 'tool_use', id: 'toolu_b1', name: 'Bash', input: { command: 'ls' } };
const thinking = { type: 'thinking', thinking: 'look it up', signature: 'sig==' };

function response(id: string, content: Json[], stop: string, usage: Json): Json {
  return { id, type: 'message', role: 'assistant', model: 'claude-x', content, stop_reason: stop, stop_sequence: null, usage: { service_tier: 'standard', ...usage } };
}

describe('responses', () => {
  it('tells proxy calls from client tool calls and server tool calls', () => {
    const round = anthropic.readResponse(response('msg_1', [thinking, retrieveBlock, bashBlock, { type: 'server_tool_use', id: 's', name: 'web_search', input: {} }], 'tool_use', { input_tokens: 5, output_tokens: 3 }));
    expect(round.proxyCalls).toEqual([{ id: 'toolu_r1', name: RETRIEVE_TOOL_NAME, input: { key: KEY } }]);
    expect(round.clientToolCalls).toBe(2);
    expect(round.assistant).toEqual([thinking, retrieveBlock, bashBlock, { type: 'server_tool_use', id: 's', name: 'web_search', input: {} }]);
  });

  it('replays the turn with its thinking signature in the continuation, then the tool_result', () => {
    const raw = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    const round = anthropic.readResponse(response('msg_1', [thinking, retrieveBlock], 'tool_use', {}));
    const next = JSON.parse(anthropic.continueRequest(raw, round, [{ call: round.proxyCalls[0]!, text: 'original' }]));
    expect(next.messages.slice(1)).toEqual([
      { role: 'assistant', content: [thinking, retrieveBlock] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_r1', content: 'original' }] },
    ]);
    expect(() => anthropic.continueRequest('{"model":"m"}', round, [])).toThrow(SyntaxError);
  });

  it('merges a loop: content without proxy calls, the first id, usage summed, the turn ended', () => {
    const merged = anthropic.mergeResponses(
      [
        response('msg_1', [{ type: 'text', text: 'Let me look.' }, retrieveBlock], 'tool_use', { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 100, cache_creation_input_tokens: 7 }),
        response('msg_2', [{ type: 'text', text: 'Found it.' }], 'tool_use', { input_tokens: 12, output_tokens: 6, cache_read_input_tokens: 110, cache_creation_input_tokens: 0 }),
      ],
      false,
    ) as Json;
    expect(merged.id).toBe('msg_1');
    expect(merged.content).toEqual([{ type: 'text', text: 'Let me look.' }, { type: 'text', text: 'Found it.' }]);
    // tool_use with no call left for the client to run would leave Claude Code waiting.
    expect(merged.stop_reason).toBe('end_turn');
    expect(merged.usage).toEqual({ service_tier: 'standard', input_tokens: 22, output_tokens: 11, cache_read_input_tokens: 210, cache_creation_input_tokens: 7 });
  });

  it('keeps tool_use as the stop reason when a client call is left, unless the loop was cut', () => {
    const rounds = [response('msg_1', [retrieveBlock], 'tool_use', {}), response('msg_2', [bashBlock], 'tool_use', {})];
    expect((anthropic.mergeResponses(rounds, false) as Json).stop_reason).toBe('tool_use');
    expect((anthropic.mergeResponses([rounds[0]!], true) as Json).stop_reason).toBe('end_turn');
  });

  it('reads usage from a response and from a count_tokens answer', () => {
    expect(anthropic.usageOf(response('m', [], 'end_turn', { input_tokens: 3, output_tokens: 4, cache_read_input_tokens: 5, cache_creation_input_tokens: 6 }))).toEqual({ input: 3, output: 4, cacheRead: 5, cacheWrite: 6 });
    expect(anthropic.usageOf({ input_tokens: 42 })).toEqual({ input: 42, output: 0, cacheRead: 0, cacheWrite: 0 });
  });

  it('answers errors in the Messages error shape', () => {
    expect(anthropic.errorBody(413, 'too big')).toEqual({ type: 'error', error: { type: 'request_too_large', message: 'too big' } });
    expect(anthropic.errorBody(502, 'down')).toEqual({ type: 'error', error: { type: 'api_error', message: 'down' } });
    expect(anthropic.errorBody(400, 'bad')).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'bad' } });
  });
});

const ev = (type: string, data: Json): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

function roundStream(id: string, blocks: Json[], stop: string, start: Json, delta: Json): string {
  const events = [ev('message_start', { message: { id, type: 'message', role: 'assistant', model: 'claude-x', content: [], stop_reason: null, usage: start } })];
  blocks.forEach((b, index) => {
    if (b.type === 'text') {
      events.push(ev('content_block_start', { index, content_block: { type: 'text', text: '' } }), ev('content_block_delta', { index, delta: { type: 'text_delta', text: b.text } }));
    } else if (b.type === 'thinking') {
      events.push(
        ev('content_block_start', { index, content_block: { type: 'thinking', thinking: '' } }),
        ev('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: b.thinking } }),
        ev('content_block_delta', { index, delta: { type: 'signature_delta', signature: b.signature } }),
      );
    } else {
      const json = JSON.stringify(b.input);
      events.push(
        ev('content_block_start', { index, content_block: { ...b, input: {} } }),
        ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: json.slice(0, 5) } }),
        ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: json.slice(5) } }),
      );
    }
    events.push(ev('content_block_stop', { index }));
  });
  events.push(ev('message_delta', { delta: { stop_reason: stop, stop_sequence: null }, usage: delta }), ev('message_stop', {}));
  return events.join('');
}

function relayRound(relay: StreamRelay, n: number, sse: string): { out: string; round: Round } {
  relay.beginRound(n);
  const parser = new SseParser();
  let out = '';
  for (const e of parser.push(sse)) out += relay.push(e);
  return { out, round: relay.endRound() };
}

/** What the Anthropic SDK makes of a stream: the final message it accumulates. */
async function sdkFinal(sse: string): Promise<Json> {
  const client = new Anthropic({ apiKey: 'test', baseURL: 'http://127.0.0.1:9', maxRetries: 0, fetch: async () => new Response(sse, { headers: { 'content-type': 'text/event-stream' } }) });
  return (await client.messages.stream({ model: 'claude-x', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }).finalMessage()) as Json;
}

describe('streamRelay', () => {
  const round0 = roundStream('msg_1', [thinking, { type: 'text', text: 'Let me look.' }, retrieveBlock, bashBlock], 'tool_use', { input_tokens: 10, cache_read_input_tokens: 100, output_tokens: 1 }, { output_tokens: 30 });
  const round1 = roundStream('msg_2', [{ type: 'text', text: 'Found it.' }], 'end_turn', { input_tokens: 12, cache_read_input_tokens: 110, output_tokens: 1 }, { output_tokens: 6 });

  it('hides the proxy call, renumbers later blocks, and rebuilds the turn for the continuation', () => {
    const relay = anthropic.streamRelay();
    const { out, round } = relayRound(relay, 0, round0);
    expect(out).not.toContain(RETRIEVE_TOOL_NAME);
    const indices = [...out.matchAll(/"index":(\d+)/g)].map((m) => Number(m[1]));
    expect([...new Set(indices)]).toEqual([0, 1, 2]);
    expect(round.assistant).toEqual([thinking, { type: 'text', text: 'Let me look.' }, retrieveBlock, bashBlock]);
    expect(round.proxyCalls).toEqual([{ id: 'toolu_r1', name: RETRIEVE_TOOL_NAME, input: { key: KEY } }]);
    expect(round.clientToolCalls).toBe(1);
    expect(round.usage).toEqual({ input: 10, output: 30, cacheRead: 100, cacheWrite: 0 });
  });

  it('gives the SDK one message over two rounds: one message_start, usage summed, the last stop reason', async () => {
    const relay = anthropic.streamRelay();
    const out = relayRound(relay, 0, round0).out + relayRound(relay, 1, round1).out + relay.finish(false);
    expect(out.match(/event: message_start/g)).toHaveLength(1);
    const final = await sdkFinal(out);
    expect(final.id).toBe('msg_1');
    expect(final.content.map((b: Json) => b.type)).toEqual(['thinking', 'text', 'tool_use', 'text']);
    expect(final.content[3].text).toBe('Found it.');
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage).toMatchObject({ input_tokens: 22, output_tokens: 36, cache_read_input_tokens: 210 });
  });

  it('ends the turn when the loop is cut while the model asks only for proxy calls', () => {
    const relay = anthropic.streamRelay();
    relayRound(relay, 0, roundStream('msg_1', [retrieveBlock], 'tool_use', { input_tokens: 1 }, { output_tokens: 2 }));
    const closing = new SseParser().push(relay.finish(true));
    expect(closing.map((e) => JSON.parse(e.data).type)).toEqual(['message_delta', 'message_stop']);
    expect(JSON.parse(closing[0]!.data).delta.stop_reason).toBe('end_turn');
  });

  it('takes usage the message_delta reports over the message_start figures', () => {
    const relay = anthropic.streamRelay();
    const { round } = relayRound(relay, 0, roundStream('m', [{ type: 'text', text: 'x' }], 'end_turn', { input_tokens: 1, cache_creation_input_tokens: 4, output_tokens: 1 }, { input_tokens: 9, output_tokens: 2 }));
    expect(round.usage).toEqual({ input: 9, output: 2, cacheRead: 0, cacheWrite: 4 });
  });

  it('judges how a round ended: message_stop, an error event, or neither', () => {
    const ending = (sse: string): string => {
      const relay = anthropic.streamRelay();
      relayRound(relay, 0, sse);
      return relay.ending();
    };
    expect(ending(round1)).toBe('done');
    expect(ending(round1.slice(0, round1.indexOf('event: message_stop')))).toBe('cut');
    expect(ending(ev('message_start', { message: { id: 'm' } }) + ev('error', { error: { type: 'overloaded_error', message: 'busy' } }))).toBe('failed');
  });

  it('keeps a tool call whose streamed input is not valid JSON, with an empty input', () => {
    const relay = anthropic.streamRelay();
    const sse = ev('content_block_start', { index: 0, content_block: { ...bashBlock, input: {} } }) + ev('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: '{"comm' } });
    expect(relayRound(relay, 0, sse).round.assistant).toEqual([{ ...bashBlock, input: {} }]);
  });

  it('writes a mid-stream failure as an Anthropic error event', () => {
    const [e] = new SseParser().push(anthropic.streamRelay().error('upstream gone'));
    expect(e).toMatchObject({ event: 'error' });
    expect(JSON.parse(e!.data)).toEqual({ type: 'error', error: { type: 'api_error', message: 'upstream gone' } });
  });
});
