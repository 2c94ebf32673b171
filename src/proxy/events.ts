import { NO_USAGE, addUsage, type Usage } from '../wire/index.js';
import type { Bust } from './cache-guard.js';
import type { HoldoutGroup } from './holdout.js';

/**
 * What happens to one provider request, in the order it happens. The pipeline and the relay
 * loop emit these; stats, the ledger, `headroom wrap`'s tally and status line, the proxy
 * command's log line and callers' own listeners all hear the same stream. Each carries the
 * request's `requestId` (a counter per proxy).
 */
export type RequestEvent = RequestEventBody & { requestId: number };

export type RequestEventBody =
  /** Read and about to be compressed: who sent it and which conversation it belongs to ('' when the body could not be read). */
  | { type: 'request-received'; provider: string; model: string; agent: string; conversation: string }
  /** The relevance query (the newest user text) of a main-conversation model request; `headroom wrap` hands it to `headroom exec` and the source hooks. */
  | { type: 'query'; query: string }
  /** Recalled context added to the newest user turn (`count` items). */
  | { type: 'recalled'; count: number }
  /** Tool outputs compressed (or failed open), with token counts taken off the critical path. */
  | { type: 'compressed'; compressed: boolean; failedOpen: boolean; tokensBefore: number; tokensAfter: number; savedFresh: number; byKind: ReadonlyMap<string, { before: number; after: number }> }
  /** Sent upstream (`rewritten`: the body differs from the client's). */
  | { type: 'forwarded'; url: string; rewritten: boolean }
  /** The upstream's status line for the forwarded request. */
  | { type: 'upstream-response'; status: number }
  /** Usage the provider reported for one round, as its adapter parsed it. */
  | { type: 'usage'; round: number; usage: Usage }
  /** A headroom_retrieve call the proxy answered (`known`: the key was in the store). */
  | { type: 'retrieval'; known: boolean }
  /** A call of the proxy's tool set it ran (answered, or run with the answer dropped). */
  | { type: 'proxy-tool-call'; name: string; failed: boolean }
  /** Retrieve calls hidden from the client and not answered (mixed with its own tool calls, or retrieval not offered). */
  | { type: 'retrievals-unanswered'; count: number }
  /** An extra upstream round made to answer the proxy's own calls (1 for the first such round). */
  | { type: 'retrieval-round'; round: number }
  /** The upstream failed: before the client got a status (`status` is what the client got), or mid-stream. */
  | { type: 'failed'; stage: 'upstream' | 'mid-stream'; error: string; status?: number }
  /** `--holdout`: the group of the request's session; a 'holdout' request passes untouched. */
  | { type: 'holdout'; group: HoldoutGroup }
  /** `--verify`: the provider's count endpoint counted the body as the client sent it (after the response). */
  | { type: 'verified'; inputTokens: number }
  /** A prompt-cache bust headroom caused (see cache-guard.ts). */
  | { type: 'cache-bust'; bust: Bust }
  /** Busts cost more than headroom saved in this conversation: new outputs go as they are from now on. */
  | { type: 'guard-stopped'; reason: string }
  /** The request is over; its summary is folded from the events before it. */
  | { type: 'finished'; summary: RequestSummary };

/** Everything a proxy reports: its requests' events, requests refused at the gate, savings made at the source, log lines. */
export type ProxyEvent =
  | RequestEvent
  /** A request refused before it reached a provider (too large, bad token, wrong host). */
  | { type: 'rejected'; status: number; reason: string }
  /** A saving made at the source (an agent hook or `headroom exec`) in the session this proxy serves. */
  | { type: 'source-saving'; time: string; agent: string; by: string; model: string; tokensBefore: number; tokensAfter: number }
  | { type: 'log'; line: string };

export type ProxyEventListener = (event: ProxyEvent) => void;

/** One finished request, folded from its events: what stats, the ledger, the tally and the log line read. */
export interface RequestSummary {
  /** ISO time the request finished. */
  time: string;
  provider: string;
  model: string;
  agent: string;
  /** The proxy's conversation id (cache-safety state); '' for a body it could not read. */
  conversation: string;
  /** What the client got: the upstream's status, 502/504 when the upstream failed, 0 when the client left. */
  status: number;
  compressed: boolean;
  failedOpen: boolean;
  upstreamError: boolean;
  tokensBefore: number;
  tokensAfter: number;
  /** Saved on outputs compressed in this request (not replayed from an earlier one). */
  savedFresh: number;
  byKind: ReadonlyMap<string, { before: number; after: number }>;
  /** Provider-reported usage, summed over rounds. */
  usage: Usage;
  retrievalCalls: number;
  retrievalRounds: number;
  unknownKeys: number;
  /** Retrieve calls hidden from the client and not answered. */
  unanswered: number;
  /** Calls of the proxy's tool set it ran (answered, or run and discarded when mixed). */
  toolCalls: number;
  /** Items of recalled context added to the newest user turn (0: none added). */
  recalled: number;
  /** Milliseconds from arrival to the end of the relay. */
  ms: number;
  /** `--holdout` only: the group of its session. */
  group?: HoldoutGroup;
  /** `--verify` only: the provider's count of the input the client sent. */
  verifiedInputTokens?: number;
  bust?: Bust;
  /** Compression of new outputs stopped in its conversation (now or before). */
  guardStopped?: boolean;
}

