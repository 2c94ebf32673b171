import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { ProxyContext } from './context.js';
import { message, readAll, writeOrWait } from './http-util.js';
import { NO_USAGE, addUsage, type Usage } from './neutral.js';
import type { ProviderAdapter, ProxyCall, ProxyResult, Round } from './providers/types.js';
import { answerCall, type CallMeta } from './proxy-tools.js';
import { answerRetrieve, RETRIEVE_TOOL_NAME } from './retrieval.js';
import { SseParser } from './sse.js';
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
}

export interface Outcome {
  usage: Usage;
  retrievalCalls: number;
  retrievalRounds: number;
  unknownKeys: number;
  /** Retrieve calls hidden because the model mixed them with the client's own tool calls. */
  unanswered: number;
  /** Calls of the set's tools run: answered, or run with the answer discarded. */
  toolCalls: number;
  /** The upstream failed after the client got its status line. */
  midStreamError?: string;
}

function newOutcome(): Outcome {
  return { usage: NO_USAGE, retrievalCalls: 0, retrievalRounds: 0, unknownKeys: 0, unanswered: 0, toolCalls: 0 };
}

/** Does this round end the loop: no proxy calls, mixed with client calls, or the limit reached. */
function nextStep(ctx: ProxyContext, ex: RelayRequest, round: Round, n: number, out: Outcome): 'done' | 'cut' | 'continue' {
  if (round.proxyCalls.length === 0) return 'done';
  const retrieves = round.proxyCalls.filter(isRetrieve).length;
  if ((retrieves > 0 && !ex.retrieval) || round.clientToolCalls > 0) {
    out.unanswered += retrieves;
    return 'done';
  }
  return n >= ctx.maxRetrievalRounds ? 'cut' : 'continue';
}

function isRetrieve(call: ProxyCall): boolean {
  return call.name === RETRIEVE_TOOL_NAME;
}

/** Answers a round's proxy calls in order: retrievals from the CCR store, the others by the tool set. */
async function answerRound(ctx: ProxyContext, ex: RelayRequest, round: Round, out: Outcome): Promise<ProxyResult[]> {
  const results: ProxyResult[] = [];
  for (const call of round.proxyCalls) {
    if (!isRetrieve(call)) {
      results.push({ call, text: await runSetTool(ctx, ex, call, out) });
      continue;
    }
    const text = answerRetrieve(call.input, ctx.store);
    if (text.startsWith('headroom_retrieve: ')) out.unknownKeys++;
    out.retrievalCalls++;
    results.push({ call, text });
  }
  return results;
}

async function runSetTool(ctx: ProxyContext, ex: RelayRequest, call: ProxyCall, out: Outcome): Promise<string> {
  out.toolCalls++;
  if (!ctx.tools) return `${call.name} failed: the tool is not available`;
  const { text, failed } = await answerCall(ctx.tools, call, ex.meta);
  if (failed) ctx.log(`${call.name}: ${text}`);
  return text;
}

/**
 * The loop ended on a round whose proxy calls get no continuation (mixed with the client's
 * calls, or the round limit): the set's calls still run, so a save is never lost; their
 * answers are dropped.
 */
async function runUnanswered(ctx: ProxyContext, ex: RelayRequest, round: Round, out: Outcome): Promise<void> {
  for (const call of round.proxyCalls) if (!isRetrieve(call)) await runSetTool(ctx, ex, call, out);
}

/** Answers a round's proxy calls and asks upstream for the next round. */
async function nextRound(ctx: ProxyContext, ex: RelayRequest, body: string, round: Round, out: Outcome): Promise<{ body: string; response: UpstreamResponse }> {
  const results = await answerRound(ctx, ex, round, out);
  out.retrievalRounds++;
  const next = ex.adapter.continueRequest(body, round, results);
  const response = await callUpstream(ctx.pool, { url: ex.url, method: 'POST', headers: ex.headers, body: next, signal: ex.signal, decode: true });
  return { body: next, response };
}

/**
 * Relays a streamed response event by event as it arrives, through the adapter's relay
 * (proxy calls hidden, closing events held). When the model made only proxy calls, the
 * proxy answers them and splices the next upstream stream into the same client stream.
 */
