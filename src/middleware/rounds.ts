import type { CcrStore } from '../compress/ccr-store.js';
import type { ProviderAdapter } from '../providers/types.js';
import { answerRetrieve } from '../proxy/retrieval.js';
import { jsonRounds, mergedBody, streamRounds, type RoundLoop } from '../proxy/round-loop.js';

/**
 * The retrieval loop of an in-process request: the proxy's round loop (src/proxy/round-loop.ts,
 * shared with relay.ts) over fetch Responses instead of an HTTP server. The model's
 * headroom_retrieve calls are answered from the store and the conversation is continued
 * upstream; the caller gets one response in the provider's own format, with the retrieve calls
 * hidden, as if the model had answered at once.
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

/** The shared round loop, with the retrieve calls answered from the store. */
function roundLoop(loop: RetrievalLoop): RoundLoop {
  return {
    adapter: loop.adapter,
    proxyNames: loop.proxyNames,
    maxRounds: loop.maxRounds,
    retrieval: true,
    answer: async (round) => round.proxyCalls.map((call) => ({ call, text: answerRetrieve(call.input, loop.store) })),
  };
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
  const rounds = roundLoop(loop);
  const result = await jsonRounds<Response>(rounds, body, json, async (next) => {
    const response = await loop.send(next);
    return response.ok ? { json: (await response.json()) as unknown } : { refused: response };
  });
  if ('refused' in result) return result.refused;
  return rebuilt(first, mergedBody(rounds, result) ?? text);
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

/** The shared stream loop, with its failure's error event sent as the last one. */
async function* relayRounds(loop: RetrievalLoop, body: string, first: Response): AsyncGenerator<string, void, undefined> {
  const rounds = streamRounds(roundLoop(loop), body, first.body ?? [], async (next) => {
    const response = await loop.send(next);
    if (response.status === 200) return { chunks: response.body ?? [] };
    return { status: response.status, detail: await response.text().catch(() => '') };
  });
  try {
    for (;;) {
      const next = await rounds.next();
      if (next.done) {
        if (next.value && next.value.errorEvent !== '') yield next.value.errorEvent;
        return;
      }
      if (next.value !== '') yield next.value;
    }
  } finally {
    // A cancelled stream stops reading upstream.
    await rounds.return(undefined);
  }
}
