import type { NeutralRequest, Replacement, SseEvent, Usage } from '../wire/index.js';

export type ProviderName = 'anthropic' | 'openai-chat' | 'openai-responses' | 'gemini';

/** What the proxy does with a request on a provider route. */
export type Operation = 'generate' | 'count-tokens';

/**
 * A call the model made to a tool the proxy added and answers itself (`headroom_retrieve`, or
 * a tool of the proxy's tool set such as `memory_save`). Such calls are hidden from the client.
 */
export interface ProxyCall {
  /** The provider's call id (Gemini: a generated one when it sent none). */
  id: string;
  name: string;
  /** The parsed arguments (the raw text when they were not valid JSON). */
  input: unknown;
}

/** The proxy's answer to one proxy call. */
export interface ProxyResult {
  call: ProxyCall;
  text: string;
}

/** A tool the proxy adds to requests; each adapter writes it in its provider's own tool shape. */
export interface ProxyToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the tool's input (an object schema). */
  schema: object;
}

/**
 * One upstream response (one round of the proxy-call loop), read in provider-neutral terms.
 * `assistant` is the model's turn in the provider's own shape, exactly as the continuation
 * request must replay it (thinking signatures, reasoning items and call ids kept).
 */
export interface Round {
  assistant: unknown;
  proxyCalls: ProxyCall[];
  /** How many calls of the client's own tools the model made. */
  clientToolCalls: number;
  usage: Usage;
}

/**
 * Rewrites one streamed response for the client while it arrives. Events of the client's
 * own content pass through (byte for byte where nothing changes); proxy calls are hidden; the closing events are held until the proxy knows whether it continues.
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
   * model still asked only for proxy calls: the stop reason then says the turn ended.
   */
  finish(retrievalCut: boolean): string;
  /** An error event in the provider's stream format (the upstream failed mid-stream). */
  error(message: string): string;
  /** How the current round's upstream stream ended, judged from the events pushed so far. */
  ending(): StreamEnding;
}

/**
 * `done`: with the provider's terminal event; `failed`: with an error event of the upstream's
 * own (already relayed, nothing to add); `cut`: with neither, so the response is incomplete.
 */
export type StreamEnding = 'done' | 'failed' | 'cut';

/**
 * The provider's own free token-counting endpoint (`--verify`): the request that counts the
 * input of a model request exactly as the client sent it, and the count read from its answer.
 */
export interface TokenCounting {
  /** The counting request for a model request sent to `pathAndQuery`, or undefined when there is none for it. */
  request(raw: string, pathAndQuery: string): { pathAndQuery: string; body: string } | undefined;
  /** The input token count of the endpoint's answer, or undefined when it has none. */
  tokens(body: unknown): number | undefined;
}

export interface ProviderAdapter {
  readonly name: ProviderName;
  /** Reads a raw request body into the neutral view. Throws SyntaxError on invalid JSON. */
  read(raw: string): NeutralRequest;
  /** The one edit that appends these tools, in order, to the request's tools. */
  addTools(raw: string, specs: readonly ProxyToolSpec[]): Replacement;
  /** The request for the next round: the raw request, the model's turn, the answers. */
  continueRequest(raw: string, round: Round, results: ProxyResult[]): string;
  /**
   * Reads a non-streamed response body. `proxyNames` are the tools whose calls are proxy
   * calls (default: headroom_retrieve only); calls of any other tool are the client's.
   */
  readResponse(body: unknown, proxyNames?: ReadonlySet<string>): Round;
  /**
   * The response the client receives after a proxy-call loop: the client-visible content of
   * every round in order (proxy calls removed), the last round's stop data, usage summed.
   */
  mergeResponses(bodies: unknown[], retrievalCut: boolean, proxyNames?: ReadonlySet<string>): unknown;
  /** Usage from a non-streamed response body (count_tokens: none). */
  usageOf(body: unknown): Usage;
  streamRelay(proxyNames?: ReadonlySet<string>): StreamRelay;
  /** An error body in the provider's JSON error shape, for failures of the proxy itself. */
  errorBody(status: number, message: string): unknown;
  /** Its count endpoint; absent for a format without one (Chat Completions). */
  counting?: TokenCounting;
}
