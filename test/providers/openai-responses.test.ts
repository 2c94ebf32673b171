import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { arrayElements, latestUserText, objectMembers, rootSpan, splice, SseParser, toolOutputs } from '../../src/wire/index.js';
import { AGENT_CONTEXT } from '../../src/agents/index.js';
import { openaiResponses as adapter, type Round } from '../../src/providers/index.js';
import { RETRIEVE_TOOL, RETRIEVE_TOOL_NAME } from '../../src/proxy/retrieval.js';

type Json = Record<string, unknown>;

// Request captures of the real Codex CLI (repository copy first, else the shared capture folder).
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WIRE = [join(ROOT, 'fixtures/wire'), '/work/shared/wire'].find((d) => existsSync(d))!;

function capture(name: string): Json {
  return (JSON.parse(readFileSync(join(WIRE, name), 'utf8')) as { body: Json }).body;
}

const CODEX_HI = 'codex/001-POST-_v1_responses.json';
const CODEX_TOOL_1 = 'codex-tool/001-POST-_v1_responses.json';
const CODEX_TOOL_2 = 'codex-tool/002-POST-_v1_responses.json';
// Codex 0.169 with its default model: no top-level tools, an `additional_tools` input item instead.
const CODEX_DEFAULT = 'codex-default-model/responses-request.json';
const CODEX_DEFAULT_OUTPUT = 'codex-default-model/002-POST-_v1_responses.json';
const DEFAULT_TOOLS = ['exec', 'wait', 'request_user_input', 'request_user_input_async', 'sleep', 'followup_task', 'interrupt_agent', 'list_agents', 'send_message', 'spawn_agent', 'wait_agent'];