function emptySummary(provider: string, agent: string): RequestSummary {
  return {
    time: '',
    provider,
    model: '',
    agent,
    conversation: '',
    status: 0,
    compressed: false,
    failedOpen: false,
    upstreamError: false,
    tokensBefore: 0,
    tokensAfter: 0,
    savedFresh: 0,
    byKind: new Map(),
    usage: NO_USAGE,
    retrievalCalls: 0,
    retrievalRounds: 0,
    unknownKeys: 0,
    unanswered: 0,
    toolCalls: 0,
    recalled: 0,
    ms: 0,
  };
}

/** Adds one event to a request's summary: the only place a request's outcome is built. */
function foldEvent(s: RequestSummary, e: RequestEventBody): void {
  switch (e.type) {
    case 'request-received':
      s.model = e.model;
      s.agent = e.agent;
      s.conversation = e.conversation;
      return;
    case 'recalled':
      s.recalled += e.count;
      return;
    case 'compressed':
      s.compressed = e.compressed;
      s.failedOpen = e.failedOpen;
      s.tokensBefore = e.tokensBefore;
      s.tokensAfter = e.tokensAfter;
      s.savedFresh = e.savedFresh;
      s.byKind = e.byKind;
      return;
    case 'upstream-response':
      s.status = e.status;
      if (e.status >= 500) s.upstreamError = true;
      return;
    case 'usage':
      s.usage = addUsage(s.usage, e.usage);
      return;
    case 'retrieval':
      s.retrievalCalls++;
      if (!e.known) s.unknownKeys++;
      return;
    case 'proxy-tool-call':
      s.toolCalls++;
      return;
    case 'retrievals-unanswered':
      s.unanswered += e.count;
      return;
    case 'retrieval-round':
      s.retrievalRounds++;
      return;
    case 'failed':
      s.upstreamError = true;
      if (e.status !== undefined) s.status = e.status;
      return;
    case 'holdout':
      s.group = e.group;
      return;
    case 'verified':
      s.verifiedInputTokens = e.inputTokens;
      return;
    case 'cache-bust':
      s.bust = e.bust;
      return;
    case 'guard-stopped':
      s.guardStopped = true;
      return;
    case 'query':
    case 'forwarded':
    case 'finished':
      return;
    default:
      return e satisfies never;
  }
}

/** The listeners of one proxy. A listener that throws is reported as a log line, never to the request. */
export class ProxyEvents {
  private readonly listeners = new Set<ProxyEventListener>();
  private nextId = 1;

  /** Adds a listener; returns what removes it. */
  on(listener: ProxyEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: ProxyEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        if (event.type !== 'log') this.emit({ type: 'log', line: `a listener of ${event.type} events failed: ${err instanceof Error ? err.message : String(err)}` });
      }
    }
  }

  log(line: string): void {
    this.emit({ type: 'log', line });
  }

  /** The event stream of one new request, whose summary starts from what is known on arrival. */
  request(provider: string, agent: string): RequestTrace {
    return new RequestTrace(this, this.nextId++, emptySummary(provider, agent));
  }
}

/** One request's events: each is folded into its summary and heard by every listener. */
export class RequestTrace {
  private readonly started = performance.now();

  constructor(
    private readonly events: ProxyEvents,
    readonly requestId: number,
    private readonly summary: RequestSummary,
  ) {}

  emit(body: RequestEventBody): void {
    foldEvent(this.summary, body);
    this.events.emit({ ...body, requestId: this.requestId });
  }

  /** The summary folded so far (usage summed over the rounds relayed). */
  get soFar(): Readonly<RequestSummary> {
    return this.summary;
  }

  /** Emits `finished` with the summary folded so far. */
  finish(): RequestSummary {
    const summary = { ...this.summary, time: new Date().toISOString(), ms: Math.round(performance.now() - this.started) };
    this.events.emit({ type: 'finished', summary, requestId: this.requestId });
    return summary;
  }
}
