import { appendMember, appendToArray, appendToRootArray, arrayElements, eventJson, formatSse, type Message, type NeutralRequest, NO_USAGE, objectMembers, parseArguments, type Part, type Replacement, type Role, rootSpan, skipWs, type Span, spansForUserOnly, splice, type SseEvent, stringAt, type TextPart, type Usage } from '../../wire/index.js';
import { RETRIEVE_ONLY } from '../retrieval.js';
import type { ProviderAdapter, ProxyCall, ProxyResult, ProxyToolSpec, Round, StreamEnding, StreamRelay } from './types.js';

/**
 * OpenAI Responses: `POST /v1/responses` (Codex CLI). The conversation is the `input` item list
 * (messages, function calls and their outputs, reasoning items), the system prompt `instructions`.
 */

type Json = Record<string, unknown>;

/** Output item types the client runs itself; hosted tools (web_search_call, ...) run upstream. */
const CLIENT_CALL_TYPES = new Set(['function_call', 'custom_tool_call', 'local_shell_call', 'shell_call', 'apply_patch_call', 'computer_call']);

const TEXT_PART_TYPES = new Set(['input_text', 'output_text', 'text']);

/**
 * Codex's default model (0.169) sends no top-level `tools`: its tools come as an `input` item of
 * this type, `{type, id, role, tools}`, whose tools are namespaces of `function` and `custom` tools.
 * The model calls a namespaced tool with an output item that names it: `{type: "function_call",
 * namespace, name, ...}`.
 */
const ADDITIONAL_TOOLS = 'additional_tools';

/** The namespace the proxy's own tools go in when a request carries its tools in `additional_tools`. */
const HEADROOM_NAMESPACE = 'headroom';
const HEADROOM_NAMESPACE_DESCRIPTION = 'Tools of headroom, the context layer between this agent and the model; headroom answers their calls itself.';

/** Tool names, a namespace's tools included (flattened). */
function toolNames(tools: unknown): string[] {
  if (!Array.isArray(tools)) return [];
  return (tools as Json[]).flatMap((t) => (t?.type === 'namespace' ? toolNames(t.tools) : [String(t?.name ?? t?.type ?? '')]));
}

function read(raw: string): NeutralRequest {
  const body = JSON.parse(raw) as Json;
  const system: TextPart[] = typeof body.instructions === 'string' ? [{ type: 'text', text: body.instructions }] : [];
  const carried = Array.isArray(body.input) ? (body.input as Json[]).filter((i) => i?.type === ADDITIONAL_TOOLS).flatMap((i) => toolNames(i.tools)) : [];
  const tools = [...toolNames(body.tools), ...carried];
  const input = objectMembers(raw, rootSpan(raw)).get('input');
  return {
    model: typeof body.model === 'string' ? body.model : '',
    stream: body.stream === true,
    system,
    tools,
    messages: input ? readInput(raw, input) : [],
    ...(typeof body.prompt_cache_key === 'string' ? { sessionKey: body.prompt_cache_key } : {}),
  };
}

function readInput(raw: string, span: Span): Message[] {
  const direct = stringAt(raw, span);
  if (direct !== undefined) return [{ role: 'user', parts: [{ type: 'text', text: direct, span }] }];
  const messages: Message[] = [];
  for (const itemSpan of arrayElements(raw, span)) {
    const message = readItem(raw, objectMembers(raw, itemSpan));
    if (!message) continue;
    // Consecutive items of one role (a turn's calls, a batch of outputs) form one message.
    const last = messages.at(-1);
    if (last && last.role === message.role) last.parts.push(...message.parts);
    else messages.push(message);
  }
  return messages;
}

function readItem(raw: string, m: Map<string, Span>): Message | undefined {
  const type = stringAt(raw, m.get('type'));
  if (type === 'message' || (type === undefined && m.has('role'))) return readMessage(raw, m);
  const callId = stringAt(raw, m.get('call_id')) ?? '';
  const name = stringAt(raw, m.get('name')) ?? '';
  if (type === 'function_call') return { role: 'assistant', parts: [{ type: 'tool_call', id: callId, name, input: parseArguments(stringAt(raw, m.get('arguments'))) }] };
  if (type === 'custom_tool_call') return { role: 'assistant', parts: [{ type: 'tool_call', id: callId, name, input: stringAt(raw, m.get('input')) ?? '' }] };
  if (!type?.endsWith('_call_output')) return undefined;
  const parts = readOutput(raw, m.get('output'), callId, stringAt(raw, m.get('status')) === 'failed');
  return parts.length > 0 ? { role: 'tool', parts } : undefined;
}

