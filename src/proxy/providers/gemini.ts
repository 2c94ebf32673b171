import { MIN_CHARS } from '../../compress/types.js';
import { appendToArray, appendToRootArray, arrayElements, eventJson, type Message, type NeutralRequest, NO_USAGE, objectMembers, type Part, type Replacement, rootSpan, type Span, spansForUserOnly, type SseEvent, stringAt, type TextPart, type Usage } from '../../wire/index.js';
import { RETRIEVE_ONLY } from '../retrieval.js';
import type { ProviderAdapter, ProxyCall, ProxyResult, ProxyToolSpec, Round, StreamEnding, StreamRelay } from './types.js';

/**
 * Gemini generateContent: `POST /v1beta/models/{model}:generateContent` and
 * `:streamGenerateContent?alt=sse` (Gemini CLI). The model and whether the response streams
 * are in the URL, not the body: the server fills them in from the path.
 */

type Json = Record<string, unknown>;

/** Gemini CLI's own members for a tool's result (`{output}` or `{error}`), always read as outputs. */
const RESULT_MEMBERS = new Set(['output', 'error']);

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function objects(v: unknown): Json[] {
  return Array.isArray(v) ? v.filter(isObject) : [];
}

// --- Requests ---------------------------------------------------------------------------------

function read(raw: string): NeutralRequest {
  const body: unknown = JSON.parse(raw);
  if (!isObject(body)) throw new SyntaxError('Gemini request body is not a JSON object');
  const system: TextPart[] = [];
  const instruction = body.systemInstruction;
  if (typeof instruction === 'string') system.push({ type: 'text', text: instruction });
  else if (isObject(instruction)) {
    for (const p of objects(instruction.parts)) if (typeof p.text === 'string' && p.thought !== true) system.push({ type: 'text', text: p.text });
  }
  const tools = objects(body.tools).flatMap((t) => objects(t.functionDeclarations).map((d) => String(d.name ?? '')));
  const contents = objectMembers(raw, rootSpan(raw)).get('contents');
  const messages = contents ? arrayElements(raw, contents).map((span) => readContent(raw, span)) : [];
  return { model: '', stream: false, system, tools, messages };
}

function readContent(raw: string, span: Span): Message {
  const members = objectMembers(raw, span);
  const role = stringAt(raw, members.get('role'));
  const partsSpan = members.get('parts');
  const parts = partsSpan ? arrayElements(raw, partsSpan).flatMap((p) => readPart(raw, p)) : [];
  return spansForUserOnly({ role: role === 'model' ? 'assistant' : 'user', parts });
}

function readPart(raw: string, span: Span): Part[] {
  const m = objectMembers(raw, span);
  const json = (s: Span | undefined): unknown => (s ? JSON.parse(raw.slice(s.start, s.end)) : undefined);
  // Thought summaries are the model's reasoning, not conversation text.
  if (json(m.get('thought')) === true) return [];
  const textSpan = m.get('text');
  const text = stringAt(raw, textSpan);
  if (textSpan && text !== undefined) return [{ type: 'text', text, span: textSpan }];
  const call = json(m.get('functionCall'));
  if (isObject(call)) {
    const name = String(call.name ?? '');
    return [{ type: 'tool_call', id: typeof call.id === 'string' ? call.id : name, name, input: call.args ?? {} }];
  }
  const answer = m.get('functionResponse');
  return answer ? readFunctionResponse(raw, answer) : [];
}

/**
 * Every string member of `functionResponse.response` that holds a tool's output: Gemini CLI's
 * `output` and `error` always, any other member (MCP servers' `content`, `result`, ...) once it
 * is long enough for compression to consider it.
 */
function readFunctionResponse(raw: string, span: Span): Part[] {
  const m = objectMembers(raw, span);
  const id = stringAt(raw, m.get('id')) ?? stringAt(raw, m.get('name')) ?? '';
  const response = m.get('response');
  if (!response) return [];
  const outputs: Part[] = [];
  for (const [key, valueSpan] of objectMembers(raw, response)) {
    const text = stringAt(raw, valueSpan);
    if (text === undefined || (!RESULT_MEMBERS.has(key) && text.length < MIN_CHARS)) continue;
    outputs.push({ type: 'tool_output', id, text, isError: key === 'error', span: valueSpan });
  }
  return outputs;
}

/** One `tools` entry declaring every added function. */
function addTools(raw: string, specs: readonly ProxyToolSpec[]): Replacement {
  const functionDeclarations = specs.map((t) => ({ name: t.name, description: t.description, parametersJsonSchema: t.schema }));
  return appendToRootArray(raw, 'tools', JSON.stringify({ functionDeclarations }));
}

