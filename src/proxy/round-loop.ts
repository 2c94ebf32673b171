import { SseParser } from '../wire/index.js';
import type { ProviderAdapter, ProxyCall, ProxyResult, Round } from '../providers/index.js';
import { RETRIEVE_TOOL_NAME } from './retrieval.js';

/**
 * The loop over upstream rounds shared by the proxy (relay.ts, over an HTTP server) and the
 * in-process middleware (src/middleware/rounds.ts, over fetch Responses): after each round,
 * decide whether headroom answers the model's proxy calls and continues the conversation
 * upstream; how a continuation is sent and where the output goes is the caller's.
 */
export interface RoundLoop {
  adapter: ProviderAdapter;
  /** Tools whose calls headroom answers (headroom_retrieve, and a proxy's tool set). */
  proxyNames: ReadonlySet<string>;
  /** Upper bound on extra upstream rounds. */
  maxRounds: number;
  /** headroom_retrieve was added to this request, so the model's retrieve calls get answers. */
  retrieval: boolean;
  /** Answers round `n`'s proxy calls, in order. */
  answer(round: Round, n: number): Promise<ProxyResult[]>;
  /** Each round's response was read (its usage is known). */
  roundRead?(round: Round, n: number): void;
  /** The loop stops on a round whose proxy calls get no continuation; `unansweredRetrievals` of them were retrieve calls. */
  stopped?(round: Round, unansweredRetrievals: number): Promise<void>;
}

type Step = { step: 'done' | 'cut' | 'continue'; unansweredRetrievals: number };

/** Does this round end the loop: no proxy calls, calls mixed with the client's own (or retrieves unasked for), or the limit reached. */
function nextStep(loop: RoundLoop, round: Round, n: number): Step {
  if (round.proxyCalls.length === 0) return { step: 'done', unansweredRetrievals: 0 };
  const retrieves = round.proxyCalls.filter(isRetrieve).length;
  if ((retrieves > 0 && !loop.retrieval) || round.clientToolCalls > 0) return { step: 'done', unansweredRetrievals: retrieves };
  return { step: n >= loop.maxRounds ? 'cut' : 'continue', unansweredRetrievals: 0 };
}

export function isRetrieve(call: ProxyCall): boolean {
  return call.name === RETRIEVE_TOOL_NAME;
}

/** Decides after round `n`; true when the loop goes on. */
async function goesOn(loop: RoundLoop, round: Round, n: number): Promise<{ on: boolean; cut: boolean }> {
  const { step, unansweredRetrievals } = nextStep(loop, round, n);
  if (step === 'continue') return { on: true, cut: false };
  await loop.stopped?.(round, unansweredRetrievals);
  return { on: false, cut: step === 'cut' };
}

/** The rounds of a JSON conversation, or the continuation the upstream refused (as the caller's `send` describes it). */
export type JsonRounds<F> = { bodies: unknown[]; last: Round; cut: boolean } | { refused: F };

/**
 * Loops on proxy-call-only rounds of a JSON response: answers the calls, sends the
 * continuation (`send` gives the next body, or what to tell the client when it was refused).
 */
export async function jsonRounds<F>(loop: RoundLoop, body: string, first: unknown, send: (body: string) => Promise<{ json: unknown } | { refused: F }>): Promise<JsonRounds<F>> {
  const bodies = [first];
  let round = loop.adapter.readResponse(first, loop.proxyNames);
  loop.roundRead?.(round, 0);
  for (let n = 0; ; n++) {
    const { on, cut } = await goesOn(loop, round, n);
    if (!on) return { bodies, last: round, cut };
    body = loop.adapter.continueRequest(body, round, await loop.answer(round, n));
    const next = await send(body);
    if ('refused' in next) return next;
    bodies.push(next.json);
    round = loop.adapter.readResponse(next.json, loop.proxyNames);
    loop.roundRead?.(round, n + 1);
  }
}

/** The body for the client: undefined when the first response stands as it came, else the rounds merged. */
export function mergedBody(loop: RoundLoop, rounds: { bodies: unknown[]; last: Round; cut: boolean }): string | undefined {
  if (rounds.bodies.length === 1 && rounds.last.proxyCalls.length === 0) return undefined;
  return JSON.stringify(loop.adapter.mergeResponses(rounds.bodies, rounds.cut, loop.proxyNames));
}

/** A continuation of a stream: its bytes, or the upstream's refusal (status and the start of its body). */
export type StreamContinuation = { chunks: Chunks } | { status: number; detail: string };
type Chunks = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** How a relayed stream ended badly: the error event for the client, and what failed. */
export interface StreamFailure {
  errorEvent: string;
  error: string;
}

/**
 * Relays a streamed conversation event by event through the adapter's relay (proxy calls
 * hidden, closing events held), yielding the text for the client (empty strings included, so
 * a caller can notice a client gone); when the model made only proxy calls, their answers are
 * sent and the next upstream stream is spliced in. Returns the failure, if any, whose error
 * event the caller still has to send.
 */
export async function* streamRounds(loop: RoundLoop, body: string, first: Chunks, send: (body: string) => Promise<StreamContinuation>): AsyncGenerator<string, StreamFailure | undefined, undefined> {
  const relay = loop.adapter.streamRelay(loop.proxyNames);
  let chunks = first;
  for (let n = 0; ; n++) {
    relay.beginRound(n);
    const parser = new SseParser();
    try {
      for await (const chunk of chunks) for (const ev of parser.push(chunk)) yield relay.push(ev);
    } catch (err) {
      return { errorEvent: relay.error(`headroom: the upstream stream failed: ${message(err)}`), error: message(err) };
    }
    // What the client got so far ends at an event boundary; an event cut short is not passed on.
    const cutEvent = parser.end() !== '';
    const round = relay.endRound();
    loop.roundRead?.(round, n);
    const ending = relay.ending();
    if (ending === 'cut') {
      const where = cutEvent ? 'in the middle of an event' : 'without its closing event';
      return failure(relay.error(`headroom: the upstream stream ended ${where}; the response is incomplete`));
    }
    // The upstream's own error event is already on its way to the client.
    if (ending === 'failed') return { errorEvent: '', error: 'the upstream sent an error event' };
    const { on, cut } = await goesOn(loop, round, n);
    if (!on) {
      yield relay.finish(cut);
      return undefined;
    }
    let next: StreamContinuation;
    try {
      body = loop.adapter.continueRequest(body, round, await loop.answer(round, n));
      next = await send(body);
    } catch (err) {
      return { errorEvent: relay.error(`headroom: the upstream failed while answering a retrieval: ${message(err)}`), error: message(err) };
    }
    if (!('chunks' in next)) return failure(relay.error(`headroom: the upstream answered ${next.status} while answering a retrieval: ${next.detail.slice(0, 2000)}`));
    chunks = next.chunks;
  }
}

function failure(errorEvent: string): StreamFailure {
  return { errorEvent, error: errorEvent };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