describe('read', () => {
  it.each([CODEX_HI, CODEX_TOOL_1, CODEX_TOOL_2])('reads %s', (name) => {
    const body = capture(name);
    const req = adapter.read(JSON.stringify(body));
    expect(req.model).toBe('gpt-fake');
    expect(req.stream).toBe(true);
    expect(req.sessionKey).toBe(body.prompt_cache_key);
    // A namespace's tools count by their own names (the names the model calls).
    const agents = ['close_agent', 'resume_agent', 'send_input', 'spawn_agent', 'wait_agent'];
    expect(req.tools).toEqual(['exec_command', 'write_stdin', 'request_user_input', 'view_image', ...agents, 'get_goal', 'create_goal', 'update_goal', 'web_search']);
    // Codex sends its system prompt as developer messages, and no `instructions`.
    expect(req.system).toEqual([]);
    expect(req.messages[0]!.role).toBe('system');
    expect(req.messages[0]!.parts[0]).toMatchObject({ type: 'text', text: expect.stringContaining('You are a coding agent running in the Codex CLI') });
  });

  it('finds the task behind the AGENTS.md and environment context items', () => {
    expect(latestUserText(adapter.read(JSON.stringify(capture(CODEX_HI))), AGENT_CONTEXT)).toBe('hi');
    expect(latestUserText(adapter.read(JSON.stringify(capture(CODEX_TOOL_2))), AGENT_CONTEXT)).toBe('run something');
  });

  it.each([0, 2])('gives the exact span of a function_call_output (indent %i)', (indent) => {
    const raw = JSON.stringify(capture(CODEX_TOOL_2), null, indent);
    const req = adapter.read(raw);
    const [call] = req.messages.flatMap((m) => m.parts).filter((p) => p.type === 'tool_call');
    expect(call).toEqual({ type: 'tool_call', id: 'call_fake_001', name: 'exec_command', input: { cmd: 'echo CODEX-TOOL-$((6*7))' } });
    const outputs = toolOutputs(req);
    expect(outputs).toHaveLength(1);
    const out = outputs[0]!;
    expect(out.id).toBe('call_fake_001');
    expect(out.isError).toBe(false);
    expect(out.text).toContain('CODEX-TOOL-42');
    expect(JSON.parse(raw.slice(out.span.start, out.span.end))).toBe(out.text);
    expect(req.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
  });

  it('reads input_text output lists and custom tool calls, skipping non-text parts', () => {
    const body = capture(CODEX_TOOL_2);
    const input = body.input as Json[];
    const text = (input.at(-1) as { output: string }).output;
    input[input.length - 1] = { type: 'function_call_output', call_id: 'call_fake_001', output: [{ type: 'input_image', image_url: 'data:image/png;base64,AAAA' }, { type: 'input_text', text }] };
    input.push({ type: 'custom_tool_call', call_id: 'call_patch', name: 'apply_patch', input: '*** Begin Patch\n*** End Patch\n' });
    input.push({ type: 'custom_tool_call_output', call_id: 'call_patch', output: 'Success. Updated the following files:\nM a.txt\n' });
    const raw = JSON.stringify(body);
    const req = adapter.read(raw);
    const outputs = toolOutputs(req);
    expect(outputs.map((o) => o.id)).toEqual(['call_fake_001', 'call_patch']);
    for (const o of outputs) expect(JSON.parse(raw.slice(o.span.start, o.span.end))).toBe(o.text);
    expect(outputs[0]!.text).toBe(text);
    expect(req.messages.flatMap((m) => m.parts).filter((p) => p.type === 'tool_call').map((p) => p.name)).toEqual(['exec_command', 'apply_patch']);
  });

  it('reads a plain-text input and instructions', () => {
    const req = adapter.read('{"model":"gpt-5","instructions":"Be brief.","input":"hello","store":false}');
    expect(req.system).toEqual([{ type: 'text', text: 'Be brief.' }]);
    expect(req.messages).toEqual([{ role: 'user', parts: [{ type: 'text', text: 'hello', span: expect.any(Object) }] }]);
    expect(req.stream).toBe(false);
    expect(req.sessionKey).toBeUndefined();
  });

  it.each([CODEX_DEFAULT, CODEX_DEFAULT_OUTPUT])('reads the tools %s declares in its additional_tools item', (name) => {
    const body = capture(name);
    expect(body.tools).toBeUndefined();
    const req = adapter.read(JSON.stringify(body));
    expect(req.tools).toEqual(DEFAULT_TOOLS);
    expect(latestUserText(req, AGENT_CONTEXT)).toMatch(/^(hello codex, what is here\?|Check the app log for errors\.)$/);
  });

  it("reads the default model's exec output: a custom_tool_call_output of input_text parts", () => {
    const raw = JSON.stringify(capture(CODEX_DEFAULT_OUTPUT));
    const req = adapter.read(raw);
    const [call] = req.messages.flatMap((m) => m.parts).filter((p) => p.type === 'tool_call');
    expect(call).toMatchObject({ name: 'exec', input: expect.stringContaining('tools.exec_command') });
    const outputs = toolOutputs(req);
    expect(outputs.map((o) => o.text.split('\n')[0])).toEqual(['Script completed', '2026-03-01T12:00:01Z INFO worker-1 handled request 1 in 12ms']);
    for (const o of outputs) expect(JSON.parse(raw.slice(o.span.start, o.span.end))).toBe(o.text);
  });

  it('throws SyntaxError on invalid JSON', () => {
    expect(() => adapter.read('{"input": [')).toThrow(SyntaxError);
  });
});

describe('addTools', () => {
  it.each([CODEX_HI, CODEX_TOOL_2])('appends the tool to the tools of %s and changes nothing else', (name) => {
    const body = capture(name);
    const raw = JSON.stringify(body);
    const edit = adapter.addTools(raw, [RETRIEVE_TOOL]);
    expect(edit.end).toBe(edit.start);
    const out = splice(raw, [edit]);
    expect(out.startsWith(raw.slice(0, edit.start))).toBe(true);
    expect(out.endsWith(raw.slice(edit.start))).toBe(true);
    const parsed = JSON.parse(out) as Json;
    const tools = parsed.tools as Json[];
    expect(tools.at(-1)).toMatchObject({ type: 'function', name: RETRIEVE_TOOL_NAME, strict: false, parameters: { type: 'object', required: ['key'] } });
    expect({ ...parsed, tools: tools.slice(0, -1) }).toEqual(body);
    expect(adapter.read(out).tools.at(-1)).toBe(RETRIEVE_TOOL_NAME);
  });

  it('inserts the same bytes every time', () => {
    const a = adapter.addTools(JSON.stringify(capture(CODEX_TOOL_1)), [RETRIEVE_TOOL]);
    const b = adapter.addTools(JSON.stringify(capture(CODEX_TOOL_2)), [RETRIEVE_TOOL]);
    expect(a.text).toBe(b.text);
  });

  it.each([CODEX_DEFAULT, CODEX_DEFAULT_OUTPUT])('adds the tools to %s as a headroom namespace in its additional_tools item, nothing else changed', (name) => {
    const body = capture(name);
    const raw = JSON.stringify(body);
    const edit = adapter.addTools(raw, [RETRIEVE_TOOL]);
    expect(edit.end).toBe(edit.start);
    const out = splice(raw, [edit]);
    const parsed = JSON.parse(out) as { input: Json[]; tools?: unknown };
    expect(parsed.tools).toBeUndefined();
    const carrier = parsed.input[0] as { type: string; tools: Json[] };
    expect(carrier.type).toBe('additional_tools');
    expect(carrier.tools.at(-1)).toEqual({
      type: 'namespace',
      name: 'headroom',
      description: expect.stringContaining('headroom'),
      tools: [{ type: 'function', name: RETRIEVE_TOOL_NAME, description: RETRIEVE_TOOL.description, strict: false, parameters: RETRIEVE_TOOL.schema }],
    });
    expect({ ...parsed, input: [{ ...carrier, tools: carrier.tools.slice(0, -1) }, ...parsed.input.slice(1)] }).toEqual(body);
    expect(adapter.read(out).tools).toEqual([...DEFAULT_TOOLS, RETRIEVE_TOOL_NAME]);
  });

  it('writes the namespace with the same bytes into every request of a default-model session', () => {
    const a = adapter.addTools(JSON.stringify(capture(CODEX_DEFAULT)), [RETRIEVE_TOOL]);
    const b = adapter.addTools(JSON.stringify(capture(CODEX_DEFAULT_OUTPUT)), [RETRIEVE_TOOL]);
    expect(a.text).toBe(b.text);
  });

  it('prefers declared top-level tools, and an additional_tools item over an empty top-level list', () => {
    const body = capture(CODEX_DEFAULT);
    const withEmpty = JSON.stringify({ ...body, tools: [] });
    const out = JSON.parse(splice(withEmpty, [adapter.addTools(withEmpty, [RETRIEVE_TOOL])])) as { tools: Json[]; input: Array<{ tools?: Json[] }> };
    expect(out.tools).toEqual([]);
    expect(out.input[0]!.tools!.at(-1)).toMatchObject({ type: 'namespace', name: 'headroom' });
    const withTop = JSON.stringify({ ...body, tools: [{ type: 'function', name: 'mine', parameters: {} }] });
    const top = JSON.parse(splice(withTop, [adapter.addTools(withTop, [RETRIEVE_TOOL])])) as { tools: Json[]; input: Array<{ tools?: Json[] }> };
    expect(top.tools.map((t) => t.name)).toEqual(['mine', RETRIEVE_TOOL_NAME]);
    expect(top.input[0]).toEqual(body.input && (body.input as Json[])[0]);
  });

  it('adds a tools member when there is none, and fills an empty list', () => {
    const raw = '{"model":"gpt-5","input":"hi"}';
    const out = JSON.parse(splice(raw, [adapter.addTools(raw, [RETRIEVE_TOOL])])) as Json;
    expect((out.tools as Json[]).map((t) => t.name)).toEqual([RETRIEVE_TOOL_NAME]);
    const empty = '{"model":"gpt-5","tools":[ ],"input":"hi"}';
    expect((JSON.parse(splice(empty, [adapter.addTools(empty, [RETRIEVE_TOOL])])) as { tools: Json[] }).tools).toHaveLength(1);
  });
});

// A realistic response: reasoning with encrypted content, then a retrieve call.
const REASONING_1 = { id: 'rs_0a1', type: 'reasoning', summary: [{ type: 'summary_text', text: '**Checking the omitted lines**' }], encrypted_content: 'gAAAAABpEnc1' };
const RETRIEVE_CALL = {
  id: 'fc_0a2',
  type: 'function_call',
  status: 'completed',
  arguments: '{"key":"0123456789abcdef","query":"CODEX-TOOL"}',
  call_id: 'call_r1',
  name: RETRIEVE_TOOL_NAME,
};
const REASONING_2 = { id: 'rs_0b1', type: 'reasoning', summary: [{ type: 'summary_text', text: '**Answering**' }], encrypted_content: 'gAAAAABpEnc2' };
const ANSWER = { id: 'msg_0b2', type: 'message', status: 'completed', content: [{ type: 'output_text', annotations: [], logprobs: [], text: 'The command printed CODEX-TOOL-42 — über done.' }], role: 'assistant' };
const EXEC_CALL = { id: 'fc_0c2', type: 'function_call', status: 'completed', arguments: '{"cmd":"ls -la"}', call_id: 'call_c1', name: 'exec_command' };

function usage(input: number, cached: number, output: number, reasoning: number): Json {
  return { input_tokens: input, input_tokens_details: { cached_tokens: cached }, output_tokens: output, output_tokens_details: { reasoning_tokens: reasoning }, total_tokens: input + output };
}

function responseBody(id: string, output: Json[], u: Json, status = 'completed'): Json {
  return { id, object: 'response', created_at: 1795239414, status, error: null, incomplete_details: null, model: 'gpt-5-codex', output, parallel_tool_calls: true, store: false, usage: u };
}

describe('continueRequest', () => {
  const round: Round = adapter.readResponse(responseBody('resp_a', [REASONING_1, RETRIEVE_CALL], usage(9000, 8000, 60, 30)));

  it('replays the model turn and answers each call, keeping the request bytes before them', () => {
    const raw = JSON.stringify(capture(CODEX_TOOL_2));
    const inputSpan = objectMembers(raw, rootSpan(raw)).get('input')!;
    const next = adapter.continueRequest(raw, round, [{ call: round.proxyCalls[0]!, text: 'line 1\nCODEX-TOOL-42\n' }]);
    expect(next.startsWith(raw.slice(0, inputSpan.end - 1))).toBe(true);
    expect(next.endsWith(raw.slice(inputSpan.end - 1))).toBe(true);
    const input = (JSON.parse(next) as { input: Json[] }).input;
    expect(input.slice(-3)).toEqual([REASONING_1, RETRIEVE_CALL, { type: 'function_call_output', call_id: 'call_r1', output: 'line 1\nCODEX-TOOL-42\n' }]);
    const outputs = toolOutputs(adapter.read(next));
    expect(outputs.map((o) => o.id)).toEqual(['call_fake_001', 'call_r1']);
  });

  it('turns a plain-text input into an item list', () => {
    const raw = '{"model":"gpt-5","input":"what did it print?","stream":true}';
    const next = JSON.parse(adapter.continueRequest(raw, round, [{ call: round.proxyCalls[0]!, text: 'x' }])) as Json;
    expect(next.input).toEqual([{ role: 'user', content: 'what did it print?' }, REASONING_1, RETRIEVE_CALL, { type: 'function_call_output', call_id: 'call_r1', output: 'x' }]);
    expect(next.stream).toBe(true);
  });
});

describe('readResponse and mergeResponses', () => {
  it('reads retrieve calls, client calls and usage', () => {
    const round = adapter.readResponse(responseBody('resp_c', [REASONING_1, EXEC_CALL, RETRIEVE_CALL], usage(9000, 8000, 60, 30)));
    expect(round.proxyCalls).toEqual([{ id: 'call_r1', name: RETRIEVE_TOOL_NAME, input: { key: '0123456789abcdef', query: 'CODEX-TOOL' } }]);
    expect(round.clientToolCalls).toBe(1);
    expect(round.usage).toEqual({ input: 1000, output: 60, cacheRead: 8000, cacheWrite: 0 });
    expect(adapter.usageOf(responseBody('r', [], usage(10, 4, 2, 0)))).toEqual({ input: 6, output: 2, cacheRead: 4, cacheWrite: 0 });
  });

  it('merges rounds: visible items in order, first id, usage summed', () => {
    const bodies = [responseBody('resp_a', [REASONING_1, RETRIEVE_CALL], usage(9000, 8000, 60, 30)), responseBody('resp_b', [REASONING_2, ANSWER], usage(9200, 9000, 40, 10))];
    const merged = adapter.mergeResponses(bodies, false) as Json;
    expect(merged.id).toBe('resp_a');
    expect(merged.output).toEqual([REASONING_1, REASONING_2, ANSWER]);
    expect(merged.usage).toEqual(usage(18200, 17000, 100, 40));
    expect(merged.status).toBe('completed');
  });

  it('hides a retrieve call made together with a client call', () => {
    const merged = adapter.mergeResponses([responseBody('resp_c', [REASONING_1, RETRIEVE_CALL, EXEC_CALL], usage(10, 0, 5, 0))], false) as Json;
    expect(merged.output).toEqual([REASONING_1, EXEC_CALL]);
  });

  it('says the turn completed when the loop was cut', () => {
    const bodies = [responseBody('resp_a', [RETRIEVE_CALL], usage(10, 0, 5, 0)), responseBody('resp_b', [REASONING_2, RETRIEVE_CALL], usage(10, 0, 5, 0), 'incomplete')];
    const merged = adapter.mergeResponses(bodies, true) as Json;
    expect(merged.status).toBe('completed');
    expect(merged.incomplete_details).toBeNull();
    expect(merged.output).toEqual([REASONING_2]);
  });
});

/** The event stream the Responses API sends for these output items, in its order and shapes. */
function responseStream(id: string, items: Json[], u: Json, terminal = 'response.completed'): string {
  let seq = 0;
  let out = '';
  const emit = (type: string, fields: Json): void => {
    out += `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...fields })}\n\n`;
  };
  const base = responseBody(id, [], null as unknown as Json, 'in_progress');
  emit('response.created', { response: base });
  emit('response.in_progress', { response: base });
  items.forEach((item, output_index) => {
    const item_id = item.id;
    if (item.type === 'reasoning') {
      const text = (item.summary as Array<{ text: string }>)[0]!.text;
      emit('response.output_item.added', { output_index, item: { ...item, summary: [] } });
      emit('response.reasoning_summary_part.added', { item_id, output_index, summary_index: 0, part: { type: 'summary_text', text: '' } });
      for (const delta of pieces(text)) emit('response.reasoning_summary_text.delta', { item_id, output_index, summary_index: 0, delta });
      emit('response.reasoning_summary_text.done', { item_id, output_index, summary_index: 0, text });
      emit('response.reasoning_summary_part.done', { item_id, output_index, summary_index: 0, part: { type: 'summary_text', text } });
    } else if (item.type === 'message') {
      const part = (item.content as Json[])[0]!;
      const text = part.text as string;
      emit('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', content: [] } });
      emit('response.content_part.added', { item_id, output_index, content_index: 0, part: { ...part, text: '' } });
      for (const delta of pieces(text)) emit('response.output_text.delta', { item_id, output_index, content_index: 0, delta, logprobs: [] });
      emit('response.output_text.done', { item_id, output_index, content_index: 0, text, logprobs: [] });
      emit('response.content_part.done', { item_id, output_index, content_index: 0, part });
    } else {
      const args = item.arguments as string;
      emit('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', arguments: '' } });
      for (const delta of pieces(args)) emit('response.function_call_arguments.delta', { item_id, output_index, delta });
      emit('response.function_call_arguments.done', { item_id, output_index, arguments: args });
    }
    emit('response.output_item.done', { output_index, item });
  });
  emit(terminal, { response: { ...base, status: terminal === 'response.completed' ? 'completed' : 'incomplete', output: items, usage: u } });
  return out;
}

