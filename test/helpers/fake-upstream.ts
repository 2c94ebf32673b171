import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as zlib from 'node:zlib';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A scripted fake model provider for tests, listening on 127.0.0.1 (port 0). It speaks the four
 * wire formats the agents use (Anthropic Messages, OpenAI Chat Completions, OpenAI Responses,
 * Gemini generateContent), streamed or not as the request asks, with event sequences the real
 * SDKs accept. A script decides each model reply: text, tool calls, an error, or a fault.
 */
export async function startFakeUpstream(script: Script = echoScript, opts: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const requests: RecordedRequest[] = [];
  const counted: CountCall[] = [];
  let modelCalls = 0;
  const upgrades: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    res.on('error', () => {});
    void readBody(req).then(async (body) => {
      const recorded = record(req, body);
      requests.push(recorded);
      const route = routeOf(req.method ?? 'GET', recorded.url);
      if (route.kind === 'model') {
        const call = modelCallOf(recorded, route.format, route.model, modelCalls++);
        const reply = withUsageHook(call, normalise(await script(call)), opts.usage);
        await answerModelCall(res, call, reply);
      } else {
        answerOther(res, route, recorded, counted);
      }
    }).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { type: 'fake_upstream_error', message: String(err) } });
    });
  });
  const wss = opts.websocket ? new WebSocketServer({ noServer: true, perMessageDeflate: true }) : undefined;
  server.on('upgrade', (req, socket, head) => {
    // Without a WebSocket the fake answers an upgrade as OpenAI's HTTP-only gateways do: 426.
    if (!wss || new URL(req.url ?? '/', 'http://fake').pathname !== '/v1/responses') {
      socket.end('HTTP/1.1 426 Upgrade Required\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      return;
    }
    upgrades.push(req.headers);
    wss.handleUpgrade(req, socket, head, (ws) => {
      let queue = Promise.resolve();
      ws.on('message', (data) => {
        queue = queue.then(() => answerFrame(ws, req, data.toString(), () => modelCalls++)).catch(() => ws.terminate());
      });
    });
  });
  /** One `response.create` frame, recorded as a model request and answered with the Responses events as frames. */
  async function answerFrame(ws: WebSocket, req: http.IncomingMessage, text: string, next: () => number): Promise<void> {
    const { type, ...body } = JSON.parse(text) as Record<string, unknown>;
    if (type !== 'response.create') return;
    const recorded: RecordedRequest = { method: 'POST', url: req.url ?? '/v1/responses', headers: req.headers, body: JSON.stringify(body), json: body, transport: 'websocket' };
    requests.push(recorded);
    const call = modelCallOf(recorded, 'openai-responses', '', next());
    const reply: Reply = body.generate === false ? { text: '' } : normalise(await script(call));
    if (reply.error) {
      const error = typeof reply.error.body === 'object' ? (reply.error.body as { error?: unknown }).error : { message: String(reply.error.body) };
      ws.send(JSON.stringify({ type: 'error', status: reply.error.status, error }));
      return;
    }
    const events = responsesEvents(answerOf(call, reply)).map((e) => /^data: (.*)$/m.exec(e)![1]!);
    const kept = body.generate === false ? events.filter((e) => /"response\.(created|completed)"/.test(e)) : events;
    const cut = reply.fault?.errorEventAfterEvents;
    for (const e of cut === undefined ? kept : kept.slice(0, cut)) ws.send(e);
    if (cut !== undefined) ws.close(1011, 'fault');
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    counted,
    modelRequests: () => requests.filter((r) => r.format !== undefined),
    websocketUpgrades: upgrades,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss?.clients ?? []) c.terminate();
        wss?.close();
        // Hung replies and keep-alive sockets would hold close() open forever.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type WireFormat = 'anthropic' | 'openai-chat' | 'openai-responses' | 'gemini';

/** A call of a count endpoint (Anthropic count_tokens, OpenAI input_tokens, Gemini countTokens) and the count it answered. */
interface CountCall {
  format: 'anthropic' | 'openai-responses' | 'gemini';
  url: string;
  json: unknown;
  tokens: number;
}

export interface FakeUpstreamOptions {
  /**
   * Decides the usage of every model call the script answers with a reply (not an error): e.g.
   * a simulated prompt cache (simulated-cache.ts). Its usage wins over the reply's own; an
   * `error` it returns is sent instead of the reply (what the provider answers a request it refuses).
   */
  usage?: UsageHook;
}

export type UsageHook = (call: ModelCall, reply: Reply) => FakeUsage | { error: NonNullable<Reply['error']> };

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** The request body as text, exactly as received (after undoing a gzip/br/deflate encoding). */
  body: string;
  /** The body parsed as JSON, or undefined when empty or not JSON. */
  json: unknown;
  /** Set for model calls (the four generate endpoints), undefined for probes and listings. */
  format?: WireFormat;
  /** Set when the request came as a `response.create` frame (its `json` is the frame without `type`). */
  transport?: 'websocket';
}