/** The model turn a Round carries, `{role: "model", parts}` as the upstream sent its parts. */
function modelTurn(assistant: unknown): { role: 'model'; parts: Json[] } {
  return { role: 'model', parts: isObject(assistant) ? objects(assistant.parts) : [] };
}

function continueRequest(raw: string, round: Round, results: ProxyResult[]): string {
  const contents = objectMembers(raw, rootSpan(raw)).get('contents');
  if (!contents || raw[contents.start] !== '[') throw new SyntaxError('Gemini request has no contents array');
  const turn = modelTurn(round.assistant);
  // Calls without an id got a generated one; the answer names an id only when the call had its own.
  const ownIds = new Set(turn.parts.map((p) => (isObject(p.functionCall) ? p.functionCall.id : undefined)).filter((id) => typeof id === 'string'));
  const answers = results.map((r) => ({
    functionResponse: { ...(ownIds.has(r.call.id) ? { id: r.call.id } : {}), name: r.call.name, response: { output: r.text } },
  }));
  const edit = appendToArray(raw, contents, `${JSON.stringify(turn)},${JSON.stringify({ role: 'user', parts: answers })}`);
  return raw.slice(0, edit.start) + edit.text + raw.slice(edit.end);
}

// --- Responses --------------------------------------------------------------------------------

function isProxyPart(part: Json, names: ReadonlySet<string>): boolean {
  return isObject(part.functionCall) && names.has(String(part.functionCall.name));
}

function firstCandidate(body: Json): Json | undefined {
  return objects(body.candidates)[0];
}

function partsOf(candidate: Json | undefined): Json[] {
  return candidate && isObject(candidate.content) ? objects(candidate.content.parts) : [];
}

/** Proxy calls (ids generated from their order when Gemini sent none) and the client's own calls. */
function callsOf(parts: Json[], names: ReadonlySet<string>): { proxyCalls: ProxyCall[]; clientToolCalls: number } {
  const proxyCalls: ProxyCall[] = [];
  let clientToolCalls = 0;
  for (const part of parts) {
    const call = part.functionCall;
    if (!isObject(call)) continue;
    const name = String(call.name);
    if (!names.has(name)) {
      clientToolCalls++;
      continue;
    }
    const id = typeof call.id === 'string' && call.id !== '' ? call.id : `${name}-${proxyCalls.length}`;
    proxyCalls.push({ id, name, input: call.args ?? {} });
  }
  return { proxyCalls, clientToolCalls };
}

/**
 * The parts of one round the client sees: proxy calls removed. Gemini puts the thought
 * signature of parallel calls on the first call only; when that call is a hidden proxy
 * call, its signature moves to the next client call so the client's history stays valid.
 */
class VisibleParts {
  private pendingSignature: unknown;

  constructor(private readonly names: ReadonlySet<string>) {}

  filter(parts: Json[]): { visible: Json[]; changed: boolean } {
    const visible: Json[] = [];
    let changed = false;
    for (const part of parts) {
      if (isProxyPart(part, this.names)) {
        changed = true;
        if (part.thoughtSignature !== undefined) this.pendingSignature ??= part.thoughtSignature;
      } else if (this.pendingSignature !== undefined && isObject(part.functionCall)) {
        visible.push(part.thoughtSignature === undefined ? { ...part, thoughtSignature: this.pendingSignature } : part);
        this.pendingSignature = undefined;
        changed = true;
      } else {
        visible.push(part);
      }
    }
    return { visible, changed };
  }
}

/** A copy of the response with candidate 0 holding `parts` (and `finish` changes applied). */
function withParts(body: Json, parts: Json[], finish: 'keep' | 'strip' | 'stop' = 'keep'): Json {
  const [candidate = {}, ...others] = objects(body.candidates);
  const next: Json = { ...candidate, content: { ...(isObject(candidate.content) ? candidate.content : { role: 'model' }), parts } };
  if (finish === 'strip') {
    delete next.finishReason;
    delete next.finishMessage;
  } else if (finish === 'stop') next.finishReason = 'STOP';
  const out: Json = { ...body, candidates: [next, ...others] };
  if (finish === 'strip') delete out.usageMetadata;
  return out;
}

function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/**
 * Neutral usage. `promptTokenCount` includes the cached tokens, so input is the uncached rest;
 * thinking tokens are billed as output.
 */
