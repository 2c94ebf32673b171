/**
 * The OpenAI Responses API over a WebSocket, as Codex speaks it (its default transport for
 * `/v1/responses` when the provider says `supports_websockets`).
 *
 * Protocol (read from Codex's responses websocket client, 0.16x):
 * - Connect: `GET <base_url>/responses` with `Upgrade: websocket` (ws:// for http://), the same
 *   headers as its HTTP requests (Authorization, session-id, x-codex-turn-metadata, ...) plus
 *   `OpenAI-Beta: responses_websockets=<date>`; permessage-deflate is offered. The upgrade
 *   response may carry `x-codex-turn-state`, `x-reasoning-included`, `x-models-etag`,
 *   `openai-model`, which Codex reads like the HTTP response headers.
 * - Client → server: one text frame per request, `{"type":"response.create", ...}` whose other
 *   fields are the HTTP body (model, instructions, input, tools, stream, ...) plus
 *   `previous_response_id` and `generate`. Codex keeps the socket for the session and, when a
 *   request's fields other than `input` equal the previous one's and its input extends the
 *   previous input plus the output items the server returned, sends only the new items with
 *   `previous_response_id` set to the previous response. A warm-up request has `generate: false`
 *   (the server answers `response.created` … `response.completed` with no output). Newer Codex
 *   also sends `{"type":"response.processed","response_id":...}`, which needs no answer.
 * - Server → client: one text frame per event, each the JSON that is an SSE event's `data` on
 *   the HTTP path (`response.created`, `response.output_item.done`, ..., `response.completed`).
 *   Codex ends a request at `response.completed`; `response.failed` and `response.incomplete`
 *   end it with an error. A failure is `{"type":"error","status":<http status>,"error":{...}}`.
 *   A close before `response.completed` is a stream error Codex retries.
 * - Fallback: a handshake answered `426 Upgrade Required` makes Codex use HTTP + SSE for the
 *   rest of the session; other handshake failures are retried, then also fall back to HTTP.
 *
 * headroom runs each `response.create` through the HTTP pipeline as the full request (the
 * incremental form expanded here, so compression and its per-session memo see what they see on
 * HTTP), and sends the upstream the full request as well: over its own WebSocket when the
 * upstream accepts one, else over HTTP with the SSE events turned into frames.
 */

import type { Json } from '../../wire/index.js';

/** What a client frame asks for. */
export type ClientFrame = { kind: 'create'; request: Json } | { kind: 'processed' } | { kind: 'unknown'; type: string };

/** Reads a client's text frame; throws SyntaxError when it is not a JSON object. */
export function readClientFrame(text: string): ClientFrame {
  const json: unknown = JSON.parse(text);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new SyntaxError('a frame must be a JSON object');
  const { type, ...request } = json as Json;
  if (type === 'response.create') return { kind: 'create', request };
  if (type === 'response.processed') return { kind: 'processed' };
  return { kind: 'unknown', type: String(type) };
}

/** The frame that asks a WebSocket upstream for a response to an HTTP body. */
export function createFrame(body: Json): string {
  return JSON.stringify({ type: 'response.create', ...body });
}

/** The error frame Codex reads as an HTTP error of `status`. */
export function errorFrame(status: number, message: string, error?: unknown): string {
  const inner = typeof error === 'object' && error !== null ? error : { type: status >= 500 ? 'server_error' : 'invalid_request_error', message };
  return JSON.stringify({ type: 'error', status, error: inner });
}

/** The `ws:`/`wss:` URL of an http(s) URL. */
export function websocketUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/, 'ws');
}

/** The event type of a server frame, or undefined when it is not a JSON object with one. */
export function eventType(data: string): string | undefined {
  try {
    const json: unknown = JSON.parse(data);
    const type = typeof json === 'object' && json !== null ? (json as Json).type : undefined;
    return typeof type === 'string' ? type : undefined;
  } catch {
    return undefined;
  }
}

/** Events after which the server sends nothing more for the request. */
export function endsResponse(type: string | undefined): boolean {
  return type === 'response.completed' || type === 'response.failed' || type === 'response.incomplete' || type === 'error';
}

/**
 * One socket's conversation as its client sees it: the last full request and the output items
 * relayed for it, to expand incremental requests (`previous_response_id` plus new input) into
 * full ones.
 */
export class SocketConversation {
  private last: Json | undefined;
  private outputs: unknown[] = [];
  private responseId: string | undefined;
  private warmups = 0;

  /**
   * The full request (an HTTP body, `stream` on) for a `response.create`. `keepGenerate` leaves
   * `generate` in (a WebSocket upstream reads it; HTTP has no such field).
   */
  expand(request: Json, keepGenerate: boolean): Json {
    const { previous_response_id: previous, generate, ...rest } = request;
    let input = Array.isArray(rest.input) ? rest.input : [];
    if (typeof previous === 'string' && previous !== '') {
      if (!this.last || previous !== this.responseId) throw new UnknownPreviousResponse(previous);
      input = [...(this.last.input as unknown[]), ...this.outputs, ...input];
    }
    const full: Json = { ...rest, input, stream: true, ...(keepGenerate && generate !== undefined ? { generate } : {}) };
    this.last = { ...full };
    delete this.last.generate;
    this.outputs = [];
    this.responseId = undefined;
    return full;
  }

  /** Notes an event relayed to the client (its output items and its response id). */
  saw(data: string): void {
    let json: Json;
    try {
      json = JSON.parse(data) as Json;
    } catch {
      return;
    }
    if (json.type === 'response.output_item.done' && json.item !== undefined) this.outputs.push(json.item);
    const response = json.response as Json | undefined;
    if (typeof response?.id === 'string' && (json.type === 'response.created' || json.type === 'response.completed')) this.responseId = response.id;
  }

  /** The events answering a warm-up (`generate: false`) when the upstream has no WebSocket: a response with no output. */
  warmupEvents(request: Json): string[] {
    const id = `resp_headroom_warmup_${++this.warmups}`;
    const base = { id, object: 'response', created_at: Math.floor(Date.now() / 1000), model: request.model ?? '', output: [] };
    const usage = { input_tokens: 0, input_tokens_details: { cached_tokens: 0 }, output_tokens: 0, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 0 };
    return [
      JSON.stringify({ type: 'response.created', sequence_number: 0, response: { ...base, status: 'in_progress' } }),
      JSON.stringify({ type: 'response.completed', sequence_number: 1, response: { ...base, status: 'completed', usage } }),
    ];
  }
}

/** An incremental request naming a response this socket did not relay. */
export class UnknownPreviousResponse extends Error {
  constructor(id: string) {
    super(`headroom: previous_response_id "${id}" is not the last response on this connection`);
  }
}