function readMessage(raw: string, m: Map<string, Span>): Message {
  const role = stringAt(raw, m.get('role'));
  const neutralRole: Role = role === 'assistant' ? 'assistant' : role === 'system' || role === 'developer' ? 'system' : 'user';
  const content = m.get('content');
  const direct = stringAt(raw, content);
  if (content && direct !== undefined) return spansForUserOnly({ role: neutralRole, parts: [{ type: 'text', text: direct, span: content }] });
  const parts: Part[] = [];
  for (const partSpan of content ? arrayElements(raw, content) : []) {
    const pm = objectMembers(raw, partSpan);
    const span = pm.get('text');
    const text = stringAt(raw, span);
    if (TEXT_PART_TYPES.has(stringAt(raw, pm.get('type')) ?? '') && span && text !== undefined) parts.push({ type: 'text', text, span });
  }
  return spansForUserOnly({ role: neutralRole, parts });
}

/** A tool output: one string, or a list whose `input_text` parts each count as one output. */
function readOutput(raw: string, output: Span | undefined, id: string, isError: boolean): Part[] {
  if (!output) return [];
  const direct = stringAt(raw, output);
  if (direct !== undefined) return [{ type: 'tool_output', id, text: direct, isError, span: output }];
  const parts: Part[] = [];
  for (const partSpan of arrayElements(raw, output)) {
    const pm = objectMembers(raw, partSpan);
    const textSpan = pm.get('text');
    const text = stringAt(raw, textSpan);
    if (stringAt(raw, pm.get('type')) === 'input_text' && textSpan && text !== undefined) parts.push({ type: 'tool_output', id, text, isError, span: textSpan });
  }
  return parts;
}

/**
 * Top-level `tools` when the request declares any there; else, when it carries its tools in an
 * `additional_tools` item, one `headroom` namespace appended to the first such item (the one at
 * the head of the conversation, replayed in every request); else a new top-level `tools`.
 */
function addTools(raw: string, specs: readonly ProxyToolSpec[]): Replacement {
  // Not strict: strict mode would require every optional property (headroom_retrieve's `query`) too.
  const tools = specs.map((t) => ({ type: 'function', name: t.name, description: t.description, strict: false, parameters: t.schema }));
  const members = objectMembers(raw, rootSpan(raw));
  const top = members.get('tools');
  const topDeclares = top !== undefined && raw[top.start] === '[' && skipWs(raw, top.start + 1) !== top.end - 1;
  const carrier = topDeclares ? undefined : additionalTools(raw, members.get('input'));
  if (carrier) return appendToArray(raw, carrier, JSON.stringify({ type: 'namespace', name: HEADROOM_NAMESPACE, description: HEADROOM_NAMESPACE_DESCRIPTION, tools }));
  return appendToRootArray(raw, 'tools', tools.map((t) => JSON.stringify(t)).join(','));
}

/** The `tools` array of the request's first `additional_tools` input item. */
function additionalTools(raw: string, input: Span | undefined): Span | undefined {
  if (!input || raw[input.start] !== '[') return undefined;
  for (const item of arrayElements(raw, input)) {
    const m = objectMembers(raw, item);
    const tools = m.get('tools');
    if (stringAt(raw, m.get('type')) === ADDITIONAL_TOOLS && tools && raw[tools.start] === '[') return tools;
  }
  return undefined;
}

/** Appends the model's output items (reasoning and call ids as they came) and one output per call. */
function continueRequest(raw: string, round: Round, results: ProxyResult[]): string {
  const replayed = Array.isArray(round.assistant) ? (round.assistant as unknown[]) : [];
  const answers = results.map((r) => ({ type: 'function_call_output', call_id: r.call.id, output: r.text }));
  const items = [...replayed, ...answers].map((item) => JSON.stringify(item)).join(',');
  if (items === '') return raw;
  const root = rootSpan(raw);
  const input = objectMembers(raw, root).get('input');
  let edit: Replacement;
  if (!input) edit = appendMember(raw, root, 'input', `[${items}]`);
  else if (raw[input.start] === '[') edit = appendToArray(raw, input, items);
  // A plain-text input becomes the first message of an item list, its string bytes kept.
  else edit = { start: input.start, end: input.end, text: `[{"role":"user","content":${raw.slice(input.start, input.end)}},${items}]` };
  return splice(raw, [edit]);
}

function isProxyCall(item: unknown, names: ReadonlySet<string>): boolean {
  const i = item as Json | undefined;
  return i?.type === 'function_call' && names.has(String(i.name));
}

function callsOf(items: Json[], names: ReadonlySet<string>): { proxyCalls: ProxyCall[]; clientToolCalls: number } {
  const proxyCalls: ProxyCall[] = [];
  let clientToolCalls = 0;
  for (const item of items) {
    if (isProxyCall(item, names)) proxyCalls.push({ id: String(item.call_id ?? ''), name: String(item.name), input: parseArguments(item.arguments) });
    else if (CLIENT_CALL_TYPES.has(String(item?.type))) clientToolCalls++;
  }
  return { proxyCalls, clientToolCalls };
}