function usageFrom(u: unknown): Usage {
  if (!isObject(u)) return NO_USAGE;
  const cached = count(u.cachedContentTokenCount);
  const prompt = count(u.promptTokenCount) + count(u.toolUsePromptTokenCount);
  return { input: Math.max(0, prompt - cached), output: count(u.candidatesTokenCount) + count(u.thoughtsTokenCount), cacheRead: cached, cacheWrite: 0 };
}

/** Sums usageMetadata objects member by member; per-modality detail lists are summed by modality. */
function sumUsageMetadata(list: unknown[]): Json | undefined {
  const present = list.filter(isObject);
  if (present.length === 0) return undefined;
  const out: Json = {};
  for (const u of present) {
    for (const [key, value] of Object.entries(u)) {
      const prev = out[key];
      if (typeof value === 'number') out[key] = count(prev) + value;
      else if (Array.isArray(value)) out[key] = sumByModality(Array.isArray(prev) ? prev : [], value);
      else out[key] = value;
    }
  }
  return out;
}

function sumByModality(a: unknown[], b: unknown[]): unknown[] {
  const out = a.map((x) => (isObject(x) ? { ...x } : x));
  for (const item of b) {
    const same = isObject(item) ? out.find((x): x is Json => isObject(x) && x.modality === item.modality) : undefined;
    if (same && isObject(item)) same.tokenCount = count(same.tokenCount) + count(item.tokenCount);
    else out.push(isObject(item) ? { ...item } : item);
  }
  return out;
}

function readResponse(body: unknown, names: ReadonlySet<string> = RETRIEVE_ONLY): Round {
  const b = isObject(body) ? body : {};
  const parts = partsOf(firstCandidate(b));
  return { assistant: { role: 'model', parts }, ...callsOf(parts, names), usage: usageFrom(b.usageMetadata) };
}

function mergeResponses(bodies: unknown[], retrievalCut: boolean, names: ReadonlySet<string> = RETRIEVE_ONLY): unknown {
  const rounds = bodies.map((b) => (isObject(b) ? b : {}));
  const first = rounds[0] ?? {};
  const last = rounds.at(-1) ?? {};
  const parts = rounds.flatMap((r) => new VisibleParts(names).filter(partsOf(firstCandidate(r))).visible);
  const merged = withParts(last, parts, retrievalCut ? 'stop' : 'keep');
  const usage = sumUsageMetadata(rounds.map((r) => r.usageMetadata));
  if (usage) merged.usageMetadata = usage;
  // One response to the client: it keeps the id the first round answered with.
  if (typeof first.responseId === 'string') merged.responseId = first.responseId;
  return merged;
}

// --- Streams ----------------------------------------------------------------------------------

const EVENT_END_RE = /(\r\n\r\n|\n\n|\r\r)$/;

/** Members of a chunk that every Gemini chunk repeats; a chunk with only these says nothing. */
const ROUTINE_CHUNK_MEMBERS = new Set(['candidates', 'usageMetadata', 'modelVersion', 'responseId', 'createTime']);
const ROUTINE_CANDIDATE_MEMBERS = new Set(['content', 'index', 'safetyRatings']);

function isRoutineOnly(chunk: Json): boolean {
  if (!Object.keys(chunk).every((k) => ROUTINE_CHUNK_MEMBERS.has(k))) return false;
  const candidates = objects(chunk.candidates);
  return candidates.length <= 1 && candidates.every((c) => Object.keys(c).every((k) => ROUTINE_CANDIDATE_MEMBERS.has(k)));
}

interface HeldClose {
  chunk: Json;
  raw: string;
  changed: boolean;
}

/**
 * Each Gemini SSE chunk is a whole GenerateContentResponse with the round's next parts; there
 * are no opening events or indices. The relay hides proxy calls, holds the chunk with the
 * finishReason until finish(), and gives every round the first round's responseId.
 */
class GeminiRelay implements StreamRelay {
  private round = 0;
  /** Every part of the current round as received: the model turn a continuation replays. */
  private parts: Json[] = [];
  private visibleParts: VisibleParts;
  /** The latest usageMetadata of each round (Gemini repeats the running totals on each chunk). */
  private usageByRound: Json[] = [];
  private closing: HeldClose | undefined;
  private responseId: string | undefined;
  /** Gemini ends events with CRLF pairs; rewritten events use whatever upstream used. */
  private eventEnd = '\r\n\r\n';
  /** This round's upstream blocked the prompt (promptFeedback.blockReason): its last word, with no finishReason. */
  private blocked = false;
  /** This round's upstream sent an error chunk. */
  private upstreamFailed = false;

  constructor(private readonly names: ReadonlySet<string>) {
    this.visibleParts = new VisibleParts(names);
  }

