import type { Dispatcher as UndiciAgent } from 'undici';
import type { PriceTable } from '../pricing.js';
import type { CcrStore } from '../compress/ccr-store.js';
import type { CompressPool } from './compress-pool.js';
import type { ProxyEvents } from './events.js';
import type { RetrievalElsewhere, RetrieveToolMode } from './compress-request.js';
import type { Ledger } from './ledger.js';
import type { InjectedContext } from '../wire/index.js';
import type { Identify, ModelRequestView, ProxyToolSet, RecallHook } from './proxy-tools.js';
import type { UpstreamName } from './routes.js';
import type { Conversations } from './conversation-state.js';
import type { ProxyStats } from './stats.js';

/** Everything a request handler needs from the running proxy. */
export interface ProxyContext {
  upstreams: Record<UpstreamName, string>;
  defaultUpstream: UpstreamName;
  pool: UndiciAgent;
  /** Cache-safety state per conversation (what was forwarded for each tool output). */
  conversations: Conversations;
  stats: ProxyStats;
  ledger: Ledger | undefined;
  store: CcrStore;
  /** The agent every request comes from, when the proxy was started for one (wrap). */
  agent: string | undefined;
  /** Who sent a request, from its headers (given by the caller: the proxy knows no agent). */
  identify: Identify;
  /** The blocks agents add to user turns (given by the caller): not the user's words, never where recalled context goes. */
  injectedContext: InjectedContext;
  /** Id of the `headroom wrap` session, written into each ledger record. */
  wrapSession: string | undefined;
  maxBodyBytes: number;
  /** Past this many milliseconds of compressing, a request's new outputs go as they are. */
  budgetMs: number;
  /** The threads that compress tool outputs and count tokens (started on first use). */
  compressPool: CompressPool;
  retrieveTool: RetrieveToolMode;
  /** How the model can retrieve besides a headroom_retrieve tool ('shell' under `wrap`). */
  retrievalElsewhere: RetrievalElsewhere;
  /** Upper bound on extra upstream rounds that answer proxy calls (headroom_retrieve and the set's). */
  maxRetrievalRounds: number;
  /** Tools added besides headroom_retrieve and answered by the proxy. */
  tools: ProxyToolSet | undefined;
  /** Context for the newest user turn. */
  recall: RecallHook | undefined;
  /** Whether a request of this agent is of its main conversation (only those get recalled context). */
  mainConversation: (agent: string, request: ModelRequestView) => boolean;
  /** Past this a recall is given up and the request goes without it. */
  recallTimeoutMs: number;
  /** `--verify`: count each rewritten request's original body at the provider's count endpoint, after the response. */
  verify: boolean;
  /** `--holdout`: the percentage of sessions that pass untouched (0: none). */
  holdoutPercent: number;
  /** Prices for the cache guard's sums (undefined: the table could not be read; the guard then counts busts only). */
  prices: PriceTable | undefined;
  /** Where every request reports what happens to it (stats, the ledger and callers listen). */
  events: ProxyEvents;
  /** A log line, as a `log` event. */
  log: (line: string) => void;
}
