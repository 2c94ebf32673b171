import { readFileSync } from 'node:fs';
import { anthropic, gemini, openaiChat, openaiResponses, RETRIEVE_TOOL_NAME, type ProviderAdapter } from '../../src/providers/index.js';
import type { Usage } from '../../src/wire/index.js';

/**
 * One case per wire format for the provider contract suite: a request an agent sent (a capture
 * from fixtures/wire, given a tool turn where the capture has none), what its tool outputs
 * are when read independently of the adapter, a non-streamed response that makes one proxy
 * call, and two small event streams (a plain answer, and a round that makes a proxy call).
 */

type Json = Record<string, any>;

export interface ContractCase {
  adapter: ProviderAdapter;
  /** The request body as parsed JSON. */
  request: Json;
  /** The texts of the request's tool outputs, in order, read straight from the JSON. */
  outputTexts(body: Json): string[];
  /** A non-streamed response with some text and one headroom_retrieve call of `KEY`. */
  proxyCallResponse: Json;
  /** The usage both the response and the answer stream report, in neutral terms. */
  usage: Usage;
  /** A streamed plain answer whose text is `ANSWER_PIECES` joined, its events ended by `eol` pairs. */
  answerStream(eol: string): string;
  /** A streamed round with the text "Let me look." and one headroom_retrieve call of `KEY`. */
  proxyCallStream(eol: string): string;
}

export const KEY = '0123456789abcdef';
/** Multi-byte text: two-, three- and four-byte UTF-8 sequences, so byte cuts fall inside characters. */
export const ANSWER_PIECES = ['hé', 'llo ✓ 🙂'] as const;
const [ANSWER_A, ANSWER_B] = ANSWER_PIECES;

/** The same usage in every case: 100 uncached input, 20 output, 30 read from the cache. */
const USAGE: Usage = { input: 100, output: 20, cacheRead: 30, cacheWrite: 0 };

function capture(path: string): Json {
  return (JSON.parse(readFileSync(new URL(`../../fixtures/wire/${path}`, import.meta.url), 'utf8')) as { body: Json }).body;
}

/** SSE text: one event per entry, `event:` line when named, lines ended by `eol`. */
function sse(eol: string, events: Array<[string | undefined, unknown]>): string {
  return events.map(([name, data]) => `${name !== undefined ? `event: ${name}${eol}` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}${eol}${eol}`).join('');
}

const list = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);
const textsOf = (content: unknown, type: string): string[] =>
  typeof content === 'string' ? [content] : list(content).filter((p) => p.type === type && typeof p.text === 'string').map((p) => p.text as string);

const anthropicCase: ContractCase = {
  adapter: anthropic,
  // Claude Code's second request: its Bash call and the call's tool_result.
  request: capture('claude-tool/003-POST-_v1_messages.json'),
  outputTexts: (body) =>
    list(body.messages)
      .flatMap((m) => list(m.content))
      .filter((b) => b.type === 'tool_result')
      .flatMap((b) => textsOf(b.content, 'text')),
  proxyCallResponse: {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude-x',
    content: [
      { type: 'text', text: 'Let me look.' },
      { type: 'tool_use', id: 'toolu_r1', name: RETRIEVE_TOOL_NAME, input: { key: KEY } },
    ],
    stop_reason: 'tool_use',
    usage: { input_tokens: 100, output_tokens: 20, cache_read_input_tokens: 30, cache_creation_input_tokens: 0 },
  },
  usage: USAGE,
  answerStream: (eol) =>
    sse(eol, [
      ['message_start', { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x', content: [], stop_reason: null, usage: { input_tokens: 100, cache_creation_input_tokens: 0, cache_read_input_tokens: 30, output_tokens: 1 } } }],
      ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
      ['ping', { type: 'ping' }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ANSWER_A } }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ANSWER_B } }],
      ['content_block_stop', { type: 'content_block_stop', index: 0 }],
      ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 20 } }],
      ['message_stop', { type: 'message_stop' }],
    ]),
  proxyCallStream: (eol) =>
    sse(eol, [
      ['message_start', { type: 'message_start', message: { id: 'msg_0', type: 'message', role: 'assistant', model: 'claude-x', content: [], stop_reason: null, usage: { input_tokens: 90, output_tokens: 1 } } }],
      ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Let me look.' } }],
      ['content_block_stop', { type: 'content_block_stop', index: 0 }],
      ['content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_r1', name: RETRIEVE_TOOL_NAME, input: {} } }],
      ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"key":' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: `"${KEY}"}` } }],
      ['content_block_stop', { type: 'content_block_stop', index: 1 }],
      ['message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 9 } }],
      ['message_stop', { type: 'message_stop' }],
    ]),
};