  beginRound(n: number): void {
    this.round = n;
    this.parts = [];
    this.visibleParts = new VisibleParts(this.names);
    this.closing = undefined;
    this.blocked = false;
    this.upstreamFailed = false;
  }

  push(ev: SseEvent): string {
    const chunk = eventJson(ev);
    if (chunk?.error !== undefined) this.upstreamFailed = true;
    if (!chunk || chunk.error !== undefined) return ev.raw;
    if (isObject(chunk.promptFeedback) && chunk.promptFeedback.blockReason !== undefined) this.blocked = true;
    this.eventEnd = EVENT_END_RE.exec(ev.raw)?.[1] ?? this.eventEnd;
    if (isObject(chunk.usageMetadata)) this.usageByRound[this.round] = chunk.usageMetadata;
    if (this.responseId === undefined && typeof chunk.responseId === 'string') this.responseId = chunk.responseId;
    const candidate = firstCandidate(chunk);
    const parts = partsOf(candidate);
    this.parts.push(...parts);
    const { visible, changed: partsChanged } = this.visibleParts.filter(parts);
    let out = partsChanged ? withParts(chunk, visible) : chunk;
    const relabel = this.responseId !== undefined && chunk.responseId !== undefined && chunk.responseId !== this.responseId;
    if (relabel) out = { ...out, responseId: this.responseId };
    const changed = partsChanged || relabel;
    if (candidate?.finishReason !== undefined) return this.hold(out, ev.raw, changed, visible);
    if (!changed) return ev.raw;
    if (visible.length === 0 && parts.length > 0 && isRoutineOnly(chunk)) return '';
    return this.format(out);
  }

  /**
   * The closing chunk. A round that made proxy calls will probably continue: the client
   * gets the chunk's visible parts now, and its finishReason and usage wait for finish().
   */
  private hold(chunk: Json, raw: string, changed: boolean, visible: Json[]): string {
    if (!this.parts.some((p) => isProxyPart(p, this.names))) {
      this.closing = { chunk, raw, changed };
      return '';
    }
    this.closing = { chunk: withParts(chunk, []), raw, changed: true };
    return visible.length > 0 ? this.format(withParts(chunk, visible, 'strip')) : '';
  }

  endRound(): Round {
    const parts = this.parts;
    return { assistant: { role: 'model', parts }, ...callsOf(parts, this.names), usage: usageFrom(this.usageByRound[this.round]) };
  }

  finish(retrievalCut: boolean): string {
    const held = this.closing;
    this.closing = undefined;
    if (!held) return '';
    if (this.round === 0 && !held.changed && !retrievalCut) return held.raw;
    const chunk = retrievalCut ? withParts(held.chunk, partsOf(firstCandidate(held.chunk)), 'stop') : { ...held.chunk };
    const usage = sumUsageMetadata(this.usageByRound);
    if (usage) chunk.usageMetadata = usage;
    return this.format(chunk);
  }

  error(message: string): string {
    return this.format({ error: { code: 500, message, status: 'INTERNAL' } });
  }

  /** Done once a chunk with a finishReason came (held in `closing`), or the prompt was blocked. */
  ending(): StreamEnding {
    return this.closing || this.blocked ? 'done' : this.upstreamFailed ? 'failed' : 'cut';
  }

  private format(chunk: Json): string {
    return `data: ${JSON.stringify(chunk)}${this.eventEnd}`;
  }
}


/** The google.rpc status name Gemini pairs with an HTTP status in its error bodies. */
function rpcStatus(status: number): string {
  const names: Record<number, string> = {
    400: 'INVALID_ARGUMENT',
    401: 'UNAUTHENTICATED',
    403: 'PERMISSION_DENIED',
    404: 'NOT_FOUND',
    409: 'ABORTED',
    413: 'INVALID_ARGUMENT',
    429: 'RESOURCE_EXHAUSTED',
    499: 'CANCELLED',
    501: 'UNIMPLEMENTED',
    502: 'UNAVAILABLE',
    503: 'UNAVAILABLE',
    504: 'DEADLINE_EXCEEDED',
  };
  return names[status] ?? (status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION');
}

export const gemini: ProviderAdapter = {
  name: 'gemini',
  read,
  addTools,
  continueRequest,
  readResponse,
  mergeResponses,
  usageOf: (body) => usageFrom(isObject(body) ? body.usageMetadata : undefined),
  streamRelay: (names = RETRIEVE_ONLY) => new GeminiRelay(names),
  errorBody: (status, message) => ({ error: { code: status, message, status: rpcStatus(status) } }),
};