function outputOf(response: Json | undefined): Json[] {
  return Array.isArray(response?.output) ? (response.output as Json[]) : [];
}

function usageFrom(u: unknown): Usage {
  if (!u || typeof u !== 'object') return NO_USAGE;
  const x = u as Json;
  const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const cached = n((x.input_tokens_details as Json | undefined)?.cached_tokens);
  // OpenAI counts cached tokens inside input_tokens; the neutral `input` is the uncached rest.
  return { input: Math.max(0, n(x.input_tokens) - cached), output: n(x.output_tokens), cacheRead: cached, cacheWrite: 0 };
}

/** Adds two usage objects field by field: every number in an OpenAI usage object is a count. */
function sumCounts(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (isObject(a) && isObject(b)) {
    const out: Json = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = k in a ? sumCounts(a[k], v) : v;
    return out;
  }
  return b ?? a;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The model stopped asking for proxy calls only because the loop hit its limit: say it completed. */
function endedNormally(response: Json): Json {
  return response.status === 'completed' ? response : { ...response, status: 'completed', incomplete_details: null };
}

function readResponse(body: unknown, names: ReadonlySet<string> = RETRIEVE_ONLY): Round {
  const output = outputOf(body as Json | undefined);
  return { assistant: output, ...callsOf(output, names), usage: usageFrom((body as Json | undefined)?.usage) };
}

function mergeResponses(bodies: unknown[], retrievalCut: boolean, names: ReadonlySet<string> = RETRIEVE_ONLY): unknown {
  const rounds = bodies.map((b) => (isObject(b) ? b : {}));
  const first = rounds[0] ?? {};
  const last = rounds.at(-1) ?? {};
  const output = rounds.flatMap((r) => outputOf(r)).filter((item) => !isProxyCall(item, names));
  const usage = rounds.reduce<unknown>((sum, r) => sumCounts(sum, r.usage), undefined);
  const merged: Json = { ...last, id: first.id ?? last.id, output, ...(usage !== undefined ? { usage } : {}) };
  return retrievalCut ? endedNormally(merged) : merged;
}

interface ItemState {
  /** The output_index the client sees, or undefined for a hidden proxy call. */
  clientIndex: number | undefined;
  /** The item as added, updated by argument deltas, replaced by the done event's item. */
  item: Json;
}

const TERMINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);
const OPENING_EVENTS = new Set(['response.created', 'response.in_progress', 'response.queued']);

class ResponsesRelay implements StreamRelay {
  private round = 0;
  /** This round's items by upstream output_index. */
  private items = new Map<number, ItemState>();
  private hiddenIds = new Set<string>();
  /** This round's response from its terminal event. */
  private roundResponse: Json | undefined;
  /** Client-visible items of all rounds, by client output_index. */
  private visible: Json[] = [];
  private nextIndex = 0;
  private nextSeq: number | undefined;
  private firstId: unknown;
  private held: { ev: SseEvent; data: Json } | undefined;
  private usageSum: unknown;
  private changed = false;
  /** This round's upstream sent an `error` event. */
  private upstreamFailed = false;

  constructor(private readonly names: ReadonlySet<string>) {}

  beginRound(n: number): void {
    this.round = n;
    this.items = new Map();
    this.hiddenIds = new Set();
    this.roundResponse = undefined;
    this.upstreamFailed = false;
    if (n > 0) this.changed = true;
  }

  push(ev: SseEvent): string {
    const data = eventJson(ev);
    if (!data) return ev.raw;
    const type = String(data.type ?? ev.event ?? '');
    if (OPENING_EVENTS.has(type)) {
      if (this.round > 0) return '';
      this.firstId ??= (data.response as Json | undefined)?.id;
      return this.relay(ev, data);
    }
    if (TERMINAL_EVENTS.has(type)) {
      this.held = { ev, data };
      this.roundResponse = isObject(data.response) ? data.response : {};
      this.usageSum = sumCounts(this.usageSum, this.roundResponse.usage);
      return '';
    }
    if (type === 'error') this.upstreamFailed = true;
    if (type === 'response.output_item.added') return this.itemAdded(ev, data);
    const state = typeof data.output_index === 'number' ? this.items.get(data.output_index) : undefined;
    if (!state) {
      if (typeof data.item_id === 'string' && this.hiddenIds.has(data.item_id)) return this.hide();
      return this.relay(ev, data);
    }
    this.track(state, type, data);
    return state.clientIndex === undefined ? this.hide() : this.relay(ev, data, state.clientIndex);
  }

