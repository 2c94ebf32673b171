import { addUsage, appendToArray, appendToRootArray, arrayElements, eventJson, formatSse, type Message, type NeutralRequest, NO_USAGE, objectMembers, type Part, type Replacement, rootSpan, type Span, spansForUserOnly, type SseEvent, stringAt, type TextPart, type Usage } from '../../wire/index.js';
import { RETRIEVE_ONLY } from '../retrieval.js';
import type { ProviderAdapter, ProxyCall, ProxyResult, ProxyToolSpec, Round, StreamEnding, StreamRelay } from './types.js';

/** Anthropic Messages: `POST /v1/messages` (Claude Code adds `?beta=true`) and count_tokens. */

type Json = Record<string, unknown>;

function read(raw: string): NeutralRequest {
  const body = JSON.parse(raw) as Json;
  const system: TextPart[] = [];
  if (typeof body.system === 'string') system.push({ type: 'text', text: body.system });
  else if (Array.isArray(body.system)) for (const b of body.system as Json[]) if (typeof b?.text === 'string') system.push({ type: 'text', text: b.text });
  const tools = Array.isArray(body.tools) ? (body.tools as Json[]).map((t) => String(t?.name ?? t?.type ?? '')) : [];
  const messagesSpan = objectMembers(raw, rootSpan(raw)).get('messages');
  const messages: Message[] = messagesSpan ? arrayElements(raw, messagesSpan).map((span) => readMessage(raw, span)) : [];
  return { model: typeof body.model === 'string' ? body.model : '', stream: body.stream === true, system, tools, messages };
}

function readMessage(raw: string, span: Span): Message {
  const members = objectMembers(raw, span);
  const role = stringAt(raw, members.get('role'));
  const content = members.get('content');
  const parts: Part[] = [];
  const direct = stringAt(raw, content);
  if (content && direct !== undefined) parts.push({ type: 'text', text: direct, span: content });
  else if (content) for (const block of arrayElements(raw, content)) parts.push(...readBlock(raw, block));
  return spansForUserOnly({ role: role === 'assistant' ? 'assistant' : role === 'system' ? 'system' : 'user', parts });
}

function readBlock(raw: string, span: Span): Part[] {
  const m = objectMembers(raw, span);
  const type = stringAt(raw, m.get('type'));
  if (type === 'text') {
    const span = m.get('text');
    const text = stringAt(raw, span);
    return [text !== undefined && span ? { type: 'text', text, span } : { type: 'text', text: '' }];
  }
  if (type === 'tool_use') {
    const input = m.get('input');
    return [{ type: 'tool_call', id: stringAt(raw, m.get('id')) ?? '', name: stringAt(raw, m.get('name')) ?? '', input: input ? JSON.parse(raw.slice(input.start, input.end)) : {} }];
  }
  if (type !== 'tool_result') return [];
  const id = stringAt(raw, m.get('tool_use_id')) ?? '';
  const isError = raw.slice(m.get('is_error')?.start ?? 0, m.get('is_error')?.end ?? 0) === 'true';
  const content = m.get('content');
  if (!content) return [];
  const direct = stringAt(raw, content);
  if (direct !== undefined) return [{ type: 'tool_output', id, text: direct, isError, span: content }];
  const outputs: Part[] = [];
  for (const part of arrayElements(raw, content)) {
    const pm = objectMembers(raw, part);
    if (stringAt(raw, pm.get('type')) !== 'text') continue;
    const textSpan = pm.get('text');
    const text = stringAt(raw, textSpan);
    if (textSpan && text !== undefined) outputs.push({ type: 'tool_output', id, text, isError, span: textSpan });
  }
  return outputs;
}

function addTools(raw: string, specs: readonly ProxyToolSpec[]): Replacement {
  const tools = specs.map((t) => JSON.stringify({ name: t.name, description: t.description, input_schema: t.schema }));
  return appendToRootArray(raw, 'tools', tools.join(','));
}

function continueRequest(raw: string, round: Round, results: ProxyResult[]): string {
  const messages = objectMembers(raw, rootSpan(raw)).get('messages');
  if (!messages) throw new SyntaxError('request has no messages');
  const answers = results.map((r) => ({ type: 'tool_result', tool_use_id: r.call.id, content: r.text }));
  const turn = `${JSON.stringify({ role: 'assistant', content: round.assistant })},${JSON.stringify({ role: 'user', content: answers })}`;
  const edit = appendToArray(raw, messages, turn);
  return raw.slice(0, edit.start) + edit.text + raw.slice(edit.end);
}

function isProxyBlock(block: Json | undefined, names: ReadonlySet<string>): boolean {
  return block?.type === 'tool_use' && names.has(String(block.name));
}