export interface FakeUpstreamOptions {
  /** Speak the Responses API over a WebSocket at /v1/responses too (as OpenAI does); otherwise upgrades get 426. */
  websocket?: boolean;
}

interface ToolCall {
  name: string;
  input: Record<string, unknown>;
  /** Defaults to a fake id in the format's own style (toolu_..., call_...). */
  id?: string;
  /** OpenAI Responses: the namespace of a tool declared inside one (`{type: "namespace", tools}`). */
  namespace?: string;
  /** OpenAI Responses: a custom (freeform) tool call with this input text; `input` is then unused. */
  freeform?: string;
}

export interface FakeUsage {
  /** Uncached input tokens (Anthropic's `input_tokens`); OpenAI and Gemini totals add cacheRead. */
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  /**
   * Anthropic: of cacheWrite, the tokens written with a 1-hour lifetime. When set, usage also
   * carries `cache_creation: {ephemeral_5m_input_tokens, ephemeral_1h_input_tokens}`.
   */
  cacheWrite1h?: number;
}

export interface Fault {
  /** Milliseconds to wait before sending the status line and headers. */
  delayHeadersMs?: number;
  /** Milliseconds to wait between stream events. */
  delayBetweenEventsMs?: number;
  /** Reset the connection (TCP RST) after this many stream events have been sent. */
  resetAfterEvents?: number;
  /** Reset the connection after this many body bytes (before content-encoding) have been sent. */
  resetAfterBytes?: number;
  /** End the response cleanly (as if complete) after this many stream events: the rest is never sent. */
  endAfterEvents?: number;
  /** End the response cleanly after this many body bytes (before content-encoding), mid-event when it falls there. */
  endAfterBytes?: number;
  /** After this many stream events, send the provider's own mid-stream error event and end the response. */
  errorEventAfterEvents?: number;
  /** Accept the request and never answer it. */
  hang?: boolean;
}

export interface Reply {
  /** Visible text; sent before any tool calls. */
  text?: string;
  toolCalls?: ToolCall[];
  /** Answer with this status and body instead of a model reply. */
  error?: { status: number; body: string | object; headers?: Record<string, string> };
  fault?: Fault;
  encoding?: 'gzip' | 'br';
  usage?: Partial<FakeUsage>;
}

/** What a script sees of one model call. */
export interface ModelCall {
  request: RecordedRequest;
  format: WireFormat;
  model: string;
  stream: boolean;
  /** 0 for the first model call this server answered, then 1, 2, ... */
  index: number;
  /** Every tool output in the conversation, in order, as text. */
  toolOutputs: string[];
  /** Names of the tools the request declares. */
  toolNames: string[];
}

/** A string is shorthand for `{ text }`. */
export type Script = (call: ModelCall) => Reply | string | Promise<Reply | string>;

export interface FakeUpstream {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** The count endpoint calls it answered, in order. */
  counted: CountCall[];
  /** The recorded model calls only (no probes, listings or token counts). */
  modelRequests(): RecordedRequest[];
  /** The headers of each WebSocket upgrade accepted (with `websocket: true`). */
  websocketUpgrades: http.IncomingHttpHeaders[];
  close(): Promise<void>;
}

