import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { compressRequestOffThread, countTokensOffThread } from './compress-off-thread.js';
import type { RequestCompression } from './compress-request.js';
import type { ProxyContext } from './context.js';
import { BodyTooLarge, isJsonContentType, message, readBody, sendJson } from './http-util.js';
import type { RequestTrace } from './events.js';
import type { NeutralRequest, Usage } from '../wire/index.js';
import type { CallMeta } from './proxy-tools.js';
import { relayJson, relayStream, type RelayRequest } from './relay.js';
import { RETRIEVE_TOOL_NAME } from './retrieval.js';
import type { ApiRoute } from './routes.js';
import { conversationId, type ConversationState } from './conversation-state.js';
import { watchCache } from './cache-watch.js';
import { holdoutGroup } from './holdout.js';
import { verifyOriginal } from './verify-original.js';
import { callUpstream, clientResponseHeaders, upstreamFailure, upstreamRequestHeaders, upstreamUrl, type UpstreamResponse } from './upstream.js';
import { newestUserTurn, recallFor } from './user-context.js';

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/**
 * One request on a provider route: compress its tool outputs (cache-safely, per session),
 * add recalled context to the newest user turn, forward it, relay the answer (answering
 * the proxy's own tool calls on the way), and record the savings. Requests the proxy cannot
 * read go upstream exactly as they came.
 */
export async function handleProviderRequest(ctx: ProxyContext, route: ApiRoute, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const { adapter } = route;
  const arrived = Date.now();
  let body: Buffer;
  try {
    body = await readBody(req, ctx.maxBodyBytes);
  } catch (err) {
    if (!(err instanceof BodyTooLarge)) throw err;
    const reason = `headroom: ${err.message} (set --max-body-mb or HEADROOM_MAX_BODY_MB)`;
    ctx.events.emit({ type: 'rejected', status: 413, reason });
    sendJson(res, 413, adapter.errorBody(413, reason), { connection: 'close' });
    req.resume();
    return;
  }
  // Any label a client gives itself; only the caller's identify decides whether it names a known agent.
  const claimed = ctx.agent ?? header(req, 'x-headroom-agent');
  const who = ctx.identify(req.headers, claimed);
  const agent: string = claimed ?? who.agent ?? 'unknown';
  const trace = ctx.events.request(adapter.name, agent);
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  const read = readRequest(ctx, route, req, body, who.session);
  const conversation = read?.session.id ?? '';
  trace.emit({ type: 'request-received', provider: adapter.name, model: route.model ?? read?.request.model ?? '', agent, conversation });
  const meta: CallMeta = { agent, session: conversation };
  const generate = route.op === 'generate';
  // --holdout: a share of sessions passes untouched (but relayed and recorded) as a control group.
  const group = read && generate && ctx.holdoutPercent > 0 ? holdoutGroup(conversation, ctx.holdoutPercent) : undefined;
  if (group) trace.emit({ type: 'holdout', group });
  const handled = group === 'holdout' ? undefined : read;
  const recalled = handled ? await recall(ctx, route, handled, meta, req.headers) : undefined;
  // Only the main conversation's query is the session's (wrap compresses at the source for it); a
  // side call such as a title request would otherwise replace it when it happens to finish last.
  const main = handled !== undefined && generate && ctx.mainConversation(agent, { tools: handled.request.tools, headers: req.headers });
  const compression = handled ? await compress(ctx, route, req, handled, recalled?.text, trace, main) : undefined;
  if (compression?.contextAdded && recalled) trace.emit({ type: 'recalled', count: recalled.count });
  const forward = compression && compression.body !== compression.raw ? compression.body : body;

  const headers = upstreamRequestHeaders(req.headers, { decodeResponse: true });
  const target = upstreamUrl(ctx.upstreams[route.upstream], url.pathname + url.search);
  const pending = callUpstream(ctx.pool, { url: target, method: 'POST', headers, body: forward, signal: abort.signal, decode: true });
  pending.catch(() => undefined); // handled below; avoids an unhandled rejection while counting
  trace.emit({ type: 'forwarded', url: target, rewritten: forward !== body });
  // Token counts are taken in the compression threads while the provider works on the request.
  const tokens = compression ? await countTokensOffThread(compression, ctx.compressPool, ctx.budgetMs, ctx.log) : { before: 0, after: 0, savedFresh: 0, byKind: new Map() };
  if (compression) {
    const compressed = compression.compressed.length > 0;
    trace.emit({ type: 'compressed', compressed, failedOpen: compression.failedOpen !== undefined, tokensBefore: tokens.before, tokensAfter: tokens.after, savedFresh: tokens.savedFresh, byKind: tokens.byKind });
  }
  const extraHeaders = {
    'x-headroom-tokens-before': String(tokens.before),
    'x-headroom-tokens-after': String(tokens.after),
    'x-headroom-tokens-saved': String(tokens.before - tokens.after),
  };

  try {
    const upstream = await pending;
    const status = upstream.status;
    trace.emit({ type: 'upstream-response', status });
    const ex: RelayRequest = {
      adapter,
      url: target,
      headers,
      body: typeof forward === 'string' ? forward : forward.toString('utf8'),
      signal: abort.signal,
      retrieval: compression?.retrieveToolAdded === true,
      proxyNames: new Set([RETRIEVE_TOOL_NAME, ...(compression?.proxyToolsAdded ?? [])]),
      meta,
      extraHeaders,
      trace,
    };
    const type = String(upstream.headers['content-type'] ?? '');
    // A readable request goes through the relays even when untouched: they read the usage of every round, streamed or not.
    if (status !== 200 || route.op === 'count-tokens' || !read) {
      const usage = await relayAsIs(upstream, res, extraHeaders, status === 200 ? adapter.usageOf : undefined);
      if (usage) trace.emit({ type: 'usage', round: 0, usage });
    } else if (type.includes('text/event-stream')) {
      await relayStream(ctx, ex, upstream, res);
    } else {
      await relayJson(ctx, ex, upstream, res);
    }
  } catch (err) {
    // What the client got: the status already sent, or the one sent here.
    const stage = res.headersSent ? 'mid-stream' : 'upstream';
    let status: number | undefined;
    if (abort.signal.aborted) {
      res.destroy();
    } else if (!res.headersSent) {
      const failure = upstreamFailure(err, ctx.upstreams[route.upstream]);
      status = failure.timedOut ? 504 : 502;
      sendJson(res, status, adapter.errorBody(status, `headroom: ${failure.message}`));
    } else {
      res.destroy();
    }
    trace.emit({ type: 'failed', stage, error: message(err), ...(status !== undefined ? { status } : {}) });
    ctx.log(`${req.method} ${url.pathname}: upstream error: ${message(err)}`);
  }
  // After the response: the client has its answer; what follows only adds to the request's record.
  const rewritten = forward !== body;
  if (handled && generate) watchCache(ctx, { adapter, conversation: handled.session, client: handled.request, forwarded: rewritten ? forward.toString() : undefined, at: arrived, trace });
  if (ctx.verify && handled && generate && rewritten) await verifyOriginal(ctx, { adapter, upstream: ctx.upstreams[route.upstream], raw: handled.raw, pathAndQuery: url.pathname + url.search, headers, trace });
  trace.finish();
}

