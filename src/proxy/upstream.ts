import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import { constants, createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { UpstreamError } from '../errors.js';

/** Headers that describe one connection, not the message: never forwarded (RFC 9110 7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** Content encodings the proxy can decode (Node 20 has no zstd). */
const DECODABLE = new Set(['gzip', 'x-gzip', 'deflate', 'br', 'identity']);

function connectionTokens(headers: IncomingHttpHeaders): Set<string> {
  const c = headers.connection;
  return new Set((Array.isArray(c) ? c.join(',') : (c ?? '')).split(',').map((t) => t.trim().toLowerCase()).filter(Boolean));
}

/**
 * The client's headers as they go upstream: everything passes through untouched (auth,
 * provider and session headers) except hop-by-hop headers, `host` and `content-length`
 * (recomputed), `x-headroom-*` (meant for the proxy), and encodings the proxy could not
 * decode when it needs to read the response.
 */
export function upstreamRequestHeaders(headers: IncomingHttpHeaders, opts: { decodeResponse: boolean }): Record<string, string | string[]> {
  const drop = connectionTokens(headers);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || drop.has(name) || name === 'host' || name === 'content-length') continue;
    if (name.startsWith('x-headroom-')) continue;
    if (name === 'accept-encoding' && opts.decodeResponse) {
      const kept = String(value).split(',').map((t) => t.trim()).filter((t) => DECODABLE.has(t.split(';')[0]!.trim().toLowerCase()));
      if (kept.length > 0) out[name] = kept.join(', ');
      continue;
    }
    out[name] = value;
  }
  return out;
}

/** Upstream response headers as they go to the client. */
export function clientResponseHeaders(headers: Record<string, string | string[] | undefined>, opts: { decoded: boolean }): OutgoingHttpHeaders {
  const drop = new Set(String(headers.connection ?? '').split(',').map((t) => t.trim().toLowerCase()).filter(Boolean));
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || drop.has(name)) continue;
    if (opts.decoded && (name === 'content-encoding' || name === 'content-length')) continue;
    out[name] = value;
  }
  return out;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body, decoded when `decode` was asked and the encoding is known. */
  body: Readable;
  decoded: boolean;
}

export interface UpstreamCall {
  url: string;
  method: string;
  headers: Record<string, string | string[]>;
  body?: string | Buffer | Readable | null;
  signal?: AbortSignal;
  /** Decode gzip/deflate/br bodies (the proxy reads API responses). */
  decode: boolean;
}

/**
 * A connection pool per proxy; keep-alive keeps pass-through latency low. Upstream calls go
 * through the proxy named by HTTPS_PROXY / HTTP_PROXY (either case) unless NO_PROXY lists the
 * host, as the agents themselves do, so headroom works behind a corporate proxy.
 */
export function upstreamAgent(timeoutMs: number): Dispatcher {
  return new EnvHttpProxyAgent({ headersTimeout: timeoutMs, bodyTimeout: timeoutMs, keepAliveTimeout: 30_000, connections: 128 });
}

export async function callUpstream(agent: Dispatcher, call: UpstreamCall): Promise<UpstreamResponse> {
  const res = await request(call.url, {
    method: call.method as 'POST',
    headers: call.headers,
    body: call.body ?? null,
    dispatcher: agent,
    ...(call.signal ? { signal: call.signal } : {}),
  });
  const encoding = String(res.headers['content-encoding'] ?? '').trim().toLowerCase();
  const body = res.body as unknown as Readable;
  if (!call.decode || encoding === '' || encoding === 'identity') return { status: res.statusCode, headers: res.headers, body, decoded: false };
  const decoder = decoderFor(encoding);
  if (!decoder) return { status: res.statusCode, headers: res.headers, body, decoded: false };
  body.on('error', (err) => decoder.destroy(err));
  return { status: res.statusCode, headers: res.headers, body: body.pipe(decoder), decoded: true };
}

/** Streaming decoders that hand out what they have as it arrives and tolerate a cut tail. */
function decoderFor(encoding: string): Transform | undefined {
  const flush = { flush: constants.Z_SYNC_FLUSH, finishFlush: constants.Z_SYNC_FLUSH };
  if (encoding === 'gzip' || encoding === 'x-gzip') return createGunzip(flush);
  if (encoding === 'deflate') return createInflate(flush);
  if (encoding === 'br') {
    return createBrotliDecompress({ flush: constants.BROTLI_OPERATION_FLUSH, finishFlush: constants.BROTLI_OPERATION_FLUSH });
  }
  return undefined;
}

/** Joins an upstream base URL (which may carry a path prefix) and a request path with query. */
export function upstreamUrl(base: string, pathAndQuery: string): string {
  return base.replace(/\/+$/, '') + pathAndQuery;
}

/** undici's codes for a connection, the headers or the body not arriving within the pool's timeouts. */
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * What a failed call to `upstream` (a provider's base URL) is to a user: an UpstreamError
 * saying whether it timed out, told by the error's code (its own or a cause's), never by
 * the words of its message.
 */
export function upstreamFailure(err: unknown, upstream: string): UpstreamError {
  if (err instanceof UpstreamError) return err;
  const timedOut = timeoutIn(err);
  const why = err instanceof Error ? err.message : String(err);
  return new UpstreamError(`the upstream ${upstream} ${timedOut ? 'timed out' : 'failed'}: ${why}`, { url: upstream, timedOut, cause: err });
}

function timeoutIn(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && TIMEOUT_CODES.has(code)) return true;
  }
  return false;
}