/** Default script: a text answer that says what the request carried. */
const echoScript: Script = (call) => {
  const bytes = call.toolOutputs.reduce((n, t) => n + Buffer.byteLength(t), 0);
  return `ok: ${call.toolOutputs.length} tool outputs, ${bytes} bytes`;
};

/** A script that gives the replies in order, repeating the last one. */
export function scriptSequence(...replies: Array<Reply | string>): Script {
  if (replies.length === 0) throw new Error('scriptSequence needs at least one reply');
  let next = 0;
  return () => replies[Math.min(next++, replies.length - 1)] as Reply | string;
}

// ---------------------------------------------------------------------------------------------
// Routing

type Route =
  | { kind: 'model'; format: WireFormat; model: string }
  | { kind: 'probe' }
  | { kind: 'count-tokens'; format: Exclude<WireFormat, 'openai-chat'> }
  | { kind: 'models' }
  | { kind: 'not-found' };

function routeOf(method: string, url: string): Route {
  const path = url.split('?')[0] ?? '';
  if (method === 'HEAD' || (method === 'GET' && (path === '/' || path === '/api/hello'))) return { kind: 'probe' };
  if (method === 'GET' && /^\/(v1|v1beta)\/models\/?$/.test(path)) return { kind: 'models' };
  if (method !== 'POST') return { kind: 'not-found' };
  if (path === '/v1/messages/count_tokens') return { kind: 'count-tokens', format: 'anthropic' };
  if (path === '/v1/responses/input_tokens') return { kind: 'count-tokens', format: 'openai-responses' };
  if (/^\/v1beta\/models\/[^/:]+:countTokens$/.test(path)) return { kind: 'count-tokens', format: 'gemini' };
  if (path === '/v1/messages') return { kind: 'model', format: 'anthropic', model: '' };
  if (path === '/v1/chat/completions') return { kind: 'model', format: 'openai-chat', model: '' };
  if (path === '/v1/responses') return { kind: 'model', format: 'openai-responses', model: '' };
  const gemini = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/.exec(path);
  if (gemini) return { kind: 'model', format: 'gemini', model: gemini[1] ?? '' };
  return { kind: 'not-found' };
}

function answerOther(res: http.ServerResponse, route: Exclude<Route, { kind: 'model' }>, req: RecordedRequest, counted: CountCall[]): void {
  switch (route.kind) {
    case 'probe':
      res.writeHead(200, { 'content-type': 'text/plain' }).end(req.method === 'HEAD' ? undefined : 'ok');
      return;
    case 'count-tokens': {
      // Each format's count endpoint, answered in its own shape: a count of the body it was given.
      const tokens = estimateTokens(req.body);
      counted.push({ format: route.format, url: req.url, json: req.json, tokens });
      if (route.format === 'anthropic') sendJson(res, 200, { input_tokens: tokens });
      else if (route.format === 'openai-responses') sendJson(res, 200, { object: 'response.input_tokens', input_tokens: tokens });
      else sendJson(res, 200, { totalTokens: tokens });
      return;
    }
    case 'models':
      sendJson(res, 200, modelList());
      return;
    case 'not-found':
      sendJson(res, 404, { error: { type: 'not_found_error', message: `fake upstream: no route for ${req.method} ${req.url}` } });
      return;
    default: {
      const never: never = route;
      throw new Error(`unhandled route ${String(never)}`);
    }
  }
}

/** One list readable as an OpenAI, Anthropic or Gemini model listing. */
function modelList(): object {
  const ids = ['claude-fake', 'gpt-fake', 'gemini-fake'];
  return {
    object: 'list',
    data: ids.map((id) => ({ id, object: 'model', type: 'model', display_name: id, created: 1_700_000_000, created_at: '2026-01-01T00:00:00Z', owned_by: 'fake' })),
    models: ids.map((id) => ({ name: `models/${id}`, displayName: id })),
    has_more: false,
    first_id: ids[0],
    last_id: ids[ids.length - 1],
  };
}

