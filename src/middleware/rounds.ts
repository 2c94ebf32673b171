import type { CcrStore } from '../compress/ccr-store.js';
import type { ProviderAdapter, ProxyResult, Round } from '../providers/types.js';
import { answerRetrieve } from '../proxy/retrieval.js';
import { SseParser } from '../wire/index.js';

/**
 * The retrieval loop of an in-process request: the transport-free counterpart of the proxy's
 * relayJson/relayStream (src/proxy/respond.ts), over fetch Responses instead of an HTTP server.
 * The model's headroom_retrieve calls are answered from the store and the conversation is
 * continued upstream; the caller gets one response in the provider's own format, with the
 * retrieve calls hidden, as if the model had answered at once.
 */
export interface RetrievalLoop {
  adapter: ProviderAdapter;
  store: CcrStore;
  /** Tools whose calls are answered here (headroom_retrieve). */
  proxyNames: ReadonlySet<string>;
  /** Upper bound on extra upstream rounds (the proxy's maxRetrievalRounds). */
  maxRounds: number;
  /** Sends a continuation request body upstream (same URL, headers and signal as the first). */
  send(body: string): Promise<Response>;
}

/** Does this round end the loop: no retrieve calls, calls mixed with the caller's own, or the limit reached. */
function nextStep(loop: RetrievalLoop, round: Round, n: number): 'done' | 'cut' | 'continue' {
  if (round.proxyCalls.length === 0 || round.clientToolCalls > 0) return 'done';
  return n >= loop.maxRounds ? 'cut' : 'continue';
}

function answers(loop: RetrievalLoop, round: Round): ProxyResult[] {
  return round.proxyCalls.map((call) => ({ call, text: answerRetrieve(call.input, loop.store) }));
}

/** The first response's status and headers over a new body (its length and encoding no longer apply). */
function rebuilt(from: Response, body: string | ReadableStream<Uint8Array>): Response {
  const headers = new Headers(from.headers);
  headers.delete('content-length');
  headers.delete('content-encoding');
  return new Response(body, { status: from.status, statusText: from.statusText, headers });
}

/**
 * A JSON response: as it came when the model made no retrieve call, else the rounds merged
 * into one body. A continuation the upstream refuses is returned as the upstream's own error.
 */
export async function answerJson(loop: RetrievalLoop, body: string, first: Response): Promise<Response> {
  const text = await first.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return rebuilt(first, text);
  }
  const bodies = [json];
  let round = loop.adapter.readResponse(json, loop.proxyNames);
  let cut = false;
  for (let n = 0; ; n++) {
    const step = nextStep(loop, round, n);
    if (step !== 'continue') {
      cut = step === 'cut';
      break;
    }
    body = loop.adapter.continueRequest(body, round, answers(loop, round));
    const next = await loop.send(body);
    if (!next.ok) return next;
    const nextJson: unknown = await next.json();
    bodies.push(nextJson);
    round = loop.adapter.readResponse(nextJson, loop.proxyNames);
  }
  if (bodies.length === 1 && round.proxyCalls.length === 0) return rebuilt(first, text);
  return rebuilt(first, JSON.stringify(loop.adapter.mergeResponses(bodies, cut, loop.proxyNames)));
}

/**
 * A streamed response relayed event by event as it arrives (the adapter's relay hides the
 * retrieve calls and holds the closing events); when the model made only retrieve calls, the
 * next upstream stream is spliced into the same one. Cancelling the returned stream cancels
 * the upstream one.
 */
export function answerStream(loop: RetrievalLoop, body: string, first: Response): Response {
  const events = relayRounds(loop, body, first);
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await events.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await events.return(undefined);
    },
  });
  return rebuilt(first, stream);
}

async function* relayRounds(loop: RetrievalLoop, body: string, first: Response): AsyncGenerator<string, void, undefined> {
  const relay = loop.adapter.streamRelay(loop.proxyNames);
  let response = first;
  for (let n = 0; ; n++) {
    relay.beginRound(n);
    const parser = new SseParser();
    try {
      for await (const chunk of response.body ?? []) {
        for (const ev of parser.push(chunk)) {
          const text = relay.push(ev);
          if (text !== '') yield text;
        }
      }
    } catch (err) {
      yield relay.error(`headroom: the upstream stream failed: ${message(err)}`);
      return;
    }
    const cutEvent = parser.end() !== '';
    const round = relay.endRound();
    const ending = relay.ending();
    if (ending === 'cut') {
      yield relay.error(`headroom: the upstream stream ended ${cutEvent ? 'in the middle of an event' : 'without its closing event'}; the response is incomplete`);
      return;
    }
    // The upstream's own error event has been relayed already.
    if (ending === 'failed') return;
    const step = nextStep(loop, round, n);
    if (step !== 'continue') {
      yield relay.finish(step === 'cut');
      return;
    }
    body = loop.adapter.continueRequest(body, round, answers(loop, round));
    try {
      response = await loop.send(body);
    } catch (err) {
      yield relay.error(`headroom: the upstream failed while answering a retrieval: ${message(err)}`);
      return;
    }
    if (response.status !== 200) {
      const detail = (await response.text().catch(() => '')).slice(0, 2000);
      yield relay.error(`headroom: the upstream answered ${response.status} while answering a retrieval: ${detail}`);
      return;
    }
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