function callsOf(content: Json[], names: ReadonlySet<string>): { proxyCalls: ProxyCall[]; clientToolCalls: number } {
  const proxyCalls: ProxyCall[] = [];
  let clientToolCalls = 0;
  for (const block of content) {
    if (isProxyBlock(block, names)) proxyCalls.push({ id: String(block.id ?? ''), name: String(block.name), input: block.input ?? {} });
    else if (block?.type === 'tool_use' || block?.type === 'server_tool_use') clientToolCalls++;
  }
  return { proxyCalls, clientToolCalls };
}

function usageFrom(u: unknown): Usage {
  if (!u || typeof u !== 'object') return NO_USAGE;
  const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const x = u as Json;
  return { input: n(x.input_tokens), output: n(x.output_tokens), cacheRead: n(x.cache_read_input_tokens), cacheWrite: n(x.cache_creation_input_tokens) };
}

function usageJson(u: Usage): Json {
  return { input_tokens: u.input, cache_creation_input_tokens: u.cacheWrite, cache_read_input_tokens: u.cacheRead, output_tokens: u.output };
}

function readResponse(body: unknown, names: ReadonlySet<string> = RETRIEVE_ONLY): Round {
  const b = (body ?? {}) as Json;
  const content = Array.isArray(b.content) ? (b.content as Json[]) : [];
  return { assistant: content, ...callsOf(content, names), usage: usageFrom(b.usage) };
}

function mergeResponses(bodies: unknown[], retrievalCut: boolean, names: ReadonlySet<string> = RETRIEVE_ONLY): unknown {
  const rounds = bodies.map((b) => (b ?? {}) as Json);
  const first = rounds[0]!;
  const last = rounds.at(-1)!;
  const content = rounds.flatMap((r) => (Array.isArray(r.content) ? (r.content as Json[]) : [])).filter((b) => !isProxyBlock(b, names));
  const usage = rounds.map((r) => usageFrom(r.usage)).reduce(addUsage, NO_USAGE);
  const clientCalls = content.some((b) => b.type === 'tool_use');
  const stop = retrievalCut || (last.stop_reason === 'tool_use' && !clientCalls) ? 'end_turn' : last.stop_reason;
  return { ...last, id: first.id, content, stop_reason: stop, usage: { ...(last.usage as Json), ...usageJson(usage) } };
}

interface BlockState {
  /** Index the client sees, or undefined for a hidden proxy call. */
  clientIndex: number | undefined;
  block: Json;
  partialJson: string;
}

/** Rebuilds a content block from its start and delta events (for the continuation). */
function applyDelta(state: BlockState, delta: Json): void {
  const b = state.block;
  switch (delta.type) {
    case 'text_delta':
      b.text = String(b.text ?? '') + String(delta.text ?? '');
      break;
    case 'thinking_delta':
      b.thinking = String(b.thinking ?? '') + String(delta.thinking ?? '');
      break;
    case 'signature_delta':
      b.signature = delta.signature;
      break;
    case 'input_json_delta':
      state.partialJson += String(delta.partial_json ?? '');
      break;
    case 'citations_delta':
      b.citations = [...(Array.isArray(b.citations) ? b.citations : []), delta.citation];
      break;
  }
}

function finishBlock(state: BlockState): Json {
  const b = state.block;
  if (b.type === 'tool_use' || b.type === 'server_tool_use') {
    try {
      return { ...b, input: state.partialJson.trim() === '' ? (b.input ?? {}) : JSON.parse(state.partialJson) };
    } catch {
      return { ...b, input: {} };
    }
  }
  return b;
}

class AnthropicRelay implements StreamRelay {
  private round = 0;
  private nextIndex = 0;
  private blocks = new Map<number, BlockState>();
  private startUsage: Usage = NO_USAGE;
  private deltaUsage: Json | undefined;
  private roundsUsage: Usage = NO_USAGE;
  private heldDelta: SseEvent | undefined;
  private heldDeltaJson: Json | undefined;
  private heldStop: SseEvent | undefined;
  private changed = false;
  private clientToolUse = false;
  /** This round's upstream sent an `error` event. */
  private upstreamFailed = false;

  constructor(private readonly names: ReadonlySet<string>) {}

  beginRound(n: number): void {
    this.round = n;
    this.blocks = new Map();
    this.startUsage = NO_USAGE;
    this.deltaUsage = undefined;
    this.heldDelta = undefined;
    this.heldStop = undefined;
    this.clientToolUse = false;
    this.upstreamFailed = false;
    if (n > 0) this.changed = true;
  }

