import type { IncomingHttpHeaders } from 'node:http';
import { Dispatcher } from 'undici';
import WebSocket from 'ws';
import { createFrame, endsResponse, eventType } from '../providers/openai-responses/websocket.js';
import { formatSse } from '../wire/index.js';
import { upstreamRequestHeaders } from './upstream.js';

/** Headers of the client's upgrade that describe its WebSocket, not its request: the upstream handshake makes its own. */
const HANDSHAKE_HEADERS = ['sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions', 'sec-websocket-protocol', 'sec-websocket-accept'];

/** The response headers of an upstream's handshake that Codex reads (turn state, model, reasoning, model list tag). */
const RELAYED_HANDSHAKE_HEADERS = ['x-codex-turn-state', 'x-reasoning-included', 'x-models-etag', 'openai-model'];

export interface UpstreamSocket {
  /** What the pipeline calls upstream through (in place of the HTTP pool): each POST goes as a `response.create` frame. */
  dispatcher: Dispatcher;
  /** Handshake response headers to hand on to the client. */
  handshakeHeaders: Record<string, string>;
  /** Calls `listener` once the upstream socket has closed (it carries no more requests). */
  onClose(listener: () => void): void;
  close(): void;
}

/**
 * Whether HTTPS_PROXY / HTTP_PROXY (either case) applies to `url` (NO_PROXY aside): the proxy's
 * HTTP calls then go through that proxy, and the upstream's requests go over HTTP with them
 * rather than over a WebSocket that would bypass it.
 */
export function envProxyApplies(url: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const { protocol, hostname } = new URL(url);
  const secure = protocol === 'wss:' || protocol === 'https:';
  const proxy = secure ? (env.HTTPS_PROXY ?? env.https_proxy ?? env.HTTP_PROXY ?? env.http_proxy) : (env.HTTP_PROXY ?? env.http_proxy);
  if (!proxy) return false;
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const skip = (env.NO_PROXY ?? env.no_proxy ?? '').split(/[\s,]+/).filter(Boolean);
  return !skip.some((entry) => {
    const name = entry.replace(/:\d+$/, '').replace(/^\*?\./, '').toLowerCase();
    return entry === '*' || host === name || host.endsWith(`.${name}`);
  });
}

/**
 * Opens a WebSocket to the upstream's `/v1/responses` with the client's headers, or resolves
 * undefined when the upstream does not take one (no upgrade, an error status, no connection
 * within `timeoutMs`): the socket's requests then go over HTTP.
 */
export function connectUpstreamSocket(url: string, clientHeaders: IncomingHttpHeaders, timeoutMs: number): Promise<UpstreamSocket | undefined> {
  const headers = upstreamRequestHeaders(clientHeaders, { decodeResponse: true });
  for (const h of HANDSHAKE_HEADERS) delete headers[h];
  delete headers['accept-encoding'];
  return new Promise((resolve) => {
    const handshake: Record<string, string> = {};
    const ws = new WebSocket(url, { headers: headers as Record<string, string>, handshakeTimeout: timeoutMs, perMessageDeflate: true });
    ws.once('upgrade', (res) => {
      for (const h of RELAYED_HANDSHAKE_HEADERS) {
        const v = res.headers[h];
        if (typeof v === 'string') handshake[h] = v;
      }
    });
    ws.once('open', () => {
      ws.off('error', refused);
      ws.on('error', () => undefined); // reported to the request in flight by its close
      resolve({ dispatcher: new FrameDispatcher(ws), handshakeHeaders: handshake, onClose: (listener) => ws.once('close', listener), close: () => ws.close() });
    });
    const refused = (): void => resolve(undefined);
    ws.once('error', refused);
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      ws.terminate();
      resolve(undefined);
    });
  });
}

/** The parts of undici's request handler the dispatcher calls (the handler `request()` gives it). */
interface RequestHandlerLike {
  onConnect?(abort: (err?: Error) => void): void;
  onHeaders?(status: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean;
  onData?(chunk: Buffer): boolean;
  onComplete?(trailers: Buffer[]): void;
  onError?(err: Error): void;
}

/**
 * Carries the pipeline's upstream calls over one WebSocket, one at a time: the POST body goes
 * as a `response.create` frame, and the frames that answer it come back as an SSE stream (200),
 * or, when the first is an `error` frame with a status, as that HTTP error.
 */
class FrameDispatcher extends Dispatcher {
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly ws: WebSocket) {
    super();
  }

  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const h = handler as unknown as RequestHandlerLike;
    this.queue = this.queue.then(() => this.exchange(opts, h)).catch((err: unknown) => h.onError?.(err instanceof Error ? err : new Error(String(err))));
    return true;
  }

  private exchange(opts: Dispatcher.DispatchOptions, h: RequestHandlerLike): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const ws = this.ws;
      let started = false;
      let finished = false;
      const cleanup = (): void => {
        finished = true;
        ws.off('message', onMessage);
        ws.off('close', onClose);
      };
      const fail = (err: Error): void => {
        if (finished) return;
        cleanup();
        reject(err);
      };
      h.onConnect?.((err) => {
        fail(err ?? new Error('aborted'));
        ws.terminate();
      });
      if (finished) return;
      const start = (status: number, contentType: string): void => {
        started = true;
        h.onHeaders?.(status, [Buffer.from('content-type'), Buffer.from(contentType)], () => undefined, status === 200 ? 'OK' : 'Error');
      };
      const onMessage = (data: WebSocket.RawData, isBinary: boolean): void => {
        if (finished || isBinary) return;
        const text = data.toString();
        const type = eventType(text);
        if (!started && type === 'error') {
          const status = Number((JSON.parse(text) as { status?: unknown }).status);
          if (Number.isInteger(status) && status >= 400) {
            start(status, 'application/json');
            h.onData?.(Buffer.from(text));
            cleanup();
            h.onComplete?.([]);
            resolve();
            return;
          }
        }
        if (!started) start(200, 'text/event-stream');
        h.onData?.(Buffer.from(formatSse(text, type)));
        if (endsResponse(type)) {
          cleanup();
          h.onComplete?.([]);
          resolve();
        }
      };
      // A close before the closing event: the stream ends cut short, as an HTTP stream that breaks.
      const onClose = (): void => fail(new Error('the upstream closed its WebSocket before the response ended'));
      ws.on('message', onMessage);
      ws.on('close', onClose);
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(String(opts.body ?? '{}')) as Record<string, unknown>;
      } catch (err) {
        fail(err as Error);
        return;
      }
      if (ws.readyState !== WebSocket.OPEN) return fail(new Error('the upstream WebSocket is closed'));
      ws.send(createFrame(body), (err) => {
        if (err) fail(err);
      });
    });
  }
}
