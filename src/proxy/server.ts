import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { FileCcrStore, type CcrStore } from '../compress/ccr-store.js';
import { ConfigError, headroomHome } from '../config.js';
import { loadPricing, type PriceTable } from '../pricing.js';
import { VERSION } from '../version.js';
import { accessFor, parseHostPort, type Access } from './access.js';
import { DEFAULT_BUDGET_MS } from './budget-clock.js';
import { CompressPool } from './compress-pool.js';
import type { RetrieveToolMode } from './compress-request.js';
import type { ProxyContext } from './context.js';
import type { websocketUpgrades } from './websocket.js';
import type { Dispatcher as UndiciAgent } from 'undici';
import { isLoopbackHost, message, sendJson } from './http-util.js';
import { NO_INJECTED_CONTEXT, type InjectedContext } from '../wire/index.js';
import { ProxyEvents, type ProxyEventListener } from './events.js';
import { Ledger, ledgerRecordOf } from './ledger.js';
import { prometheusText } from './metrics.js';
import type { Identify, ModelRequestView, ProxyToolSet, RecallHook } from './proxy-tools.js';
import { DEFAULT_UPSTREAMS, matchRoute, upstreamForOther, type ApiRoute, type UpstreamName } from './routes.js';
import { Conversations } from './conversation-state.js';
import { ProxyStats, type StatsSnapshot } from './stats.js';

export type { CallMeta, ProxyToolSet, RecallHook } from './proxy-tools.js';
export type { ProxyEvent, RequestEvent, RequestSummary } from './events.js';
export type { ProxyCall } from '../providers/index.js';

export interface ProxyOptions {
  /** Default 127.0.0.1. Anything but loopback needs `allowRemote` and a `token`. */
  host?: string;
  /** Default 8787; 0 picks a free port. */
  port?: number;
  upstreams?: Partial<Record<UpstreamName, string>>;
  /** Upstream for requests no header or path assigns (probes such as `HEAD /`). Default anthropic. */
  defaultUpstream?: UpstreamName;
  /** The agent all traffic comes from (set by `headroom wrap`); otherwise read from headers. */
  agent?: string;
  /**
   * Who sent a request: the agent and the agent's own conversation id, from its headers (the
   * callers pass src/agents' `identifyRequest`). Without it a request is known by its
   * x-headroom-agent label only, and its conversation by its body.
   */
  identify?: Identify;
  /**
   * The blocks agents add to user turns (the callers pass src/agents' AGENT_CONTEXT): not part of
   * a request's relevance query, and never where recalled context goes. Default: none.
   */
  injectedContext?: InjectedContext;
  /** Id of the `headroom wrap` session this proxy serves (recorded in the ledger). */
  wrapSession?: string;
  /**
   * Host names (`name` or `name:port`) clients use to reach the proxy besides the loopback names
   * and the listening address; a non-loopback `host` needs at least one. Requests naming any
   * other host, and requests from web pages of any other origin, are refused.
   */
  allowRemote?: readonly string[];
  /** Required in `x-headroom-token` on every request but `GET /livez` when set. */
  token?: string;
  maxBodyBytes?: number;
  /**
   * Compression time budget per request, ms (default 2000): past it, the request's outputs not
   * compressed yet go upstream as they are, and the request counts as failed open.
   */
  budgetMs?: number;
  /** When headroom_retrieve is added to requests (default 'always', the cache-stable choice). */
  retrieveTool?: RetrieveToolMode;
  /**
   * The agent's shell has the `headroom` command (`headroom wrap` puts it on the agent's PATH),
   * so a request with tools of its own may carry retrieval markers without headroom_retrieve.
   * Otherwise a request the proxy adds no retrieve tool to gets no markers.
   */
  shellHasHeadroom?: boolean;
  upstreamTimeoutMs?: number;
  /** Upper bound on extra upstream rounds that answer the proxy's own tool calls (default 3). */
  maxRetrievalRounds?: number;
  /**
   * Tools the proxy adds after headroom_retrieve (to requests that declare tools of their own)
   * and answers itself; the client never sees their calls.
   */
  tools?: ProxyToolSet;
  /** Context for the newest user turn (recalled memories), appended cache-safely. */
  recall?: RecallHook;
  /** Past this a recall is given up and the request goes without it (default 3000 ms). */
  recallTimeoutMs?: number;
  /**
   * Whether a request belongs to the agent's main conversation, the one that carries the user's
   * prompt: only those get recalled context, not an agent's background calls (titles, routing,
   * summaries). Default: every request (the callers pass what each agent adapter says, src/agents).
   */
  mainConversation?: (agent: string, request: ModelRequestView) => boolean;
  store?: CcrStore;
  /** Directory of the savings ledger; false for none. Default HEADROOM_HOME/ledger. */
  ledgerDir?: string | false;
  /**
   * Hears every event of the proxy from its start: each request's events (a `finished` one
   * carries its summary; a `query` one its relevance query), refusals, savings at the source
   * and log lines. The same as `events.on` on the running proxy, before the first request.
   */
  onEvent?: ProxyEventListener;
  /**
   * Ask the provider's free count endpoint for the original body of each request headroom
   * rewrote, after its response (its failures never touch the request), so the ledger holds the
   * provider's own "without headroom" count. Default off (HEADROOM_VERIFY=1 in the CLI).
   */
  verify?: boolean;
  /** Percentage of sessions (by a hash of the session id) that pass untouched but recorded, as a control group. Default 0. */
  holdout?: number;
}

