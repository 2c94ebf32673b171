import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { ProxyContext } from './context.js';
import { message, readAll, writeOrWait } from './http-util.js';
import type { RequestTrace } from './events.js';
import { SseParser } from '../wire/index.js';
import type { ProviderAdapter, ProxyCall, ProxyResult, Round } from '../providers/index.js';
import { answerCall, type CallMeta } from './proxy-tools.js';
import { answerRetrieve, RETRIEVE_TOOL_NAME } from './retrieval.js';
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

/** Does this round end the loop: no proxy calls, mixed with client calls, or the limit reached. */
function nextStep(ctx: ProxyContext, ex: RelayRequest, round: Round, n: number): 'done' | 'cut' | 'continue' {
  if (round.proxyCalls.length === 0) return 'done';
  const retrieves = round.proxyCalls.filter(isRetrieve).length;
  if ((retrieves > 0 && !ex.retrieval) || round.clientToolCalls > 0) {
    if (retrieves > 0) ex.trace.emit({ type: 'retrievals-unanswered', count: retrieves });
    return 'done';
  }
  return n >= ctx.maxRetrievalRounds ? 'cut' : 'continue';
}

function isRetrieve(call: ProxyCall): boolean {
  return call.name === RETRIEVE_TOOL_NAME;
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

/** Answers a round's proxy calls and asks upstream for the next round. */
async function nextRound(ctx: ProxyContext, ex: RelayRequest, body: string, round: Round, n: number): Promise<{ body: string; response: UpstreamResponse }> {
  const results = await answerRound(ctx, ex, round);
  ex.trace.emit({ type: 'retrieval-round', round: n + 1 });
  const next = ex.adapter.continueRequest(body, round, results);
  const response = await callUpstream(ctx.pool, { url: ex.url, method: 'POST', headers: ex.headers, body: next, signal: ex.signal, decode: true });
  return { body: next, response };
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
  const relay = ex.adapter.streamRelay(ex.proxyNames);
  let body = ex.body;
  let response = first;
  let cut = false;
  for (let n = 0; ; n++) {
    relay.beginRound(n);
    const parser = new SseParser();
    try {
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        for (const ev of parser.push(chunk)) if (!(await writeOrWait(res, relay.push(ev)))) return;
      }
    } catch (err) {
      return failStream(ex, res, relay.error(`headroom: the upstream stream failed: ${message(err)}`), err);
    }
    // What the client got so far ends at an event boundary; an event cut short is not passed on.
    const cutEvent = parser.end() !== '';
    const round = relay.endRound();
    ex.trace.emit({ type: 'usage', round: n, usage: round.usage });
    const ending = relay.ending();
    if (ending === 'cut') {
      const where = cutEvent ? 'in the middle of an event' : 'without its closing event';
      return failStream(ex, res, relay.error(`headroom: the upstream stream ended ${where}; the response is incomplete`));
    }
    if (ending === 'failed') {
      // The upstream's own error event is already on its way to the client.
      ex.trace.emit({ type: 'failed', stage: 'mid-stream', error: 'the upstream sent an error event' });
      res.end();
      return;
    }
    const step = nextStep(ctx, ex, round, n);
    if (step !== 'continue') {
      cut = step === 'cut';
      await runUnanswered(ctx, ex, round);
      break;
    }
    try {
      ({ body, response } = await nextRound(ctx, ex, body, round, n));
    } catch (err) {
      return failStream(ex, res, relay.error(`headroom: the upstream failed while answering a retrieval: ${message(err)}`), err);
    }
    if (response.status !== 200) {
      const detail = (await readAll(response.body).catch(() => Buffer.alloc(0))).toString('utf8').slice(0, 2000);
      return failStream(ex, res, relay.error(`headroom: the upstream answered ${response.status} while answering a retrieval: ${detail}`));
    }
  }
  await writeOrWait(res, relay.finish(cut));
  res.end();
}

function failStream(ex: RelayRequest, res: ServerResponse, errorEvent: string, err?: unknown): void {
  ex.trace.emit({ type: 'failed', stage: 'mid-stream', error: err === undefined ? errorEvent : message(err) });
  if (!res.destroyed) res.end(errorEvent);
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
  const bodies = [json];
  let round = ex.adapter.readResponse(json, ex.proxyNames);
  ex.trace.emit({ type: 'usage', round: 0, usage: round.usage });
  let body = ex.body;
  let cut = false;
  for (let n = 0; ; n++) {
    const step = nextStep(ctx, ex, round, n);
    if (step !== 'continue') {
      cut = step === 'cut';
      await runUnanswered(ctx, ex, round);
      break;
    }
    const next = await nextRound(ctx, ex, body, round, n);
    body = next.body;
    const nextText = await readAll(next.response.body);
    if (next.response.status !== 200) {
      // The client gets the upstream's own error for the round that failed.
      sendBytes(res, next.response, nextText, ex.extraHeaders);
      return;
    }
    const nextJson: unknown = JSON.parse(nextText.toString('utf8'));
    bodies.push(nextJson);
    round = ex.adapter.readResponse(nextJson, ex.proxyNames);
    ex.trace.emit({ type: 'usage', round: n + 1, usage: round.usage });
  }
  if (bodies.length === 1 && round.proxyCalls.length === 0) {
    sendBytes(res, first, text, ex.extraHeaders);
    return;
  }
  const merged = Buffer.from(JSON.stringify(ex.adapter.mergeResponses(bodies, cut, ex.proxyNames)));
  sendBytes(res, first, merged, ex.extraHeaders);
}

/** Sends a whole body with the upstream's status and headers (length recomputed). */
export function sendBytes(res: ServerResponse, from: UpstreamResponse, body: Buffer, extra: OutgoingHttpHeaders): void {
  const headers = clientResponseHeaders(from.headers, { decoded: from.decoded });
  delete headers['content-length'];
  if (from.decoded) delete headers['content-encoding'];
  res.writeHead(from.status, { ...headers, ...extra, 'content-length': body.length });
  res.end(body);
}