interface ReadRequest {
  raw: string;
  request: NeutralRequest;
  session: ConversationState;
}

interface Compressed extends RequestCompression {
  raw: string;
}

/** A readable JSON body in the neutral view with its session, or undefined when it must go upstream as it came. */
function readRequest(ctx: ProxyContext, route: ApiRoute, req: IncomingMessage, body: Buffer, agentSession: string | undefined): ReadRequest | undefined {
  if (!isJsonContentType(req.headers['content-type']) || !isUtf8(body)) return undefined;
  if (header(req, 'x-headroom-bypass') === 'true') return undefined;
  const raw = body.toString('utf8');
  try {
    const request = route.adapter.read(raw);
    const fixedSession = header(req, 'x-headroom-session');
    const id = fixedSession
      ? `headroom:${fixedSession}`
      : (agentSession ?? (request.sessionKey ? `key:${request.sessionKey}` : conversationId(request)));
    return { raw, request, session: ctx.conversations.get(id) };
  } catch (err) {
    if (!(err instanceof SyntaxError)) ctx.log(`${route.adapter.name}: request not read (${message(err)}); forwarded as it came`);
    return undefined;
  }
}

/** Recalled context for a main-conversation request that ends with a new user turn (one with no context remembered). */
async function recall(ctx: ProxyContext, route: ApiRoute, read: ReadRequest, meta: CallMeta, headers: IncomingMessage['headers']): Promise<{ text: string; count: number } | undefined> {
  if (!ctx.recall || route.op !== 'generate') return undefined;
  if (!ctx.mainConversation(meta.agent, { tools: read.request.tools, headers })) return undefined;
  const turn = newestUserTurn(read.request, read.session, ctx.injectedContext);
  if (!turn || turn.remembered) return undefined;
  return recallFor(ctx.recall, turn.query, meta, ctx.recallTimeoutMs, ctx.log);
}

/** Compression of a read request (in the compression threads), or undefined when it must go upstream as it came. */
async function compress(ctx: ProxyContext, route: ApiRoute, req: IncomingMessage, read: ReadRequest, userContext: string | undefined, trace: RequestTrace, main: boolean): Promise<Compressed | undefined> {
  const generate = route.op === 'generate';
  try {
    const query = header(req, 'x-headroom-query');
    const result = await compressRequestOffThread(route.adapter, read.raw, ctx.compressPool, {
      request: read.request,
      session: read.session,
      store: ctx.store,
      budgetMs: ctx.budgetMs,
      ...(query ? { query } : {}),
      injectedContext: ctx.injectedContext,
      retrieveTool: ctx.retrieveTool,
      retrievalElsewhere: ctx.retrievalElsewhere,
      // A token count gets nothing added, and markers where the request for the model has them.
      ...(generate ? {} : { addTools: false }),
      ...(generate && ctx.tools ? { proxyTools: ctx.tools.tools } : {}),
      ...(generate && userContext ? { userContext } : {}),
    });
    if (result.failedOpen) ctx.log(`${route.adapter.name}: ${result.failedOpen}`);
    if (main && result.query) trace.emit({ type: 'query', query: result.query });
    return { ...result, raw: read.raw };
  } catch (err) {
    ctx.log(`${route.adapter.name}: request not compressed (${message(err)}); forwarded as it came`);
    return undefined;
  }
}

/** Relays an upstream response untouched (decoded if it was encoded); returns its usage when asked and readable. */
async function relayAsIs(upstream: UpstreamResponse, res: ServerResponse, extra: Record<string, string>, usageOf?: (body: unknown) => Usage): Promise<Usage | undefined> {
  const headers = clientResponseHeaders(upstream.headers, { decoded: upstream.decoded });
  res.writeHead(upstream.status, { ...headers, ...extra });
  if (!usageOf) {
    await pipeline(upstream.body, res);
    return undefined;
  }
  const chunks: Buffer[] = [];
  upstream.body.on('data', (c: Buffer) => chunks.push(c));
  await pipeline(upstream.body, res);
  try {
    return usageOf(JSON.parse(Buffer.concat(chunks).toString('utf8')));
  } catch {
    return undefined;
  }
}