// ---------------------------------------------------------------------------------------------
// Reading requests

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  switch (req.headers['content-encoding']) {
    case 'gzip':
      return zlib.gunzipSync(raw).toString('utf8');
    case 'br':
      return zlib.brotliDecompressSync(raw).toString('utf8');
    case 'deflate':
      return zlib.inflateSync(raw).toString('utf8');
    default:
      return raw.toString('utf8');
  }
}

function record(req: http.IncomingMessage, body: string): RecordedRequest {
  let json: unknown;
  try {
    json = body === '' ? undefined : JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body, json };
}

function modelCallOf(request: RecordedRequest, format: WireFormat, pathModel: string, index: number): ModelCall {
  request.format = format;
  const json = (request.json ?? {}) as Record<string, unknown>;
  const stream = format === 'gemini' ? request.url.includes(':streamGenerateContent') : json.stream === true;
  const model = format === 'gemini' ? pathModel : typeof json.model === 'string' ? json.model : 'fake-model';
  return { request, format, model, stream, index, toolOutputs: toolOutputsOf(format, json), toolNames: toolNamesOf(format, json) };
}

/** Every tool output the request carries, as text, in conversation order. */
export function toolOutputsOf(format: WireFormat, body: unknown): string[] {
  const json = (body ?? {}) as Record<string, unknown>;
  const out: string[] = [];
  for (const item of list(format === 'gemini' ? json.contents : format === 'openai-responses' ? json.input : json.messages)) {
    if (format === 'anthropic') {
      for (const block of list(item.content)) if (block.type === 'tool_result') out.push(textOf(block.content));
    } else if (format === 'openai-chat') {
      if (item.role === 'tool') out.push(textOf(item.content));
    } else if (format === 'openai-responses') {
      if (item.type === 'function_call_output' || item.type === 'custom_tool_call_output') out.push(textOf(item.output));
    } else {
      for (const part of list(item.parts)) {
        const fr = part.functionResponse as { response?: unknown } | undefined;
        if (fr) out.push(JSON.stringify(fr.response ?? null));
      }
    }
  }
  return out;
}

function toolNamesOf(format: WireFormat, json: Record<string, unknown>): string[] {
  const names: string[] = [];
  const add = (tools: unknown): void => {
    for (const t of list(tools)) {
      if (format === 'gemini') for (const d of list(t.functionDeclarations)) names.push(String(d.name));
      else if (t.type === 'namespace') add(t.tools);
      // Chat Completions custom tools (Copilot CLI's apply_patch) carry their name under `custom`.
      else if (format === 'openai-chat') names.push(String((t.function as { name?: unknown } | undefined)?.name ?? (t.custom as { name?: unknown } | undefined)?.name ?? t.name));
      else if (typeof t.name === 'string') names.push(t.name);
    }
  };
  add(json.tools);
  // OpenAI Responses: Codex's default model declares its tools in `additional_tools` input items.
  if (format === 'openai-responses') for (const item of list(json.input)) if (item.type === 'additional_tools') add(item.tools);
  return names;
}

function list(v: unknown): Array<Record<string, unknown>> {
  return Array.isArray(v) ? (v.filter((x) => typeof x === 'object' && x !== null) as Array<Record<string, unknown>>) : [];
}

/** A tool output's text: a string, or the text parts of a content array joined. */
function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  return list(v).map((p) => (typeof p.text === 'string' ? p.text : '')).join('');
}

function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(Buffer.byteLength(text) / 4));
}

// ---------------------------------------------------------------------------------------------
// Answering model calls

function normalise(r: Reply | string): Reply {
  return typeof r === 'string' ? { text: r } : r;
}

function withUsageHook(call: ModelCall, reply: Reply, hook: UsageHook | undefined): Reply {
  if (!hook || reply.error) return reply;
  const decided = hook(call, reply);
  return 'error' in decided ? { ...reply, error: decided.error } : { ...reply, usage: decided };
}

/** A reply resolved against one call: ids and usage filled in. */
interface Answer {
  n: string;
  model: string;
  text: string;
  calls: Array<ToolCall & { id: string; idGiven: boolean }>;
  usage: FakeUsage;
}