export interface RunningProxy {
  url: string;
  port: number;
  host: string;
  stats(): StatsSnapshot;
  /** The proxy's event stream: `on` adds a listener and returns what removes it. */
  events: { on(listener: ProxyEventListener): () => void };
  /** Loads the code that answers requests now rather than on the first request (which would wait for it). */
  warm(): Promise<void>;
  /** Records in the ledger (when there is one) a saving made at the source in the session this proxy serves. */
  recordSource(saving: { by: string; model: string; tokensBefore: number; tokensAfter: number }): void;
  close(): Promise<void>;
}

/** The code that answers requests past the gate: compression, the providers' relays, the upstream client. */
interface Handling {
  api: typeof import('./pipeline.js');
  upstream: typeof import('./upstream.js');
}
let handling: Promise<Handling> | undefined;
let loadedHandling: Handling | undefined;

/**
 * Loads the request-answering code once per process. The proxy listens before it is loaded, so
 * starting one (as `headroom wrap` does before the agent starts) does not wait seconds for the
 * compressor and its tokenizer.
 */
function loadHandling(): Promise<Handling> {
  handling ??= Promise.all([import('./pipeline.js'), import('./upstream.js')]).then(([api, upstream]) => (loadedHandling = { api, upstream }));
  return handling;
}

export const DEFAULT_PORT = 8787;
export const DEFAULT_MAX_BODY_BYTES = 50 * 1024 * 1024;
const DEFAULT_UPSTREAM_TIMEOUT_MS = 600_000;
const DEFAULT_RECALL_TIMEOUT_MS = 3000;

/** The price table for the cache guard; a table that cannot be read is logged and leaves the guard counting busts only. */
function pricesOrNone(log: (line: string) => void): PriceTable | undefined {
  try {
    return loadPricing();
  } catch (err) {
    log(`cache guard: ${message(err)}; busts are counted but not priced`);
    return undefined;
  }
}