/** Copilot CLI's first request, with one tool call answered by two tool messages' worth of output. */
function copilotWithToolTurn(): Json {
  const body = capture('copilot/001-POST-_v1_chat_completions.json');
  const call = { id: 'call_1', type: 'function', function: { name: 'bash', arguments: '{"command":"ls"}' } };
  body.messages = [
    ...list(body.messages),
    { role: 'assistant', content: null, tool_calls: [call] },
    { role: 'tool', tool_call_id: 'call_1', content: 'README.md\nsrc ✓\n' },
    { role: 'tool', tool_call_id: 'call_1', content: [{ type: 'text', text: 'second part é' }] },
  ];
  return body;
}

const chatChunk = (delta: Json, finish: string | null = null): Json => ({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-x', choices: [{ index: 0, delta, finish_reason: finish }] });
const chatUsage = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-x', choices: [], usage: { prompt_tokens: 130, completion_tokens: 20, total_tokens: 150, prompt_tokens_details: { cached_tokens: 30 } } };

const chatCase: ContractCase = {
  adapter: openaiChat,
  request: copilotWithToolTurn(),
  outputTexts: (body) =>
    list(body.messages)
      .filter((m) => m.role === 'tool')
      .flatMap((m) => textsOf(m.content, 'text')),
  proxyCallResponse: {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'Let me look.', tool_calls: [{ id: 'call_r1', type: 'function', function: { name: RETRIEVE_TOOL_NAME, arguments: JSON.stringify({ key: KEY }) } }] },
        finish_reason: 'tool_calls',
      },
    ],
    usage: { prompt_tokens: 130, completion_tokens: 20, total_tokens: 150, prompt_tokens_details: { cached_tokens: 30 } },
  },
  usage: USAGE,
  answerStream: (eol) =>
    sse(eol, [
      [undefined, chatChunk({ role: 'assistant', content: '' })],
      [undefined, chatChunk({ content: ANSWER_A })],
      [undefined, chatChunk({ content: ANSWER_B })],
      [undefined, chatChunk({}, 'stop')],
      [undefined, chatUsage],
      [undefined, '[DONE]'],
    ]).replace(`data: ${JSON.stringify(chatChunk({ content: ANSWER_B }))}`, `: keep-alive${eol}data: ${JSON.stringify(chatChunk({ content: ANSWER_B }))}`),
  proxyCallStream: (eol) =>
    sse(eol, [
      [undefined, chatChunk({ role: 'assistant', content: 'Let me look.' })],
      [undefined, chatChunk({ tool_calls: [{ index: 0, id: 'call_r1', type: 'function', function: { name: RETRIEVE_TOOL_NAME, arguments: '' } }] })],
      [undefined, chatChunk({ tool_calls: [{ index: 0, function: { arguments: '{"key":' } }] })],
      [undefined, chatChunk({ tool_calls: [{ index: 0, function: { arguments: `"${KEY}"}` } }] })],
      [undefined, chatChunk({}, 'tool_calls')],
      [undefined, { ...chatUsage, usage: { prompt_tokens: 90, completion_tokens: 9 } }],
      [undefined, '[DONE]'],
    ]),
};

