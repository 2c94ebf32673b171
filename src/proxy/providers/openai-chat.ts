import { appendToArray, appendToRootArray, arrayElements, eventJson, formatSse, type Message, type NeutralRequest, NO_USAGE, objectMembers, parseArguments, type Part, type Replacement, rootSpan, type Span, spansForUserOnly, splice, type SseEvent, stringAt, type TextPart, type Usage } from '../../wire/index.js';
import { RETRIEVE_ONLY } from '../retrieval.js';
import type { ProviderAdapter, ProxyCall, ProxyResult, ProxyToolSpec, Round, StreamEnding, StreamRelay } from './types.js';

/** OpenAI Chat Completions: `POST /v1/chat/completions` (Copilot CLI BYOK, Aider via litellm). */

type Json = Record<string, unknown>;

/**
 * Assistant text fields that stream as string pieces: `content` and `refusal` (OpenAI),
 * `reasoning_content` (DeepSeek, vLLM), `reasoning` (OpenRouter, Ollama). They are joined
 * across pieces and rounds, and replayed in the continuation as the upstream sent them.
 */
const TEXT_FIELDS = ['content', 'refusal', 'reasoning_content', 'reasoning'] as const;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function read(raw: string): NeutralRequest {
  const body = (JSON.parse(raw) ?? {}) as Json;
  const list = objectMembers(raw, rootSpan(raw)).get('messages');
  const parsed = Array.isArray(body.messages) ? (body.messages as unknown[]) : [];
  const system: TextPart[] = [];
  const messages: Message[] = [];
  (list ? arrayElements(raw, list) : []).forEach((span, i) => {
    const message = readMessage(raw, span, isObject(parsed[i]) ? parsed[i] : {});
    // Instructions before the conversation are the system prompt; later ones keep their place.
    if (message.role === 'system' && messages.length === 0) system.push(...message.parts.filter((p): p is TextPart => p.type === 'text'));
    else messages.push(message);
  });
  return {
    model: typeof body.model === 'string' ? body.model : '',
    stream: body.stream === true,
    system,
    tools: Array.isArray(body.tools) ? (body.tools as unknown[]).map(toolName) : [],
    messages,
    ...(typeof body.prompt_cache_key === 'string' ? { sessionKey: body.prompt_cache_key } : {}),
  };
}

function toolName(tool: unknown): string {
  if (!isObject(tool)) return '';
  const payload = isObject(tool.function) ? tool.function : isObject(tool.custom) ? tool.custom : tool;
  return String(payload.name ?? tool.type ?? '');
}

function readMessage(raw: string, span: Span, message: Json): Message {
  const members = objectMembers(raw, span);
  const role = message.role;
  if (role === 'tool' || role === 'function') {
    // Legacy `function` messages answer by function name; they carry no call id.
    const id = String((role === 'tool' ? message.tool_call_id : message.name) ?? '');
    return { role: 'tool', parts: outputParts(raw, members.get('content'), id) };
  }
  const parts: Part[] = textParts(raw, members.get('content'));
  if (role === 'assistant') parts.push(...callParts(message.tool_calls));
  return spansForUserOnly({ role: role === 'assistant' ? 'assistant' : role === 'system' || role === 'developer' ? 'system' : 'user', parts });
}

/** A message's text: its string content, or the `text` parts of its content array (with spans). */
function textParts(raw: string, content: Span | undefined): TextPart[] {
  const direct = stringAt(raw, content);
  if (content && direct !== undefined) return [{ type: 'text', text: direct, span: content }];
  const parts: TextPart[] = [];
  for (const element of content ? arrayElements(raw, content) : []) {
    const m = objectMembers(raw, element);
    const span = m.get('text');
    const text = stringAt(raw, span);
    if (span && text !== undefined && stringAt(raw, m.get('type')) === 'text') parts.push({ type: 'text', text, span });
  }
  return parts;
}