/** Starts the compressing proxy in this process. */
export async function startProxy(opts: ProxyOptions = {}): Promise<RunningProxy> {
  const host = opts.host ?? '127.0.0.1';
  const allowed = allowedHosts(opts.allowRemote);
  if (!isLoopbackHost(host)) {
    if (allowed.length === 0) throw new ConfigError(`refusing to listen on ${host}: a non-loopback address needs --allow-remote with the host names clients use to reach it (and a token)`, 'host');
    if (!opts.token) throw new ConfigError(`listening on ${host} needs a token (--token or HEADROOM_PROXY_TOKEN)`, 'token');
  }
  const upstreams = { ...DEFAULT_UPSTREAMS, ...definedOnly(opts.upstreams ?? {}) };
  for (const [name, value] of Object.entries(upstreams)) {
    if (!/^https?:\/\/[^/]+/.test(value)) throw new ConfigError(`the ${name} upstream must be an http(s) URL, got "${value}"`, `${name}-upstream`);
  }
  const ledgerDir = opts.ledgerDir === undefined ? join(headroomHome(), 'ledger') : opts.ledgerDir;
  let pool: UndiciAgent | undefined;
  const events = new ProxyEvents();
  if (opts.onEvent) events.on(opts.onEvent);
  const ctx: ProxyContext = {
    upstreams,
    defaultUpstream: opts.defaultUpstream ?? 'anthropic',
    // Made on the first request, with the code that answers requests (see loadHandling).
    get pool() {
      return (pool ??= loadedHandling!.upstream.upstreamAgent(opts.upstreamTimeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS));
    },
    conversations: new Conversations(),
    stats: new ProxyStats(),
    ledger: ledgerDir === false ? undefined : new Ledger(ledgerDir),
    store: opts.store ?? new FileCcrStore(),
    agent: opts.agent,
    wrapSession: opts.wrapSession,
    maxBodyBytes: opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    budgetMs: opts.budgetMs ?? DEFAULT_BUDGET_MS,
    compressPool: new CompressPool(),
    retrieveTool: opts.retrieveTool ?? 'always',
    retrievalElsewhere: opts.shellHasHeadroom ? 'shell' : 'none',
    maxRetrievalRounds: opts.maxRetrievalRounds ?? 3,
    tools: opts.tools,
    recall: opts.recall,
    recallTimeoutMs: opts.recallTimeoutMs ?? DEFAULT_RECALL_TIMEOUT_MS,
    identify: opts.identify ?? (() => ({})),
    injectedContext: opts.injectedContext ?? NO_INJECTED_CONTEXT,
    mainConversation: opts.mainConversation ?? (() => true),
    verify: opts.verify ?? false,
    holdoutPercent: opts.holdout ?? 0,
    prices: pricesOrNone((line) => events.log(line)),
    events,
    log: (line) => events.log(line),
  };
  listenForTotals(ctx);
  let closing = false;
  // Set as the server starts listening, before any request can arrive.
  let gate: Gate = { access: accessFor(host, 0, []), token: opts.token };
  const server = createServer((req, res) => {
    handle(ctx, req, res, gate, () => closing).catch((err: unknown) => {
      ctx.log(`${req.method} ${req.url}: ${message(err)}`);
      if (!res.headersSent) sendJson(res, 500, { error: { message: `headroom: internal error: ${message(err)}` } });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  // Codex's WebSocket transport for /v1/responses: the same checks, then the same pipeline per frame.
  // Loaded on the first upgrade: ws and undici are not start-up costs of a proxy most clients use over HTTP.
  let upgrades: Promise<ReturnType<typeof websocketUpgrades>> | undefined;
  server.on('upgrade', (req, socket, head) => {
    upgrades ??= import('./websocket.js').then((m) =>
      m.websocketUpgrades(ctx, (h) => gateRefusal(gate, h), async (c, route, r, res, url) => (await loadHandling()).api.handleProviderRequest(c, route, r, res, url)),
    );
    upgrades.then((u) => u.handle(req, socket, head)).catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? DEFAULT_PORT, host, () => {
      server.off('error', reject);
      gate = { access: accessFor(host, (server.address() as AddressInfo).port, allowed), token: opts.token };
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    host,
    stats: () => ctx.stats.snapshot(ctx.conversations.size),
    events: { on: (listener) => events.on(listener) },
    warm: async () => {
      await loadHandling();
      // The tokenizer builds its tables on first use (tens of ms): on no request's time.
      (await import('../compress/tokens.js')).countTokens('warm up');
    },
    recordSource: (saving) => events.emit({ type: 'source-saving', time: new Date().toISOString(), agent: ctx.agent ?? 'unknown', ...saving }),
    close: async () => {
      closing = true;
      (await upgrades?.catch(() => undefined))?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Streams still open get a moment to finish, then their sockets are closed.
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      });
      await pool?.close();
      await ctx.compressPool.close();
      await ctx.ledger?.flush();
    },
  };
}

/** The proxy's own listeners: the stats behind /stats and /metrics, and the ledger. */
function listenForTotals(ctx: ProxyContext): void {
  const onLedgerError = (err: unknown): void => ctx.log(`ledger write failed: ${message(err)}`);
  ctx.events.on((e) => {
    switch (e.type) {
      case 'finished':
        ctx.stats.record(e.summary);
        void ctx.ledger?.append(ledgerRecordOf(e.summary, ctx.wrapSession), onLedgerError);
        return;
      case 'rejected':
        ctx.stats.rejected();
        return;
      case 'source-saving': {
        const record = { time: e.time, agent: e.agent, model: e.model, by: e.by, tokensBefore: e.tokensBefore, tokensAfter: e.tokensAfter };
        void ctx.ledger?.appendSource({ ...record, ...(ctx.wrapSession ? { wrap: ctx.wrapSession } : {}) }, onLedgerError);
        return;
      }
    }
  });
}

/** The entries of `o` that are set (neither undefined nor empty). */
export function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as Partial<T>;
}

/** What every request must pass: the host and origin checks, then the token (all but /livez). */
interface Gate {
  access: Access;
  token: string | undefined;
}

/** The operations endpoint that answers without the token: it says only that the process runs. */
const OPEN_PATH = '/livez';

async function handle(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse, gate: Gate, closing: () => boolean): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://proxy.invalid');
  const route = matchRoute(req.method ?? '', url.pathname);
  const refusal = gate.access.refusal(req.headers);
  if (refusal) return refuse(ctx, req, res, 403, refusal, route);
  const op = req.method === 'GET' || req.method === 'HEAD' ? OPS[url.pathname] : undefined;
  if (gate.token !== undefined && !(op && url.pathname === OPEN_PATH) && !tokenMatches(req.headers['x-headroom-token'], gate.token)) {
    return refuse(ctx, req, res, 401, 'headroom: missing or wrong x-headroom-token', route);
  }
  if (op) return op(ctx, res, closing());
  const handling = await loadHandling();
  if (route) return handling.api.handleProviderRequest(ctx, route, req, res, url);
  return passThrough(handling.upstream, ctx, req, res, url);
}

/** Answers a refused request in its provider's error shape (Anthropic's off the provider routes: every client reads `error.message`), counted as rejected. */
function refuse(ctx: ProxyContext, req: IncomingMessage, res: ServerResponse, status: 401 | 403, text: string, route: ApiRoute | undefined): void {
  ctx.events.emit({ type: 'rejected', status, reason: text });
  const type = status === 401 ? 'authentication_error' : 'permission_error';
  sendJson(res, status, route ? route.adapter.errorBody(status, text) : { type: 'error', error: { type, message: text } });
  req.resume();
}

/** The --allow-remote entries, checked. */
function allowedHosts(entries: readonly string[] | undefined): string[] {
  if (entries === undefined) return [];
  if (!Array.isArray(entries)) throw new ConfigError('allowRemote takes the host names clients use to reach the proxy (a list), not a switch', 'allow-remote');
  for (const e of entries) if (!parseHostPort(e)) throw new ConfigError(`--allow-remote: "${e}" is not a host name or address (with an optional :port)`, 'allow-remote');
  return [...entries];
}

/** Why a WebSocket upgrade is refused (the checks `handle` makes, /livez aside), or undefined. */
function gateRefusal(gate: Gate, headers: IncomingMessage['headers']): { status: 401 | 403; text: string } | undefined {
  const refusal = gate.access.refusal(headers);
  if (refusal) return { status: 403, text: refusal };
  if (gate.token !== undefined && !tokenMatches(headers['x-headroom-token'], gate.token)) return { status: 401, text: 'headroom: missing or wrong x-headroom-token' };
  return undefined;
}

function tokenMatches(given: string | string[] | undefined, token: string): boolean {
  const a = Buffer.from(typeof given === 'string' ? given : '');
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Anything that is not a provider route goes upstream untouched, streamed both ways. */
async function passThrough(u: Handling['upstream'], ctx: ProxyContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const upstream = ctx.upstreams[upstreamForOther(url.pathname, req.headers, ctx.defaultUpstream)];
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  try {
    const up = await u.callUpstream(ctx.pool, {
      url: u.upstreamUrl(upstream, url.pathname + url.search),
      method: req.method ?? 'GET',
      headers: u.upstreamRequestHeaders(req.headers, { decodeResponse: false }),
      body: hasBody ? req : null,
      signal: abort.signal,
      decode: false,
    });
    res.writeHead(up.status, u.clientResponseHeaders(up.headers, { decoded: false }));
    await pipeline(up.body, res);
  } catch (err) {
    if (abort.signal.aborted) return;
    if (!res.headersSent) sendJson(res, 502, { error: { message: `headroom: the upstream ${upstream} failed: ${message(err)}` } });
    else res.destroy();
  }
}

type OpsHandler = (ctx: ProxyContext, res: ServerResponse, closing: boolean) => void;

const OPS: Record<string, OpsHandler> = {
  '/livez': (_ctx, res) => sendJson(res, 200, { status: 'ok' }),
  '/readyz': (_ctx, res, closing) => sendJson(res, closing ? 503 : 200, { status: closing ? 'closing' : 'ready' }),
  '/health': (ctx, res) =>
    sendJson(res, 200, {
      status: 'ok',
      version: VERSION,
      pid: process.pid,
      uptimeSeconds: Math.round(process.uptime()),
      features: {
        providers: ['anthropic', 'openai-chat', 'openai-responses', 'gemini'],
        streaming: true,
        retrieval: true,
        retrieveTool: ctx.retrieveTool,
        maxRetrievalRounds: ctx.maxRetrievalRounds,
        proxyTools: ctx.tools?.tools.map((t) => t.name) ?? [],
        recall: ctx.recall !== undefined,
        ledger: ctx.ledger !== undefined,
        agent: ctx.agent ?? null,
      },
      upstreams: ctx.upstreams,
    }),
  '/stats': (ctx, res) => sendJson(res, 200, ctx.stats.snapshot(ctx.conversations.size)),
  '/metrics': (ctx, res) => {
    const text = prometheusText(ctx.stats.snapshot(ctx.conversations.size));
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  },
};
