import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Readable, Writable, type Duplex } from 'node:stream';
import type { Agent as UndiciAgent } from 'undici';
import WebSocket, { WebSocketServer } from 'ws';
import type { ProxyContext } from './context.js';
import { message } from './http-util.js';
import { errorFrame, readClientFrame, SocketConversation, UnknownPreviousResponse, websocketUrl } from '../providers/openai-responses/websocket.js';
import { matchRoute, type ApiRoute } from './routes.js';
import { SseParser } from '../wire/index.js';
import { upstreamUrl } from './upstream.js';
import { connectUpstreamSocket, envProxyApplies, type UpstreamSocket } from './websocket-upstream.js';

/** Runs one HTTP request through the proxy's pipeline (server.ts hands in the provider-request handler). */
export type RunPipeline = (ctx: ProxyContext, route: ApiRoute, req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

/** The only path that takes a WebSocket: Codex's Responses transport. */
const WS_PATH = '/v1/responses';
/** How long the proxy waits for the upstream's handshake before going over HTTP instead. */
const UPSTREAM_HANDSHAKE_MS = 10_000;

/** Headers of the upgrade that describe the client's socket: not part of the requests made from its frames. */
const SOCKET_HEADERS = new Set(['connection', 'upgrade', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions', 'sec-websocket-protocol']);

/**
 * The proxy's WebSocket side: accepts an upgrade of `/v1/responses` that passes the same checks
 * as HTTP (`refusal`), connects to the upstream over WebSocket when it takes one, and answers
 * each `response.create` frame by running it through the HTTP pipeline as a full request, its
 * events sent back as frames as they arrive.
 */
export function websocketUpgrades(ctx: ProxyContext, refusal: (headers: IncomingHttpHeaders) => { status: 401 | 403; text: string } | undefined, run: RunPipeline) {
  // No permessage-deflate toward the client, though Codex offers it: on loopback deflating every
  // frame only costs time (measured: turns took 1.0-2.8x as long as over HTTP with it, 0.95-0.98x without).
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: ctx.maxBodyBytes });
  const open = new Set<WebSocket>();
  return {
    handle(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      const url = new URL(req.url ?? '/', 'http://proxy.invalid');
      const refused = refusal(req.headers);
      if (refused) return rejectUpgrade(ctx, socket, refused.status, refused.text);
      if (url.pathname !== WS_PATH) return rejectUpgrade(ctx, socket, 404, `headroom: no WebSocket at ${url.pathname}`);
      const route = matchRoute('POST', WS_PATH)!;
      socket.on('error', () => undefined);
      const target = websocketUrl(upstreamUrl(ctx.upstreams[route.upstream], url.pathname + url.search));
      const connecting = envProxyApplies(target) ? Promise.resolve(undefined) : connectUpstreamSocket(target, req.headers, UPSTREAM_HANDSHAKE_MS);
      void connecting.then((upstream) => {
        if (socket.destroyed) return upstream?.close();
        const onHeaders = (headers: string[]): void => {
          for (const [k, v] of Object.entries(upstream?.handshakeHeaders ?? {})) headers.push(`${k}: ${v}`);
        };
        // 'headers' fires within handleUpgrade, or not at all when the upgrade is malformed.
        wss.once('headers', onHeaders);
        wss.handleUpgrade(req, socket, head, (ws) => {
          open.add(ws);
          ws.once('close', () => {
            open.delete(ws);
            upstream?.close();
          });
          ctx.log(`WebSocket ${WS_PATH}: upstream over ${upstream ? 'WebSocket' : 'HTTP'}`);
          serveSocket(ctx, ws, req.headers, route, url, upstream, run);
        });
        wss.off('headers', onHeaders);
        if (socket.destroyed) upstream?.close();
      });
    },
    close(): void {
      for (const ws of open) ws.close(1001, 'headroom is shutting down');
      wss.close();
    },
  };
}

/** Answers a refused upgrade with a plain HTTP status (before any WebSocket exists). */
function rejectUpgrade(ctx: ProxyContext, socket: Duplex, status: number, text: string): void {
  ctx.events.emit({ type: 'rejected', status, reason: text });
  const body = JSON.stringify({ error: { message: text } });
  const reason = status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Not Found';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

/** One client socket: its frames answered in order. */
function serveSocket(ctx: ProxyContext, ws: WebSocket, headers: IncomingHttpHeaders, route: ApiRoute, url: URL, upstream: UpstreamSocket | undefined, run: RunPipeline): void {
  const conversation = new SocketConversation();
  // The pipeline's upstream calls go over the upstream socket when there is one.
  const socketCtx: ProxyContext = upstream ? Object.create(ctx, { pool: { value: upstream.dispatcher as unknown as UndiciAgent } }) : ctx;
  const requestHeaders: IncomingHttpHeaders = { 'content-type': 'application/json' };
  for (const [k, v] of Object.entries(headers)) if (!SOCKET_HEADERS.has(k)) requestHeaders[k] = v;
  // A request cut short closes the upstream socket: once the frame in flight is answered (its
  // error event included), the client's is closed too, and the client reconnects (Codex does).
  let upstreamGone = false;
  let inFlight = 0;
  const closeIfGone = (): void => {
    if (upstreamGone && inFlight === 0) ws.close(1011, 'the upstream closed its WebSocket');
  };
  upstream?.onClose(() => {
    upstreamGone = true;
    closeIfGone();
  });
  let queue = Promise.resolve();
  ws.on('message', (data, isBinary) => {
    const text = data.toString();
    inFlight++;
    queue = queue
      .then(() => answerFrame(socketCtx, ws, text, isBinary, conversation, requestHeaders, route, url, upstream !== undefined, run))
      .finally(() => {
        inFlight--;
        closeIfGone();
      });
  });
}

async function answerFrame(ctx: ProxyContext, ws: WebSocket, text: string, isBinary: boolean, conversation: SocketConversation, headers: IncomingHttpHeaders, route: ApiRoute, url: URL, upstreamWs: boolean, run: RunPipeline): Promise<void> {
  if (ws.readyState !== WebSocket.OPEN) return;
  let body: Record<string, unknown>;
  try {
    if (isBinary) throw new SyntaxError('binary frames are not part of the protocol');
    const frame = readClientFrame(text);
    if (frame.kind === 'processed') return;
    if (frame.kind === 'unknown') return void ws.send(errorFrame(400, `headroom: unknown frame type "${frame.type}"`));
    body = conversation.expand(frame.request, upstreamWs);
    if (!upstreamWs && frame.request.generate === false) {
      for (const event of conversation.warmupEvents(body)) {
        conversation.saw(event);
        ws.send(event);
      }
      return;
    }
  } catch (err) {
    const status = err instanceof SyntaxError || err instanceof UnknownPreviousResponse ? 400 : 500;
    return void ws.send(errorFrame(status, err instanceof UnknownPreviousResponse ? err.message : `headroom: ${message(err)}`));
  }
  const json = Buffer.from(JSON.stringify(body));
  const req = Object.assign(Readable.from([json]), { headers: { ...headers, 'content-length': String(json.length) }, method: 'POST', url: url.pathname + url.search });
  const res = new FrameSink(ws, (data) => conversation.saw(data));
  const closed = (): void => void res.destroy();
  ws.once('close', closed);
  try {
    await run(ctx, route, req as unknown as IncomingMessage, res as unknown as ServerResponse, url);
  } catch (err) {
    ctx.log(`WebSocket ${url.pathname}: ${message(err)}`);
    if (!res.headersSent && ws.readyState === WebSocket.OPEN) ws.send(errorFrame(500, `headroom: internal error: ${message(err)}`));
  } finally {
    ws.off('close', closed);
  }
  await res.done();
}

/**
 * Where the pipeline writes its answer to one frame (in place of an HTTP response): an SSE
 * stream goes out as one frame per event, as events complete, however the bytes were cut; any
 * other answer with an error status goes out as an `error` frame carrying that status.
 */
export class FrameSink extends Writable {
  statusCode = 200;
  headersSent = false;
  private sse: SseParser | undefined;
  private readonly held: Buffer[] = [];
  private readonly finished: Promise<void>;

  constructor(
    private readonly ws: Pick<WebSocket, 'send' | 'readyState'>,
    private readonly onEvent: (data: string) => void,
  ) {
    super();
    // A client that left ends the answer (the pipeline hears 'close'); nothing to report.
    this.on('error', () => undefined);
    this.finished = new Promise((resolve) => {
      this.once('finish', resolve);
      this.once('close', resolve);
    });
  }

  writeHead(status: number, headers?: OutgoingHttpHeaders): this {
    this.statusCode = status;
    this.headersSent = true;
    if (status === 200 && String(headers?.['content-type'] ?? '').includes('text/event-stream')) this.sse = new SseParser();
    return this;
  }

  flushHeaders(): void {}

  /** Resolves once the pipeline ended or dropped its answer. */
  done(): Promise<void> {
    return this.finished;
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (!this.sse) {
      this.held.push(chunk);
      return cb();
    }
    const frames = this.sse.push(chunk).filter((ev) => ev.data !== '' && ev.data !== '[DONE]');
    if (frames.length === 0) return cb();
    if (this.ws.readyState !== WebSocket.OPEN) {
      cb();
      this.destroy();
      return;
    }
    // The callback of the last send waits for the socket to take the frames (backpressure).
    frames.forEach((ev, i) => {
      this.onEvent(ev.data);
      this.ws.send(ev.data, i === frames.length - 1 ? (err) => cb(err ?? null) : undefined);
    });
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (this.sse || this.ws.readyState !== WebSocket.OPEN) return cb();
    const text = Buffer.concat(this.held).toString('utf8');
    let json: { error?: unknown; type?: unknown } | undefined;
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      json = undefined;
    }
    if (this.statusCode === 200 && json?.error === undefined && json !== undefined) {
      // A whole response where a stream was asked for: its closing event.
      const frame = JSON.stringify({ type: 'response.completed', response: json });
      this.onEvent(frame);
      this.ws.send(frame, (err) => cb(err ?? null));
      return;
    }
    const status = this.statusCode === 200 ? 502 : this.statusCode;
    const error = json?.error;
    const said = typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string' ? (error as { message: string }).message : text.slice(0, 2000);
    this.ws.send(errorFrame(status, said, error), (err) => cb(err ?? null));
  }
}