function callParts(calls: unknown): Part[] {
  if (!Array.isArray(calls)) return [];
  return calls.filter(isObject).map((call) => {
    const payload = callPayload(call);
    const input = payload.arguments ?? payload.input;
    return { type: 'tool_call', id: String(call.id ?? ''), name: String(payload.name ?? ''), input: typeof input === 'string' ? parseArguments(input) : input };
  });
}

/** A call's `function` (or, for custom tools, `custom`) object. */
function callPayload(call: Json): Json {
  return isObject(call.function) ? call.function : isObject(call.custom) ? call.custom : {};
}

/** A tool message's output: its string content, or each text part of its content array. */
function outputParts(raw: string, content: Span | undefined, id: string): Part[] {
  const direct = stringAt(raw, content);
  if (content && direct !== undefined) return [{ type: 'tool_output', id, text: direct, isError: false, span: content }];
  const parts: Part[] = [];
  for (const element of content ? arrayElements(raw, content) : []) {
    const m = objectMembers(raw, element);
    const span = m.get('text');
    const text = stringAt(raw, span);
    if (span && text !== undefined && stringAt(raw, m.get('type')) === 'text') parts.push({ type: 'tool_output', id, text, isError: false, span });
  }
  return parts;
}

function addTools(raw: string, specs: readonly ProxyToolSpec[]): Replacement {
  const tools = specs.map((t) => JSON.stringify({ type: 'function', function: { name: t.name, description: t.description, parameters: t.schema } }));
  return appendToRootArray(raw, 'tools', tools.join(','));
}

function continueRequest(raw: string, round: Round, results: ProxyResult[]): string {
  const messages = objectMembers(raw, rootSpan(raw)).get('messages');
  if (!messages || raw[messages.start] !== '[') throw new SyntaxError('request has no messages array');
  const turn = [round.assistant, ...results.map((r) => ({ role: 'tool', tool_call_id: r.call.id, content: r.text }))];
  return splice(raw, [appendToArray(raw, messages, turn.map((m) => JSON.stringify(m)).join(','))]);
}

function isProxyCall(call: unknown, names: ReadonlySet<string>): call is Json {
  return isObject(call) && names.has(String(callPayload(call).name));
}

function toolCallsOf(message: Json): Json[] {
  return Array.isArray(message.tool_calls) ? message.tool_calls.filter(isObject) : [];
}

/** A Round from an assistant message in request shape. */
function roundOf(assistant: Json, usage: unknown, names: ReadonlySet<string>): Round {
  const calls = toolCallsOf(assistant);
  const proxyCalls: ProxyCall[] = calls
    .filter((c) => isProxyCall(c, names))
    .map((c) => ({ id: String(c.id ?? ''), name: String(callPayload(c).name), input: parseArguments(callPayload(c).arguments) }));
  return { assistant, proxyCalls, clientToolCalls: calls.length - proxyCalls.length, usage: usageFrom(usage) };
}

function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** OpenAI's prompt_tokens include the cached ones; the neutral `input` is the uncached part. */
function usageFrom(u: unknown): Usage {
  if (!isObject(u)) return NO_USAGE;
  const details = isObject(u.prompt_tokens_details) ? u.prompt_tokens_details : {};
  const cached = count(details.cached_tokens);
  return { input: Math.max(0, count(u.prompt_tokens) - cached), output: count(u.completion_tokens), cacheRead: cached, cacheWrite: 0 };
}

/** Usage objects added field by field (nested details too); other fields from the first. */
function sumUsage(usages: Json[]): Json {
  const out: Json = {};
  for (const u of usages) {
    for (const [key, value] of Object.entries(u)) {
      const prev = out[key];
      if (typeof value === 'number') out[key] = count(prev) + value;
      else if (isObject(value)) out[key] = sumUsage(isObject(prev) ? [prev, value] : [value]);
      else if (prev == null) out[key] = value;
    }
  }
  return out;
}

