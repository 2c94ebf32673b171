import type { Replacement } from '../../compress/json-spans.js';
import type { NeutralRequest, Usage } from '../neutral.js';
import type { SseEvent } from '../sse.js';

export type ProviderName = 'anthropic' | 'openai-chat' | 'openai-responses' | 'gemini';

/** What the proxy does with a request on a provider route. */
export type Operation = 'generate' | 'count-tokens';

/** A `headroom_retrieve` call the model made. */
export interface RetrieveCall {
  /** The provider's call id (Gemini: a generated one; it has none of its own). */
  id: string;
  key: string;
  query?: string;
}

/** The proxy's answer to one retrieve call. */
export interface RetrieveResult {
  call: RetrieveCall;
  text: string;
}

/**
 * One upstream response (one round of the retrieval loop), read in provider-neutral terms.
 * `assistant` is the model's turn in the provider's own shape, exactly as the continuation
 * request must replay it (thinking signatures, reasoning items and call ids kept).
 */
export interface Round {
  assistant: unknown;
  retrieveCalls: RetrieveCall[];
  /** How many calls of the client's own tools the model made. */
  clientToolCalls: number;
  usage: Usage;
}

/**
 * Rewrites one streamed response for the client while it arrives. Events of the client's
 * own content pass through (byte for byte where nothing changes); `headroom_retrieve` calls
 * are hidden; the closing events are held until the proxy knows whether it continues.
 * When it continues, the next upstream stream is fed through the same relay, which drops
 * the repeated opening events and renumbers indices/ids so the client sees one response.
 */
export interface StreamRelay {
  /** Starts round `n` (0 first) of upstream events. */
  beginRound(n: number): void;
  /** One upstream event of the current round; returns the text to send to the client now. */
  push(event: SseEvent): string;
  /** The current round's upstream stream ended; what it held. */
  endRound(): Round;
  /**
   * Text that closes the client's stream: the held closing events, with usage summed over
   * all rounds. `retrievalCut` is true when the loop stopped at its round limit while the
   * model still asked only for retrievals: the stop reason then says the turn ended.
   */
  finish(retrievalCut: boolean): string;
  /** An error event in the provider's stream format (the upstream failed mid-stream). */
  error(message: string): string;
}

export interface ProviderAdapter {
  readonly name: ProviderName;
  /** Reads a raw request body into the neutral view. Throws SyntaxError on invalid JSON. */
  read(raw: string): NeutralRequest;
  /** The edit that appends the `headroom_retrieve` tool to the request's tools. */
  addRetrieveTool(raw: string): Replacement;
  /** The request for the next round: the raw request, the model's turn, the answers. */
  continueRequest(raw: string, round: Round, results: RetrieveResult[]): string;
  /** Reads a non-streamed response body. */
  readResponse(body: unknown): Round;
  /**
   * The response the client receives after a retrieval loop: the client-visible content of
   * every round in order (retrieve calls removed), the last round's stop data, usage summed.
   */
  mergeResponses(bodies: unknown[], retrievalCut: boolean): unknown;
  /** Usage from a non-streamed response body (count_tokens: none). */
  usageOf(body: unknown): Usage;
  streamRelay(): StreamRelay;
  /** An error body in the provider's JSON error shape, for failures of the proxy itself. */
  errorBody(status: number, message: string): unknown;
}
