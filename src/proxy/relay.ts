import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { ProxyContext } from './context.js';
import { readAll, writeOrWait } from './http-util.js';
import type { RequestTrace } from './events.js';
import type { ProviderAdapter, ProxyCall, ProxyResult, Round } from '../providers/index.js';
import { isRetrieve, jsonRounds, mergedBody, streamRounds, type RoundLoop } from './round-loop.js';
import { answerCall, type CallMeta } from './proxy-tools.js';
import { answerRetrieve } from './retrieval.js';
import { callUpstream, clientResponseHeaders, type UpstreamResponse } from './upstream.js';

/** How to ask upstream for the next round of the proxy-call loop. */
export interface RelayRequest {
  adapter: ProviderAdapter;
  url: string;
  headers: Record<string, string | string[]>;
  /** The body forwarded for round 0. */
  body: string;
  signal: AbortSignal;
  /** The proxy added headroom_retrieve to this request, so it answers the model's calls. */
  retrieval: boolean;
  /** Tools whose calls are the proxy's: headroom_retrieve and the set's tools added to this request. */
  proxyNames: ReadonlySet<string>;
  /** The request the set's tools run for. */
  meta: CallMeta;
  /** Extra response headers (x-headroom-tokens-*). */
  extraHeaders: OutgoingHttpHeaders;
  /** The request's event stream: usage, retrievals, tool calls and failures are reported there. */
  trace: RequestTrace;
}

/** The round loop of this request: its proxy calls answered here, its events on the request's trace. */
function roundLoop(ctx: ProxyContext, ex: RelayRequest): RoundLoop {
  return {
    adapter: ex.adapter,
    proxyNames: ex.proxyNames,
    maxRounds: ctx.maxRetrievalRounds,
    retrieval: ex.retrieval,
    answer: async (round, n) => {
      const results = await answerRound(ctx, ex, round);
      ex.trace.emit({ type: 'retrieval-round', round: n + 1 });
      return results;
    },
    roundRead: (round, n) => ex.trace.emit({ type: 'usage', round: n, usage: round.usage }),
    stopped: async (round, unansweredRetrievals) => {
      if (unansweredRetrievals > 0) ex.trace.emit({ type: 'retrievals-unanswered', count: unansweredRetrievals });
      await runUnanswered(ctx, ex, round);
    },
  };
}

/** Answers a round's proxy calls in order: retrievals from the CCR store, the others by the tool set. */
async function answerRound(ctx: ProxyContext, ex: RelayRequest, round: Round): Promise<ProxyResult[]> {
  const results: ProxyResult[] = [];
  for (const call of round.proxyCalls) {
    if (!isRetrieve(call)) {
      results.push({ call, text: await runSetTool(ctx, ex, call) });
      continue;
    }
    const text = answerRetrieve(call.input, ctx.store);
    ex.trace.emit({ type: 'retrieval', known: !text.startsWith('headroom_retrieve: ') });
    results.push({ call, text });
  }
  return results;
}

async function runSetTool(ctx: ProxyContext, ex: RelayRequest, call: ProxyCall): Promise<string> {
  if (!ctx.tools) {
    ex.trace.emit({ type: 'proxy-tool-call', name: call.name, failed: true });
    return `${call.name} failed: the tool is not available`;
  }
  const { text, failed } = await answerCall(ctx.tools, call, ex.meta);
  ex.trace.emit({ type: 'proxy-tool-call', name: call.name, failed });
  if (failed) ctx.log(`${call.name}: ${text}`);
  return text;
}

/**
 * The loop ended on a round whose proxy calls get no continuation (mixed with the client's
 * calls, or the round limit): the set's calls still run, so a save is never lost; their
 * answers are dropped.
 */
async function runUnanswered(ctx: ProxyContext, ex: RelayRequest, round: Round): Promise<void> {
  for (const call of round.proxyCalls) if (!isRetrieve(call)) await runSetTool(ctx, ex, call);
}

/** Asks upstream for the next round with this body. */
function callNext(ctx: ProxyContext, ex: RelayRequest, body: string): Promise<UpstreamResponse> {
  return callUpstream(ctx.pool, { url: ex.url, method: 'POST', headers: ex.headers, body, signal: ex.signal, decode: true });
}

/**
 * Relays a streamed response event by event as it arrives, through the adapter's relay
 * (proxy calls hidden, closing events held). When the model made only proxy calls, the
 * proxy answers them and splices the next upstream stream into the same client stream.
 */
export async function relayStream(ctx: ProxyContext, ex: RelayRequest, first: UpstreamResponse, res: ServerResponse): Promise<void> {
  const headers = clientResponseHeaders(first.headers, { decoded: true });
  delete headers['content-length'];
  res.writeHead(first.status, { ...headers, ...ex.extraHeaders });
  res.flushHeaders();
  const rounds = streamRounds(roundLoop(ctx, ex), ex.body, first.body as AsyncIterable<Buffer>, async (body) => {
    const response = await callNext(ctx, ex, body);
    if (response.status === 200) return { chunks: response.body as AsyncIterable<Buffer> };
    return { status: response.status, detail: (await readAll(response.body).catch(() => Buffer.alloc(0))).toString('utf8') };
  });
  for (;;) {
    const next = await rounds.next();
    if (next.done) {
      const failed = next.value;
      if (failed) {
        ex.trace.emit({ type: 'failed', stage: 'mid-stream', error: failed.error });
        if (!res.destroyed) res.end(failed.errorEvent);
      } else res.end();
      return;
    }
    // The client went away: stop reading upstream.
    if (!(await writeOrWait(res, next.value))) {
      await rounds.return(undefined);
      return;
    }
  }
}

/**
 * Relays a JSON response. Without proxy calls the upstream bytes go to the client as they
 * came; otherwise the proxy loops on proxy-call-only rounds and sends the merged response.
 */
export async function relayJson(ctx: ProxyContext, ex: RelayRequest, first: UpstreamResponse, res: ServerResponse): Promise<void> {
  const text = await readAll(first.body);
  let json: unknown;
  try {
    json = JSON.parse(text.toString('utf8'));
  } catch {
    sendBytes(res, first, text, ex.extraHeaders);
    return;
  }
  const loop = roundLoop(ctx, ex);
  const rounds = await jsonRounds<{ response: UpstreamResponse; bytes: Buffer }>(loop, ex.body, json, async (body) => {
    const response = await callNext(ctx, ex, body);
    const bytes = await readAll(response.body);
    if (response.status !== 200) return { refused: { response, bytes } };
    return { json: JSON.parse(bytes.toString('utf8')) as unknown };
  });
  if ('refused' in rounds) {
    // The client gets the upstream's own error for the round that failed.
    sendBytes(res, rounds.refused.response, rounds.refused.bytes, ex.extraHeaders);
    return;
  }
  const merged = mergedBody(loop, rounds);
  sendBytes(res, first, merged === undefined ? text : Buffer.from(merged), ex.extraHeaders);
}

/** Sends a whole body with the upstream's status and headers (length recomputed). */
function sendBytes(res: ServerResponse, from: UpstreamResponse, body: Buffer, extra: OutgoingHttpHeaders): void {
  const headers = clientResponseHeaders(from.headers, { decoded: from.decoded });
  delete headers['content-length'];
  if (from.decoded) delete headers['content-encoding'];
  res.writeHead(from.status, { ...headers, ...extra, 'content-length': body.length });
  res.end(body);
}