async function answerModelCall(res: http.ServerResponse, call: ModelCall, reply: Reply): Promise<void> {
  const fault = reply.fault ?? {};
  if (fault.hang) return;
  if (reply.error) {
    await sleep(fault.delayHeadersMs);
    const { status, body, headers } = reply.error;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', ...headers }).end(text);
    return;
  }
  const answer = answerOf(call, reply);
  if (!call.stream) {
    await sendBody(res, [JSON.stringify(jsonReply(call.format, answer))], 'application/json', reply, false);
    return;
  }
  // Gemini streams a JSON array unless asked for alt=sse.
  const jsonArray = call.format === 'gemini' && !call.request.url.includes('alt=sse');
  let chunks = jsonArray ? [JSON.stringify(geminiChunks(answer))] : streamEvents(call.format, answer);
  const errorAt = reply.fault?.errorEventAfterEvents;
  if (errorAt !== undefined && !jsonArray) chunks = [...chunks.slice(0, errorAt), streamErrorEvent(call.format, errorAt)];
  await sendBody(res, chunks, jsonArray ? 'application/json' : 'text/event-stream', reply, true);
}

function answerOf(call: ModelCall, reply: Reply): Answer {
  const n = String(call.index + 1).padStart(3, '0');
  const idPrefix = call.format === 'anthropic' ? 'toolu_fake' : 'call_fake';
  const calls = (reply.toolCalls ?? []).map((c, i) => ({ ...c, id: c.id ?? `${idPrefix}_${n}_${i}`, idGiven: c.id !== undefined }));
  const text = reply.text ?? (calls.length > 0 ? '' : 'ok');
  const outputChars = text.length + calls.reduce((s, c) => s + JSON.stringify(c.input).length, 0);
  const usage: FakeUsage = {
    input: estimateTokens(call.request.body),
    output: Math.max(1, Math.ceil(outputChars / 4)),
    cacheRead: 0,
    cacheWrite: 0,
    ...reply.usage,
  };
  return { n, model: call.model, text, calls, usage };
}

function jsonReply(format: WireFormat, a: Answer): object {
  switch (format) {
    case 'anthropic':
      return anthropicMessage(a);
    case 'openai-chat':
      return chatCompletion(a);
    case 'openai-responses':
      return responseObject(a, 'completed');
    case 'gemini':
      return geminiChunk(a, geminiParts(a), true);
    default: {
      const never: never = format;
      throw new Error(`unhandled format ${String(never)}`);
    }
  }
}

function streamEvents(format: WireFormat, a: Answer): string[] {
  switch (format) {
    case 'anthropic':
      return anthropicEvents(a);
    case 'openai-chat':
      return chatChunks(a);
    case 'openai-responses':
      return responsesEvents(a);
    case 'gemini':
      // Gemini's own SSE separates events with CRLF pairs.
      return geminiChunks(a).map((c) => `data: ${JSON.stringify(c)}\r\n\r\n`);
    default: {
      const never: never = format;
      throw new Error(`unhandled format ${String(never)}`);
    }
  }
}

/** The error event each provider sends when it fails after a stream began (overloaded, internal error). */
function streamErrorEvent(format: WireFormat, sequence: number): string {
  switch (format) {
    case 'anthropic':
      return sse({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 'error');
    case 'openai-chat':
      return sse({ error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } });
    case 'openai-responses':
      return sse({ type: 'error', code: 'server_error', message: 'The server had an error while processing your request.', param: null, sequence_number: sequence }, 'error');
    case 'gemini':
      return `data: ${JSON.stringify({ error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } })}\r\n\r\n`;
    default: {
      const never: never = format;
      throw new Error(`unhandled format ${String(never)}`);
    }
  }
}

const sse = (data: object, event?: string): string => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;

/** Splits text into up to three pieces so streams carry several deltas. */
function pieces(text: string): string[] {
  if (text.length < 3) return text === '' ? [] : [text];
  const third = Math.ceil(text.length / 3);
  return [text.slice(0, third), text.slice(third, 2 * third), text.slice(2 * third)].filter((p) => p !== '');
}