export async function relayStream(ctx: ProxyContext, ex: RelayRequest, first: UpstreamResponse, res: ServerResponse): Promise<Outcome> {
  const out = newOutcome();
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
        for (const ev of parser.push(chunk)) if (!(await writeOrWait(res, relay.push(ev)))) return out;
      }
    } catch (err) {
      return failStream(res, relay.error(`headroom: the upstream stream failed: ${message(err)}`), out, err);
    }
    // What the client got so far ends at an event boundary; an event cut short is not passed on.
    const cutEvent = parser.end() !== '';
    const round = relay.endRound();
    out.usage = addUsage(out.usage, round.usage);
    const ending = relay.ending();
    if (ending === 'cut') {
      const where = cutEvent ? 'in the middle of an event' : 'without its closing event';
      return failStream(res, relay.error(`headroom: the upstream stream ended ${where}; the response is incomplete`), out);
    }
    if (ending === 'failed') {
      // The upstream's own error event is already on its way to the client.
      out.midStreamError = 'the upstream sent an error event';
      res.end();
      return out;
    }
    const step = nextStep(ctx, ex, round, n, out);
    if (step !== 'continue') {
      cut = step === 'cut';
      await runUnanswered(ctx, ex, round, out);
      break;
    }
    try {
      ({ body, response } = await nextRound(ctx, ex, body, round, out));
    } catch (err) {
      return failStream(res, relay.error(`headroom: the upstream failed while answering a retrieval: ${message(err)}`), out, err);
    }
    if (response.status !== 200) {
      const detail = (await readAll(response.body).catch(() => Buffer.alloc(0))).toString('utf8').slice(0, 2000);
      return failStream(res, relay.error(`headroom: the upstream answered ${response.status} while answering a retrieval: ${detail}`), out);
    }
  }
  await writeOrWait(res, relay.finish(cut));
  res.end();
  return out;
}

function failStream(res: ServerResponse, errorEvent: string, out: Outcome, err?: unknown): Outcome {
  out.midStreamError = err === undefined ? errorEvent : message(err);
  if (!res.destroyed) res.end(errorEvent);
  return out;
}

/**
 * Relays a JSON response. Without proxy calls the upstream bytes go to the client as they
 * came; otherwise the proxy loops on proxy-call-only rounds and sends the merged response.
 */
export async function relayJson(ctx: ProxyContext, ex: RelayRequest, first: UpstreamResponse, res: ServerResponse): Promise<Outcome> {
  const out = newOutcome();
  const text = await readAll(first.body);
  let json: unknown;
  try {
    json = JSON.parse(text.toString('utf8'));
  } catch {
    sendBytes(res, first, text, ex.extraHeaders);
    return out;
  }
  const bodies = [json];
  let round = ex.adapter.readResponse(json, ex.proxyNames);
  out.usage = round.usage;
  let body = ex.body;
  let cut = false;
  for (let n = 0; ; n++) {
    const step = nextStep(ctx, ex, round, n, out);
    if (step !== 'continue') {
      cut = step === 'cut';
      await runUnanswered(ctx, ex, round, out);
      break;
    }
    const next = await nextRound(ctx, ex, body, round, out);
    body = next.body;
    const nextText = await readAll(next.response.body);
    if (next.response.status !== 200) {
      // The client gets the upstream's own error for the round that failed.
      sendBytes(res, next.response, nextText, ex.extraHeaders);
      return out;
    }
    const nextJson: unknown = JSON.parse(nextText.toString('utf8'));
    bodies.push(nextJson);
    round = ex.adapter.readResponse(nextJson, ex.proxyNames);
    out.usage = addUsage(out.usage, round.usage);
  }
  if (bodies.length === 1 && round.proxyCalls.length === 0) {
    sendBytes(res, first, text, ex.extraHeaders);
    return out;
  }
  const merged = Buffer.from(JSON.stringify(ex.adapter.mergeResponses(bodies, cut, ex.proxyNames)));
  sendBytes(res, first, merged, ex.extraHeaders);
  return out;
}

/** Sends a whole body with the upstream's status and headers (length recomputed). */
export function sendBytes(res: ServerResponse, from: UpstreamResponse, body: Buffer, extra: OutgoingHttpHeaders): void {
  const headers = clientResponseHeaders(from.headers, { decoded: from.decoded });
  delete headers['content-length'];
  if (from.decoded) delete headers['content-encoding'];
  res.writeHead(from.status, { ...headers, ...extra, 'content-length': body.length });
  res.end(body);
}

