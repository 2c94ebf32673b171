import type { ProxyCall, ProxyToolSpec } from '../providers/index.js';

/** Meta of the request a hook runs for. */
export interface CallMeta {
  agent: string;
  /** The proxy's per-conversation session id (the one the ledger records). */
  session: string;
}

/** Tools the proxy adds (besides headroom_retrieve) and answers itself. */
export interface ProxyToolSet {
  /** Byte-stable for the proxy's lifetime: the tool list opens every cached prefix. */
  tools: ProxyToolSpec[];
  answer(call: ProxyCall, meta: CallMeta): Promise<string>;
}

/** The headers of a request, names lower-cased. */
type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/**
 * Who sent a request: the agent's name and the agent's own conversation id, when its headers say.
 * `claimed` is the name it is already known by (the wrapped agent, or its x-headroom-agent label).
 */
export type Identify = (headers: RequestHeaders, claimed?: string) => { agent?: string; session?: string };

/** What the proxy shows a caller's `mainConversation` of a request. */
export interface ModelRequestView {
  /** Names of the tools the request declares. */
  tools: readonly string[];
  headers: RequestHeaders;
}

/** Context for the newest user turn; undefined when there is nothing worth adding. */
export type RecallHook = (query: string, meta: CallMeta) => Promise<{ text: string; count: number } | undefined>;

/** Past this, a tool answer becomes an error text for the model (a hung hook never hangs a turn). */
const ANSWER_TIMEOUT_MS = 15_000;

/** Runs a set tool for the model; a failure or a timeout becomes a short error text, never a throw. */
export async function answerCall(set: ProxyToolSet, call: ProxyCall, meta: CallMeta, timeoutMs = ANSWER_TIMEOUT_MS): Promise<{ text: string; failed: boolean }> {
  const outcome = await settleWithin(() => set.answer(call, meta), timeoutMs);
  if (outcome.ok && typeof outcome.value === 'string') return { text: outcome.value, failed: false };
  const why = outcome.ok ? 'no text came back' : outcome.reason;
  return { text: `${call.name} failed: ${why}`, failed: true };
}

export type Settled<T> = { ok: true; value: T } | { ok: false; reason: string };

/** The hook's result, or why there is none: it threw, or it took longer than `ms`. */
export async function settleWithin<T>(run: () => Promise<T>, ms: number): Promise<Settled<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Settled<T>>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: `no answer within ${ms} ms` }), ms);
  });
  const settled = Promise.resolve()
    .then(run)
    .then(
      (value): Settled<T> => ({ ok: true, value }),
      (err: unknown): Settled<T> => ({ ok: false, reason: err instanceof Error ? err.message : String(err) }),
    );
  try {
    return await Promise.race([settled, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