// --- Anthropic Messages -----------------------------------------------------------------------

function anthropicUsage(u: FakeUsage): object {
  const split = u.cacheWrite1h === undefined ? {} : { cache_creation: { ephemeral_5m_input_tokens: u.cacheWrite - u.cacheWrite1h, ephemeral_1h_input_tokens: u.cacheWrite1h } };
  return { input_tokens: u.input, cache_creation_input_tokens: u.cacheWrite, cache_read_input_tokens: u.cacheRead, ...split, output_tokens: u.output };
}

function anthropicMessage(a: Answer): object {
  const content: object[] = [];
  if (a.text !== '') content.push({ type: 'text', text: a.text });
  for (const c of a.calls) content.push({ type: 'tool_use', id: c.id, name: c.name, input: c.input });
  const stop = a.calls.length > 0 ? 'tool_use' : 'end_turn';
  return { id: `msg_fake_${a.n}`, type: 'message', role: 'assistant', model: a.model, content, stop_reason: stop, stop_sequence: null, usage: anthropicUsage(a.usage) };
}

function anthropicEvents(a: Answer): string[] {
  const start = { ...anthropicMessage(a), content: [], stop_reason: null, usage: { ...anthropicUsage(a.usage), output_tokens: 1 } };
  const events = [sse({ type: 'message_start', message: start }, 'message_start')];
  let index = 0;
  const block = (contentBlock: object, deltas: object[]): void => {
    events.push(sse({ type: 'content_block_start', index, content_block: contentBlock }, 'content_block_start'));
    if (index === 0) events.push(sse({ type: 'ping' }, 'ping'));
    for (const delta of deltas) events.push(sse({ type: 'content_block_delta', index, delta }, 'content_block_delta'));
    events.push(sse({ type: 'content_block_stop', index }, 'content_block_stop'));
    index++;
  };
  if (a.text !== '') block({ type: 'text', text: '' }, pieces(a.text).map((text) => ({ type: 'text_delta', text })));
  for (const c of a.calls) {
    const args = pieces(JSON.stringify(c.input)).map((partial_json) => ({ type: 'input_json_delta', partial_json }));
    block({ type: 'tool_use', id: c.id, name: c.name, input: {} }, args);
  }
  const stop = a.calls.length > 0 ? 'tool_use' : 'end_turn';
  events.push(sse({ type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: anthropicUsage(a.usage) }, 'message_delta'));
  events.push(sse({ type: 'message_stop' }, 'message_stop'));
  return events;
}

// --- OpenAI Chat Completions ------------------------------------------------------------------

const CREATED = 1_790_000_000;

function chatUsage(u: FakeUsage): object {
  const prompt = u.input + u.cacheRead;
  return { prompt_tokens: prompt, completion_tokens: u.output, total_tokens: prompt + u.output, prompt_tokens_details: { cached_tokens: u.cacheRead } };
}

function chatCompletion(a: Answer): object {
  const toolCalls = a.calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.input) } }));
  const message = { role: 'assistant', content: a.text === '' ? null : a.text, refusal: null, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) };
  const finish = a.calls.length > 0 ? 'tool_calls' : 'stop';
  return { id: `chatcmpl-fake-${a.n}`, object: 'chat.completion', created: CREATED, model: a.model, choices: [{ index: 0, message, finish_reason: finish, logprobs: null }], usage: chatUsage(a.usage) };
}

function chatChunks(a: Answer): string[] {
  const chunk = (delta: object, finish: string | null = null): string =>
    sse({ id: `chatcmpl-fake-${a.n}`, object: 'chat.completion.chunk', created: CREATED, model: a.model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] });
  const events = [chunk({ role: 'assistant', content: '', refusal: null })];
  for (const text of pieces(a.text)) events.push(chunk({ content: text }));
  a.calls.forEach((c, index) => {
    events.push(chunk({ tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] }));
    for (const args of pieces(JSON.stringify(c.input))) events.push(chunk({ tool_calls: [{ index, function: { arguments: args } }] }));
  });
  events.push(chunk({}, a.calls.length > 0 ? 'tool_calls' : 'stop'));
  events.push(sse({ id: `chatcmpl-fake-${a.n}`, object: 'chat.completion.chunk', created: CREATED, model: a.model, choices: [], usage: chatUsage(a.usage) }));
  events.push('data: [DONE]\n\n');
  return events;
}