  push(ev: SseEvent): string {
    const data = eventJson(ev);
    if (!data) return ev.raw;
    switch (data.type) {
      case 'message_start':
        this.startUsage = usageFrom((data.message as Json | undefined)?.usage);
        return this.round === 0 ? ev.raw : '';
      case 'content_block_start': {
        const index = Number(data.index);
        const block = { ...((data.content_block ?? {}) as Json) };
        const hidden = isProxyBlock(block, this.names);
        const state: BlockState = { clientIndex: hidden ? undefined : this.nextIndex++, block, partialJson: '' };
        this.blocks.set(index, state);
        if (block.type === 'tool_use' && !hidden) this.clientToolUse = true;
        return this.forBlock(ev, data, state, index);
      }
      case 'content_block_delta': {
        const state = this.blocks.get(Number(data.index));
        if (!state) return ev.raw;
        applyDelta(state, (data.delta ?? {}) as Json);
        return this.forBlock(ev, data, state, Number(data.index));
      }
      case 'content_block_stop': {
        const state = this.blocks.get(Number(data.index));
        return state ? this.forBlock(ev, data, state, Number(data.index)) : ev.raw;
      }
      case 'message_delta':
        this.heldDelta = ev;
        this.heldDeltaJson = data;
        this.deltaUsage = data.usage as Json | undefined;
        return '';
      case 'message_stop':
        this.heldStop = ev;
        return '';
      case 'error':
        this.upstreamFailed = true;
        return ev.raw;
      default:
        return ev.raw;
    }
  }

  /** An event of one content block: hidden, relayed as it came, or with its index renumbered. */
  private forBlock(ev: SseEvent, data: Json, state: BlockState, upstreamIndex: number): string {
    if (state.clientIndex === undefined) {
      this.changed = true;
      return '';
    }
    if (state.clientIndex === upstreamIndex) return ev.raw;
    this.changed = true;
    return formatSse(JSON.stringify({ ...data, index: state.clientIndex }), ev.event);
  }

  endRound(): Round {
    const content = [...this.blocks.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => finishBlock(s));
    const d = usageFrom(this.deltaUsage);
    const present = (k: string): boolean => this.deltaUsage !== undefined && typeof this.deltaUsage[k] === 'number';
    const usage: Usage = {
      input: present('input_tokens') ? d.input : this.startUsage.input,
      output: present('output_tokens') ? d.output : this.startUsage.output,
      cacheRead: present('cache_read_input_tokens') ? d.cacheRead : this.startUsage.cacheRead,
      cacheWrite: present('cache_creation_input_tokens') ? d.cacheWrite : this.startUsage.cacheWrite,
    };
    this.roundsUsage = addUsage(this.roundsUsage, usage);
    return { assistant: content, ...callsOf(content, this.names), usage };
  }

  ending(): StreamEnding {
    return this.heldStop ? 'done' : this.upstreamFailed ? 'failed' : 'cut';
  }

  finish(retrievalCut: boolean): string {
    // Called after a round that ended with message_stop: the one the upstream sent closes the stream.
    const stopRaw = this.heldStop?.raw ?? '';
    if (!this.heldDelta || !this.heldDeltaJson) return stopRaw;
    if (!this.changed && !retrievalCut) return this.heldDelta.raw + stopRaw;
    const delta = { ...((this.heldDeltaJson.delta ?? {}) as Json) };
    if (retrievalCut || (delta.stop_reason === 'tool_use' && !this.clientToolUse)) delta.stop_reason = 'end_turn';
    const usage = { ...(this.deltaUsage ?? {}), ...usageJson(this.roundsUsage) };
    return formatSse(JSON.stringify({ ...this.heldDeltaJson, delta, usage }), this.heldDelta.event) + stopRaw;
  }

  error(message: string): string {
    return formatSse(JSON.stringify({ type: 'error', error: { type: 'api_error', message } }), 'error');
  }
}

/** Anthropic's error `type` for the statuses the proxy answers with itself. */
const ANTHROPIC_ERROR_TYPES: Record<number, string> = { 401: 'authentication_error', 403: 'permission_error', 413: 'request_too_large', 504: 'timeout_error' };

export const anthropic: ProviderAdapter = {
  name: 'anthropic',
  read,
  addTools,
  continueRequest,
  readResponse,
  mergeResponses,
  usageOf: (body) => usageFrom((body as Json | undefined)?.usage ?? body),
  streamRelay: (names = RETRIEVE_ONLY) => new AnthropicRelay(names),
  errorBody: (status, message) => ({
    type: 'error',
    error: { type: ANTHROPIC_ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error'), message },
  }),
};