function pieces(text: string): string[] {
  const third = Math.ceil(text.length / 3);
  return [text.slice(0, third), text.slice(third, 2 * third), text.slice(2 * third)].filter((p) => p !== '');
}

/** Feeds each upstream stream through one relay in 7-byte chunks (UTF-8 split mid-character). */
function relayRounds(streams: string[], retrievalCut = false): { text: string; rounds: Round[] } {
  const relay = adapter.streamRelay();
  let text = '';
  const rounds: Round[] = [];
  streams.forEach((stream, n) => {
    relay.beginRound(n);
    const parser = new SseParser();
    const bytes = new TextEncoder().encode(stream);
    for (let i = 0; i < bytes.length; i += 7) for (const ev of parser.push(bytes.slice(i, i + 7))) text += relay.push(ev);
    expect(parser.end()).toBe('');
    rounds.push(relay.endRound());
  });
  return { text: text + relay.finish(retrievalCut), rounds };
}

function clientEvents(text: string): Json[] {
  return new SseParser().push(text).map((ev) => {
    const data = JSON.parse(ev.data) as Json;
    expect(ev.event).toBe(data.type);
    return data;
  });
}

/** One response as the client sees it: numbered from 0, items added in index order, one start, one end. */
function expectOneConsistentStream(events: Json[]): void {
  expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
  expect(events.filter((e) => e.type === 'response.created')).toHaveLength(1);
  expect(events[0]!.type).toBe('response.created');
  expect(events.at(-1)!.type).toBe('response.completed');
  let added = 0;
  for (const e of events) {
    if (e.type === 'response.output_item.added') expect(e.output_index).toBe(added++);
    else if (typeof e.output_index === 'number') expect(e.output_index).toBeLessThan(added);
  }
}