// --- OpenAI Responses -------------------------------------------------------------------------

function responsesItems(a: Answer): object[] {
  const items: object[] = [];
  if (a.text !== '') {
    items.push({ type: 'message', id: `msg_fake_${a.n}`, status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: a.text, annotations: [], logprobs: [] }] });
  }
  a.calls.forEach((c, i) => {
    const namespace = c.namespace !== undefined ? { namespace: c.namespace } : {};
    if (c.freeform !== undefined) items.push({ type: 'custom_tool_call', id: `ctc_fake_${a.n}_${i}`, call_id: c.id, ...namespace, name: c.name, input: c.freeform, status: 'completed' });
    else items.push({ type: 'function_call', id: `fc_fake_${a.n}_${i}`, call_id: c.id, ...namespace, name: c.name, arguments: JSON.stringify(c.input), status: 'completed' });
  });
  return items;
}

function responseObject(a: Answer, status: 'in_progress' | 'completed'): object {
  const done = status === 'completed';
  const u = a.usage;
  const usage = {
    input_tokens: u.input + u.cacheRead,
    input_tokens_details: { cached_tokens: u.cacheRead },
    output_tokens: u.output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: u.input + u.cacheRead + u.output,
  };
  return {
    id: `resp_fake_${a.n}`, object: 'response', created_at: CREATED, status, model: a.model,
    output: done ? responsesItems(a) : [], usage: done ? usage : null,
    error: null, incomplete_details: null, instructions: null, metadata: {}, parallel_tool_calls: true,
    temperature: 1, top_p: 1, tool_choice: 'auto', tools: [], text: { format: { type: 'text' } }, truncation: 'disabled',
  };
}

function responsesEvents(a: Answer): string[] {
  const events: string[] = [];
  const emit = (type: string, fields: object): void => {
    events.push(sse({ type, sequence_number: events.length, ...fields }, type));
  };
  emit('response.created', { response: responseObject(a, 'in_progress') });
  emit('response.in_progress', { response: responseObject(a, 'in_progress') });
  responsesItems(a).forEach((item, output_index) => {
    const it = item as { id: string; type: string; arguments?: string; input?: string; content?: Array<{ text: string }> };
    if (it.type === 'message') {
      const text = it.content?.[0]?.text ?? '';
      const part = { type: 'output_text', text: '', annotations: [], logprobs: [] };
      const ids = { item_id: it.id, output_index, content_index: 0 };
      emit('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', content: [] } });
      emit('response.content_part.added', { ...ids, part });
      for (const delta of pieces(text)) emit('response.output_text.delta', { ...ids, delta, logprobs: [] });
      emit('response.output_text.done', { ...ids, text, logprobs: [] });
      emit('response.content_part.done', { ...ids, part: { ...part, text } });
    } else if (it.type === 'custom_tool_call') {
      const input = it.input ?? '';
      emit('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', input: '' } });
      for (const delta of pieces(input)) emit('response.custom_tool_call_input.delta', { item_id: it.id, output_index, delta });
      emit('response.custom_tool_call_input.done', { item_id: it.id, output_index, input });
    } else {
      const args = it.arguments ?? '';
      emit('response.output_item.added', { output_index, item: { ...item, status: 'in_progress', arguments: '' } });
      for (const delta of pieces(args)) emit('response.function_call_arguments.delta', { item_id: it.id, output_index, delta });
      emit('response.function_call_arguments.done', { item_id: it.id, output_index, arguments: args });
    }
    emit('response.output_item.done', { output_index, item });
  });
  emit('response.completed', { response: responseObject(a, 'completed') });
  return events;
}