  private itemAdded(ev: SseEvent, data: Json): string {
    const item = isObject(data.item) ? { ...data.item } : {};
    const hidden = isProxyCall(item, this.names);
    const state: ItemState = { clientIndex: hidden ? undefined : this.nextIndex++, item };
    this.items.set(Number(data.output_index), state);
    if (state.clientIndex === undefined) {
      if (typeof item.id === 'string') this.hiddenIds.add(item.id);
      return this.hide();
    }
    this.visible[state.clientIndex] = item;
    return this.relay(ev, data, state.clientIndex);
  }

  /** Keeps the item current so the continuation can replay it even without its done event. */
  private track(state: ItemState, type: string, data: Json): void {
    if (type === 'response.function_call_arguments.delta') state.item.arguments = String(state.item.arguments ?? '') + String(data.delta ?? '');
    else if (type === 'response.function_call_arguments.done' && typeof data.arguments === 'string') state.item.arguments = data.arguments;
    else if (type === 'response.output_item.done' && isObject(data.item)) {
      state.item = data.item;
      if (state.clientIndex !== undefined) this.visible[state.clientIndex] = data.item;
    }
  }

  private hide(): string {
    this.changed = true;
    return '';
  }

  private seq(): number {
    const n = this.nextSeq ?? 0;
    this.nextSeq = n + 1;
    return n;
  }

  /** Relays an event with the client's output_index and sequence_number: its own bytes when they match. */
  private relay(ev: SseEvent, data: Json, outputIndex?: number): string {
    const patch: Json = {};
    if (outputIndex !== undefined && data.output_index !== outputIndex) patch.output_index = outputIndex;
    if (typeof data.sequence_number === 'number') {
      // The client's count continues from the upstream's first number.
      this.nextSeq ??= data.sequence_number;
      const seq = this.seq();
      if (data.sequence_number !== seq) patch.sequence_number = seq;
    }
    if (Object.keys(patch).length === 0) return ev.raw;
    this.changed = true;
    return formatSse(JSON.stringify({ ...data, ...patch }), ev.event);
  }

  endRound(): Round {
    const tracked = [...this.items.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s.item);
    const items = tracked.length > 0 ? tracked : outputOf(this.roundResponse);
    return { assistant: items, ...callsOf(items, this.names), usage: usageFrom(this.roundResponse?.usage) };
  }

  finish(retrievalCut: boolean): string {
    if (!this.held) return '';
    const { ev, data } = this.held;
    if (!this.changed && !retrievalCut) return ev.raw;
    const upstream = isObject(data.response) ? data.response : {};
    const output = this.visible.length > 0 ? this.visible.filter(Boolean) : outputOf(upstream).filter((i) => !isProxyCall(i, this.names));
    let response: Json = { ...upstream, id: this.firstId ?? upstream.id, output, ...(this.usageSum !== undefined ? { usage: this.usageSum } : {}) };
    let type = String(data.type ?? ev.event);
    if (retrievalCut) {
      response = endedNormally(response);
      type = 'response.completed';
    }
    const seq = typeof data.sequence_number === 'number' ? { sequence_number: this.seq() } : {};
    return formatSse(JSON.stringify({ ...data, type, response, ...seq }), ev.event === undefined ? undefined : type);
  }

  /** Done once a response.completed, .incomplete or .failed came. */
  ending(): StreamEnding {
    return this.roundResponse ? 'done' : this.upstreamFailed ? 'failed' : 'cut';
  }

  /**
   * Two events: `error` with an `error` object (the openai SDK throws on it) and
   * `response.failed` (Codex reads the failure from it when the stream then ends).
   */
  error(message: string): string {
    const error = { type: 'server_error', code: 'server_error', message, param: null };
    const failed = {
      ...(this.firstId !== undefined ? { id: this.firstId } : {}),
      object: 'response',
      status: 'failed',
      error: { code: 'server_error', message },
      output: this.visible.filter(Boolean),
      usage: this.usageSum ?? null,
    };
    return (
      formatSse(JSON.stringify({ type: 'error', code: error.code, message, param: null, error, sequence_number: this.seq() }), 'error') +
      formatSse(JSON.stringify({ type: 'response.failed', response: failed, sequence_number: this.seq() }), 'response.failed')
    );
  }
}


export const openaiResponses: ProviderAdapter = {
  name: 'openai-responses',
  read,
  addTools,
  continueRequest,
  readResponse,
  mergeResponses,
  usageOf: (body) => usageFrom((body as Json | undefined)?.usage),
  streamRelay: (names = RETRIEVE_ONLY) => new ResponsesRelay(names),
  errorBody: (status, message) => ({
    error: {
      message,
      type: status >= 500 ? 'server_error' : 'invalid_request_error',
      code: status === 413 ? 'request_too_large' : status >= 500 ? 'server_error' : 'invalid_request',
      param: null,
    },
  }),
};