function firstChoice(body: Json): Json {
  const choices = Array.isArray(body.choices) ? (body.choices as unknown[]) : [];
  const choice = choices.find((c) => isObject(c) && (c.index ?? 0) === 0);
  return isObject(choice) ? choice : {};
}

/** A response message as a request message: nulls and response-only annotations dropped. */
function replayable(message: Json): Json {
  const out: Json = { role: 'assistant' };
  for (const [key, value] of Object.entries(message)) {
    if (key === 'annotations' || (value === null && key !== 'content')) continue;
    out[key] = key === 'audio' && isObject(value) ? { id: value.id } : value;
  }
  return out;
}

function readResponse(body: unknown, names: ReadonlySet<string> = RETRIEVE_ONLY): Round {
  const b = isObject(body) ? body : {};
  const message = firstChoice(b).message;
  return roundOf(replayable(isObject(message) ? message : {}), b.usage, names);
}

/** OpenAI reports `tool_calls` only when the client has calls to run; otherwise the turn ended. */
function finishReason(reason: unknown, clientCalls: number): unknown {
  return reason === 'tool_calls' && clientCalls === 0 ? 'stop' : reason;
}

function mergeResponses(bodies: unknown[], retrievalCut: boolean, names: ReadonlySet<string> = RETRIEVE_ONLY): unknown {
  const rounds = bodies.map((b) => (isObject(b) ? b : {}));
  const first = rounds[0] ?? {};
  const last = rounds.at(-1) ?? {};
  const choice = firstChoice(last);
  const messages = rounds.map((r) => firstChoice(r).message).map((m) => (isObject(m) ? m : {}));
  const message: Json = { ...messages.at(-1) };
  for (const field of TEXT_FIELDS) {
    const pieces = messages.map((m) => m[field]).filter((t): t is string => typeof t === 'string');
    if (pieces.length > 0) message[field] = pieces.join('');
  }
  const calls = messages.flatMap(toolCallsOf).filter((c) => !isProxyCall(c, names));
  if (calls.length > 0) message.tool_calls = calls;
  else delete message.tool_calls;
  // After a cut the last round asked only for proxy calls, so no call is left to run.
  const finish = finishReason(choice.finish_reason, retrievalCut ? 0 : calls.length);
  const usages = rounds.map((r) => r.usage).filter(isObject);
  const choices = Array.isArray(last.choices) ? (last.choices as unknown[]).map((c) => (c === choice ? { ...choice, message, finish_reason: finish } : c)) : [];
  return { ...last, id: first.id ?? last.id, choices, ...(usages.length > 0 ? { usage: sumUsage(usages) } : {}) };
}

/** One tool call of the current round, built up from its stream pieces. */
interface CallState {
  /** The index the client sees; undefined for a hidden proxy call. */
  clientIndex: number | undefined;
  /** The call in request shape: `{id, type, function: {name, arguments}}`. */
  call: Json;
}

/** A closing event held until finish(): a finish or usage chunk, or `[DONE]`. */
interface Held {
  /** The event as received; undefined when the chunk was changed and must be re-serialised. */
  raw: string | undefined;
  chunk?: Json;
}

class OpenAiChatRelay implements StreamRelay {
  private round = 0;
  /** The first round's completion id: every chunk the client gets carries it. */
  private streamId: unknown;
  private nextClientIndex = 0;
  private clientCalls = 0;
  private calls = new Map<number, CallState>();
  private text: Partial<Record<(typeof TEXT_FIELDS)[number], string>> = {};
  private usage: Json | undefined;
  private endedUsages: Json[] = [];
  private ended = false;
  private held: Held[] = [];
  /** This round's upstream said it finished: a finish_reason or `[DONE]`. */
  private finished = false;
  /** This round's upstream sent an error chunk. */
  private upstreamFailed = false;

  constructor(private readonly names: ReadonlySet<string>) {}