/** What the real openai SDK makes of a stream. */
async function sdkFinalResponse(sse: string): Promise<OpenAI.Responses.Response> {
  const client = new OpenAI({
    apiKey: 'test',
    baseURL: 'http://127.0.0.1:9/v1',
    fetch: async () => new Response(sse, { headers: { 'content-type': 'text/event-stream' } }),
  });
  return client.responses.stream({ model: 'gpt-5-codex', input: 'hi' }).finalResponse();
}

describe('streamRelay', () => {
  it.each([
    ['a text answer', [REASONING_2, ANSWER]],
    ['a client tool call', [REASONING_1, EXEC_CALL]],
  ])('passes a single round with %s through byte for byte', (_, items) => {
    const upstream = responseStream('resp_a', items, usage(9000, 8000, 60, 30));
    const { text, rounds } = relayRounds([upstream]);
    expect(text).toBe(upstream);
    expect(rounds[0]!.assistant).toEqual(items);
    expect(rounds[0]!.proxyCalls).toEqual([]);
    expect(rounds[0]!.usage).toEqual({ input: 1000, output: 60, cacheRead: 8000, cacheWrite: 0 });
  });

  it('joins a retrieve-only round and its continuation into one response', async () => {
    const round0 = responseStream('resp_a', [REASONING_1, RETRIEVE_CALL], usage(9000, 8000, 60, 30));
    const round1 = responseStream('resp_b', [REASONING_2, ANSWER], usage(9200, 9000, 40, 10));
    const { text, rounds } = relayRounds([round0, round1]);
    expect(text).not.toContain(RETRIEVE_TOOL_NAME);
    expect(text).not.toContain('call_r1');
    const events = clientEvents(text);
    expectOneConsistentStream(events);
    const done = events.filter((e) => e.type === 'response.output_item.done').map((e) => e.item);
    expect(done).toEqual([REASONING_1, REASONING_2, ANSWER]);
    const completed = events.at(-1)!.response as Json;
    expect(completed.id).toBe('resp_a');
    expect(completed.output).toEqual([REASONING_1, REASONING_2, ANSWER]);
    expect(completed.usage).toEqual(usage(18200, 17000, 100, 40));

    expect(rounds[0]!.assistant).toEqual([REASONING_1, RETRIEVE_CALL]);
    expect(rounds[0]!.proxyCalls).toEqual([{ id: 'call_r1', name: RETRIEVE_TOOL_NAME, input: { key: '0123456789abcdef', query: 'CODEX-TOOL' } }]);
    expect(rounds[0]!.clientToolCalls).toBe(0);
    expect(rounds[1]!.usage).toEqual({ input: 200, output: 40, cacheRead: 9000, cacheWrite: 0 });

    const final = await sdkFinalResponse(text);
    expect(final.id).toBe('resp_a');
    expect(final.output_text).toBe('The command printed CODEX-TOOL-42 — über done.');
    expect(final.output.map((o) => o.type)).toEqual(['reasoning', 'reasoning', 'message']);
  });

  it('hides a retrieve call mixed with a client call and renumbers the items after it', async () => {
    const upstream = responseStream('resp_c', [REASONING_1, RETRIEVE_CALL, EXEC_CALL], usage(500, 0, 30, 10));
    const { text, rounds } = relayRounds([upstream]);
    expect(text).not.toContain(RETRIEVE_TOOL_NAME);
    const events = clientEvents(text);
    expectOneConsistentStream(events);
    const execEvents = events.filter((e) => e.item_id === 'fc_0c2' || (e.item as Json | undefined)?.id === 'fc_0c2');
    expect(execEvents.length).toBeGreaterThan(0);
    for (const e of execEvents) expect(e.output_index).toBe(1);
    expect((events.at(-1)!.response as Json).output).toEqual([REASONING_1, EXEC_CALL]);
    expect(rounds[0]!.proxyCalls).toHaveLength(1);
    expect(rounds[0]!.clientToolCalls).toBe(1);
    // The SDK adds its own `parsed_arguments` to function calls.
    const final = await sdkFinalResponse(text);
    expect(final.output).toMatchObject([REASONING_1, EXEC_CALL]);
  });

  it("hides a retrieve call made through the headroom namespace (Codex's default model) and replays it as it came", () => {
    const namespaced = { ...RETRIEVE_CALL, namespace: 'headroom' };
    const execCall = { id: 'ctc_0c3', type: 'custom_tool_call', status: 'completed', call_id: 'call_x1', namespace: 'functions', name: 'exec', input: 'text(1);' };
    const upstream = responseStream('resp_n', [REASONING_1, namespaced], usage(500, 0, 30, 10));
    const { text, rounds } = relayRounds([upstream, responseStream('resp_o', [REASONING_2, ANSWER], usage(600, 500, 20, 5))]);
    expect(text).not.toContain(RETRIEVE_TOOL_NAME);
    expect((clientEvents(text).at(-1)!.response as Json).output).toEqual([REASONING_1, REASONING_2, ANSWER]);
    expect(rounds[0]!.proxyCalls).toEqual([{ id: 'call_r1', name: RETRIEVE_TOOL_NAME, input: { key: '0123456789abcdef', query: 'CODEX-TOOL' } }]);
    const raw = JSON.stringify(capture(CODEX_DEFAULT_OUTPUT));
    const next = JSON.parse(adapter.continueRequest(raw, rounds[0]!, [{ call: rounds[0]!.proxyCalls[0]!, text: 'the original' }])) as { input: Json[] };
    expect(next.input.slice(-3)).toEqual([REASONING_1, namespaced, { type: 'function_call_output', call_id: 'call_r1', output: 'the original' }]);
    // The exec tool's calls are the client's.
    expect(adapter.readResponse(responseBody('r', [execCall, namespaced], usage(1, 0, 1, 0))).clientToolCalls).toBe(1);
  });

  it('ends a cut loop as a completed response without the retrieve calls', () => {
    const round0 = responseStream('resp_a', [RETRIEVE_CALL], usage(100, 0, 10, 0));
    const round1 = responseStream('resp_b', [REASONING_2, { ...RETRIEVE_CALL, id: 'fc_0b9', call_id: 'call_r2' }], usage(120, 100, 10, 5), 'response.incomplete');
    const { text } = relayRounds([round0, round1], true);
    const events = clientEvents(text);
    expectOneConsistentStream(events);
    const completed = events.at(-1)!.response as Json;
    expect(completed.status).toBe('completed');
    expect(completed.output).toEqual([REASONING_2]);
    expect(completed.usage).toEqual(usage(220, 100, 20, 5));
  });

  it('passes keep-alive comments through', () => {
    const relay = adapter.streamRelay();
    relay.beginRound(0);
    const [ev] = new SseParser().push(': keep-alive\n\n');
    expect(relay.push(ev!)).toBe(': keep-alive\n\n');
  });

  it('reports an upstream failure so the openai SDK throws and Codex sees response.failed', async () => {
    const relay = adapter.streamRelay();
    relay.beginRound(0);
    const upstream = responseStream('resp_a', [ANSWER], usage(10, 0, 5, 0));
    // The upstream breaks after its first item was added.
    const cut = upstream.slice(0, upstream.indexOf('event: response.content_part.added'));
    let text = '';
    for (const ev of new SseParser().push(cut)) text += relay.push(ev);
    text += relay.error('upstream connection reset');
    const events = clientEvents(text);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const failed = events.at(-1)!;
    expect(failed.type).toBe('response.failed');
    expect((failed.response as { error: Json }).error.message).toBe('upstream connection reset');

    const client = new OpenAI({ apiKey: 'test', baseURL: 'http://127.0.0.1:9/v1', fetch: async () => new Response(text, { headers: { 'content-type': 'text/event-stream' } }) });
    const stream = await client.responses.create({ model: 'gpt-5-codex', input: 'hi', stream: true });
    await expect(async () => {
      for await (const _ of stream);
    }).rejects.toThrow(/upstream connection reset/);
  });
});