// --- Gemini -----------------------------------------------------------------------------------

function geminiParts(a: Answer): object[] {
  const parts: object[] = [];
  if (a.text !== '') parts.push({ text: a.text });
  // Gemini ids are optional; only send one the script chose.
  for (const c of a.calls) parts.push({ functionCall: { name: c.name, args: c.input, ...(c.idGiven ? { id: c.id } : {}) } });
  return parts;
}

function geminiChunk(a: Answer, parts: object[], last: boolean): object {
  const u = a.usage;
  const prompt = u.input + u.cacheRead;
  return {
    candidates: [{ content: { role: 'model', parts }, index: 0, ...(last ? { finishReason: 'STOP' } : {}) }],
    usageMetadata: { promptTokenCount: prompt, candidatesTokenCount: u.output, totalTokenCount: prompt + u.output, cachedContentTokenCount: u.cacheRead },
    modelVersion: a.model,
    responseId: `resp_fake_${a.n}`,
  };
}

function geminiChunks(a: Answer): object[] {
  const parts = [...pieces(a.text).map((text) => [{ text }]), ...geminiParts({ ...a, text: '' }).map((p) => [p])];
  if (parts.length === 0) parts.push([{ text: '' }]);
  return parts.map((p, i) => geminiChunk(a, p, i === parts.length - 1));
}

// ---------------------------------------------------------------------------------------------
// Sending, with faults and content-encoding

async function sendBody(res: http.ServerResponse, chunks: string[], contentType: string, reply: Reply, streaming: boolean): Promise<void> {
  const fault = reply.fault ?? {};
  await sleep(fault.delayHeadersMs);
  if (res.destroyed) return;
  const headers: Record<string, string> = { 'content-type': contentType, 'request-id': 'req_fake', 'x-request-id': 'req_fake' };
  if (streaming) headers['cache-control'] = 'no-cache';
  if (reply.encoding) headers['content-encoding'] = reply.encoding;
  else if (!streaming) headers['content-length'] = String(chunks.reduce((n, c) => n + Buffer.byteLength(c), 0));
  res.writeHead(200, headers);
  const encoder = reply.encoding === 'gzip' ? zlib.createGzip() : reply.encoding === 'br' ? zlib.createBrotliCompress() : undefined;
  encoder?.on('error', () => {});
  encoder?.pipe(res);
  const out: NodeJS.WritableStream = encoder ?? res;
  const resetAt = fault.resetAfterBytes ?? Infinity;
  const endAt = fault.endAfterBytes ?? Infinity;
  let bytesLeft = Math.min(resetAt, endAt);
  for (const [i, chunk] of chunks.entries()) {
    if (res.destroyed) return;
    if (i > 0 && streaming) await sleep(fault.delayBetweenEventsMs);
    if (i === fault.resetAfterEvents) return resetAfterFlush(res, encoder);
    if (i === fault.endAfterEvents) return void out.end();
    const buf = Buffer.from(chunk);
    if (buf.length >= bytesLeft) {
      if (bytesLeft > 0) out.write(buf.subarray(0, bytesLeft));
      return resetAt <= endAt ? resetAfterFlush(res, encoder) : void out.end();
    }
    bytesLeft -= buf.length;
    out.write(buf);
    // Flush so each event leaves as its own (compressed) piece.
    encoder?.flush();
  }
  if (fault.resetAfterEvents !== undefined && fault.resetAfterEvents >= chunks.length) return resetAfterFlush(res, encoder);
  out.end();
}

/** Lets what was written reach the client, then resets the TCP connection. */
async function resetAfterFlush(res: http.ServerResponse, encoder: zlib.Gzip | zlib.BrotliCompress | undefined): Promise<void> {
  if (encoder) await new Promise<void>((resolve) => encoder.flush(() => resolve()));
  await sleep(30);
  const socket = res.socket;
  if (socket && !socket.destroyed) socket.resetAndDestroy();
}

function sendJson(res: http.ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }).end(text);
}

function sleep(ms: number | undefined): Promise<void> {
  return ms ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