  beginRound(n: number): void {
    this.round = n;
    this.calls = new Map();
    this.text = {};
    this.usage = undefined;
    this.ended = false;
    this.held = [];
    this.finished = false;
    this.upstreamFailed = false;
  }

  push(ev: SseEvent): string {
    if (ev.data.trim() === '[DONE]') {
      this.finished = true;
      this.held.push({ raw: ev.raw });
      return '';
    }
    const chunk = eventJson(ev);
    if (chunk?.error != null) this.upstreamFailed = true;
    if (!chunk || chunk.error !== undefined) return ev.raw;
    if (this.round === 0 && this.streamId === undefined) this.streamId = chunk.id;
    // Usage counts are cumulative within a round: the latest wins.
    if (isObject(chunk.usage)) this.usage = chunk.usage;
    const choices = Array.isArray(chunk.choices) ? (chunk.choices as unknown[]) : [];
    if (choices.length === 0) {
      if (isObject(chunk.usage)) {
        this.held.push({ raw: this.round === 0 ? ev.raw : undefined, chunk: this.withStreamId(chunk) });
        return '';
      }
      // Opening metadata (Azure's prompt_filter_results): the client had round 0's.
      return this.round === 0 ? ev.raw : '';
    }
    const out = this.withStreamId(chunk);
    let changed = out !== chunk;
    const at = choices.findIndex((c) => isObject(c) && (c.index ?? 0) === 0);
    const choice = choices[at];
    if (!isObject(choice)) return changed ? formatSse(JSON.stringify(out)) : ev.raw;
    const delta = this.relayDelta(isObject(choice.delta) ? choice.delta : {});
    changed ||= delta.changed;
    const withChoice = (c: Json): Json => ({ ...out, choices: choices.map((x, i) => (i === at ? c : x)) });
    if (choice.finish_reason == null) {
      if (!changed) return ev.raw;
      return delta.empty && choices.length === 1 ? '' : formatSse(JSON.stringify(withChoice({ ...choice, delta: delta.value })));
    }
    // The finish chunk waits for the loop's outcome; content it carries goes out now.
    this.finished = true;
    const blank = isBlank(choice.delta);
    this.held.push({ raw: changed || !blank ? undefined : ev.raw, chunk: { ...out, choices: [{ ...choice, delta: {} }] } });
    if (delta.empty) return '';
    const { usage: _heldWithFinish, ...rest } = withChoice({ ...choice, delta: delta.value, finish_reason: null });
    return formatSse(JSON.stringify(rest));
  }

  /** The chunk with the first round's id (rounds > 0 come with ids of their own). */
  private withStreamId(chunk: Json): Json {
    if (this.round === 0 || typeof this.streamId !== 'string' || chunk.id === this.streamId) return chunk;
    return { ...chunk, id: this.streamId };
  }

  /** Records a delta and returns what the client sees of it. */
  private relayDelta(delta: Json): { value: Json; changed: boolean; empty: boolean } {
    for (const field of TEXT_FIELDS) {
      const piece = delta[field];
      if (typeof piece === 'string') this.text[field] = (this.text[field] ?? '') + piece;
    }
    const value = { ...delta };
    let changed = false;
    if (this.round > 0 && 'role' in value) {
      // The client already has the opening `role` delta from round 0.
      delete value.role;
      changed = true;
    }
    if (Array.isArray(delta.tool_calls)) {
      const visible: Json[] = [];
      for (const piece of delta.tool_calls.filter(isObject)) {
        const state = this.track(piece);
        if (state.clientIndex === undefined) changed = true;
        else if (state.clientIndex === piece.index) visible.push(piece);
        else {
          visible.push({ ...piece, index: state.clientIndex });
          changed = true;
        }
      }
      if (visible.length > 0) value.tool_calls = visible;
      else delete value.tool_calls;
    }
    return { value, changed, empty: isBlank(value) };
  }