const responsesMessage = { type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: ANSWER_PIECES.join(''), annotations: [] }] };
const responsesUsage = { input_tokens: 130, output_tokens: 20, total_tokens: 150, input_tokens_details: { cached_tokens: 30 }, output_tokens_details: { reasoning_tokens: 0 } };
const lookMessage = { type: 'message', id: 'msg_0', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Let me look.', annotations: [] }] };
const retrieveItem = { type: 'function_call', id: 'fc_1', call_id: 'call_r1', name: RETRIEVE_TOOL_NAME, arguments: JSON.stringify({ key: KEY }), status: 'completed' };

const responsesCase: ContractCase = {
  adapter: openaiResponses,
  // Codex's second request: its exec call and the call's function_call_output.
  request: capture('codex-tool/002-POST-_v1_responses.json'),
  outputTexts: (body) =>
    list(body.input)
      .filter((i) => typeof i.type === 'string' && i.type.endsWith('_call_output'))
      .flatMap((i) => textsOf(i.output, 'input_text')),
  proxyCallResponse: {
    id: 'resp_1',
    object: 'response',
    status: 'completed',
    output: [lookMessage, retrieveItem],
    usage: responsesUsage,
  },
  usage: USAGE,
  answerStream: (eol) =>
    sse(eol, [
      ['response.created', { type: 'response.created', sequence_number: 0, response: { id: 'resp_1', object: 'response', status: 'in_progress', output: [] } }],
      ['response.output_item.added', { type: 'response.output_item.added', sequence_number: 1, output_index: 0, item: { ...responsesMessage, status: 'in_progress', content: [] } }],
      ['response.output_text.delta', { type: 'response.output_text.delta', sequence_number: 2, item_id: 'msg_1', output_index: 0, content_index: 0, delta: ANSWER_A }],
      ['response.output_text.delta', { type: 'response.output_text.delta', sequence_number: 3, item_id: 'msg_1', output_index: 0, content_index: 0, delta: ANSWER_B }],
      ['response.output_item.done', { type: 'response.output_item.done', sequence_number: 4, output_index: 0, item: responsesMessage }],
      ['response.completed', { type: 'response.completed', sequence_number: 5, response: { id: 'resp_1', object: 'response', status: 'completed', output: [responsesMessage], usage: responsesUsage } }],
    ]),
  proxyCallStream: (eol) =>
    sse(eol, [
      ['response.created', { type: 'response.created', sequence_number: 0, response: { id: 'resp_0', object: 'response', status: 'in_progress', output: [] } }],
      ['response.output_item.added', { type: 'response.output_item.added', sequence_number: 1, output_index: 0, item: { ...lookMessage, status: 'in_progress', content: [] } }],
      ['response.output_text.delta', { type: 'response.output_text.delta', sequence_number: 2, item_id: 'msg_0', output_index: 0, content_index: 0, delta: 'Let me look.' }],
      ['response.output_item.done', { type: 'response.output_item.done', sequence_number: 3, output_index: 0, item: lookMessage }],
      ['response.output_item.added', { type: 'response.output_item.added', sequence_number: 4, output_index: 1, item: { ...retrieveItem, arguments: '', status: 'in_progress' } }],
      ['response.function_call_arguments.delta', { type: 'response.function_call_arguments.delta', sequence_number: 5, item_id: 'fc_1', output_index: 1, delta: '{"key":' }],
      ['response.function_call_arguments.delta', { type: 'response.function_call_arguments.delta', sequence_number: 6, item_id: 'fc_1', output_index: 1, delta: `"${KEY}"}` }],
      ['response.output_item.done', { type: 'response.output_item.done', sequence_number: 7, output_index: 1, item: retrieveItem }],
      ['response.completed', { type: 'response.completed', sequence_number: 8, response: { id: 'resp_0', object: 'response', status: 'completed', output: [lookMessage, retrieveItem], usage: { input_tokens: 90, output_tokens: 9, total_tokens: 99 } } }],
    ]),
};

/** Gemini CLI's chat request, with one function call and its response (output and a long MCP-style member). */
function geminiWithToolTurn(): Json {
  const body = capture('gemini/002-POST-_v1beta_models_gemini_3_8_flash_streamGenerateContent.json');
  body.contents = [
    ...list(body.contents),
    { role: 'model', parts: [{ functionCall: { id: 'call_1', name: 'run_shell_command', args: { command: 'ls' } } }] },
    { role: 'user', parts: [{ functionResponse: { id: 'call_1', name: 'run_shell_command', response: { output: 'README.md\nsrc ✓\n' } } }] },
  ];
  return body;
}

const geminiChunk = (parts: Json[], extra: Json = {}): Json => ({
  candidates: [{ content: { role: 'model', parts }, index: 0, ...extra }],
  usageMetadata: { promptTokenCount: 130, candidatesTokenCount: 20, cachedContentTokenCount: 30, totalTokenCount: 150 },
  modelVersion: 'gemini-x',
  responseId: 'r1',
});

const geminiCase: ContractCase = {
  adapter: gemini,
  request: geminiWithToolTurn(),
  outputTexts: (body) =>
    list(body.contents)
      .flatMap((c) => list(c.parts))
      .filter((p) => p.functionResponse)
      .flatMap((p) => Object.values(p.functionResponse.response as Json).filter((v): v is string => typeof v === 'string')),
  proxyCallResponse: geminiChunk([{ text: 'Let me look.' }, { functionCall: { id: 'call_r1', name: RETRIEVE_TOOL_NAME, args: { key: KEY } } }], { finishReason: 'STOP' }),
  usage: USAGE,
  answerStream: (eol) =>
    sse(eol, [
      [undefined, geminiChunk([{ text: ANSWER_A }])],
      [undefined, geminiChunk([{ text: ANSWER_B }])],
      [undefined, geminiChunk([{ text: '' }], { finishReason: 'STOP' })],
    ]),
  proxyCallStream: (eol) =>
    sse(eol, [
      [undefined, { ...geminiChunk([{ text: 'Let me look.' }]), responseId: 'r0' }],
      [undefined, { ...geminiChunk([{ functionCall: { id: 'call_r1', name: RETRIEVE_TOOL_NAME, args: { key: KEY } } }], { finishReason: 'STOP' }), responseId: 'r0' }],
    ]),
};

export const CONTRACT_CASES: readonly ContractCase[] = [anthropicCase, chatCase, responsesCase, geminiCase];