describe('errorBody', () => {
  it('uses the OpenAI error shape', () => {
    expect(adapter.errorBody(502, 'upstream unreachable')).toEqual({ error: { message: 'upstream unreachable', type: 'server_error', code: 'server_error', param: null } });
    expect((adapter.errorBody(400, 'bad') as { error: Json }).error.type).toBe('invalid_request_error');
  });
});

// The item spans the relay's continuation appends are themselves readable items.
describe('continuation round trip', () => {
  it('a streamed round replays into a request whose new items parse as input items', () => {
    const { rounds } = relayRounds([responseStream('resp_a', [REASONING_1, RETRIEVE_CALL], usage(10, 0, 5, 0))]);
    const raw = JSON.stringify(capture(CODEX_TOOL_2), null, 2);
    const next = adapter.continueRequest(raw, rounds[0]!, [{ call: rounds[0]!.proxyCalls[0]!, text: 'original' }]);
    const input = objectMembers(next, rootSpan(next)).get('input')!;
    const items = arrayElements(next, input).slice(-3).map((s) => JSON.parse(next.slice(s.start, s.end)) as Json);
    expect(items.map((i) => i.type)).toEqual(['reasoning', 'function_call', 'function_call_output']);
    expect(items[0]!.encrypted_content).toBe('gAAAAABpEnc1');
    expect(items[2]!.call_id).toBe(items[1]!.call_id);
  });
});