  /**
   * Adds one tool-call piece to its call. The name comes on a call's first piece, so that is
   * where a proxy call is recognised; its later pieces carry only the index.
   */
  private track(piece: Json): CallState {
    const index = typeof piece.index === 'number' ? piece.index : this.calls.size;
    let state = this.calls.get(index);
    const payloadKey = piece.type === 'custom' || isObject(piece.custom) ? 'custom' : 'function';
    const payload = isObject(piece[payloadKey]) ? (piece[payloadKey] as Json) : {};
    if (!state) {
      const { index: _index, id, type, function: _fn, custom: _custom, ...extra } = piece;
      const hidden = this.names.has(String(payload.name));
      state = { clientIndex: hidden ? undefined : this.nextClientIndex++, call: { id, type: type ?? 'function', [payloadKey]: {}, ...extra } };
      if (!hidden) this.clientCalls++;
      this.calls.set(index, state);
    }
    if (typeof piece.id === 'string') state.call.id = piece.id;
    const built = state.call[payloadKey] as Json;
    for (const [key, value] of Object.entries(payload)) {
      // Names arrive whole; arguments (and custom tools' input) arrive in pieces.
      if (key === 'name' || typeof value !== 'string') built[key] = value;
      else built[key] = String(built[key] ?? '') + value;
    }
    return state;
  }

  endRound(): Round {
    const assistant: Json = { role: 'assistant', content: this.text.content || null };
    for (const field of TEXT_FIELDS) if (field !== 'content' && this.text[field]) assistant[field] = this.text[field];
    const calls = [...this.calls.entries()].sort(([a], [b]) => a - b).map(([, s]) => s.call);
    if (calls.length > 0) assistant.tool_calls = calls;
    if (!this.ended && this.usage) this.endedUsages.push(this.usage);
    this.ended = true;
    return roundOf(assistant, this.usage, this.names);
  }

  finish(retrievalCut: boolean): string {
    const usages = this.ended || !this.usage ? this.endedUsages : [...this.endedUsages, this.usage];
    let out = '';
    for (const held of this.held) {
      if (!held.chunk) {
        out += held.raw ?? '';
        continue;
      }
      let chunk = held.chunk;
      const choice = (chunk.choices as unknown[])[0];
      // After a cut the last round asked only for proxy calls, so no call is left to run.
      const finish = isObject(choice) ? finishReason(choice.finish_reason, retrievalCut ? 0 : this.clientCalls) : undefined;
      if (isObject(choice) && finish !== choice.finish_reason) chunk = { ...chunk, choices: [{ ...choice, finish_reason: finish }] };
      if (this.round > 0 && isObject(chunk.usage)) chunk = { ...chunk, usage: sumUsage(usages) };
      out += chunk === held.chunk && held.raw !== undefined ? held.raw : formatSse(JSON.stringify(chunk));
    }
    return out;
  }

  error(message: string): string {
    return formatSse(JSON.stringify({ error: { message, type: 'api_error', param: null, code: null } }));
  }

  /** Finished once a finish_reason came: some compatible servers send no `[DONE]` after it. */
  ending(): StreamEnding {
    return this.finished ? 'done' : this.upstreamFailed ? 'failed' : 'cut';
  }
}

/** A delta with nothing in it for the client (null fields and empty strings only). */
function isBlank(delta: unknown): boolean {
  return !isObject(delta) || Object.values(delta).every((v) => v == null || v === '');
}


export const openaiChat: ProviderAdapter = {
  name: 'openai-chat',
  read,
  addTools,
  continueRequest,
  readResponse,
  mergeResponses,
  usageOf: (body) => usageFrom(isObject(body) ? body.usage : undefined),
  streamRelay: (names = RETRIEVE_ONLY) => new OpenAiChatRelay(names),
  errorBody: (status, message) => ({
    error: { message, type: status >= 500 ? 'server_error' : 'invalid_request_error', param: null, code: null },
  }),
};
