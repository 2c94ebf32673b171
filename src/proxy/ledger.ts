import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Bust } from './cache-guard.js';
import type { RequestSummary } from './events.js';

/**
 * One line per request in HEADROOM_HOME/ledger/YYYY-MM-DD.jsonl (dir 0700, files 0600).
 * Counts and identifiers only: never an API key, never request or response content.
 */
export interface LedgerRecord {
  time: string;
  agent: string;
  provider: string;
  model: string;
  /** The proxy's conversation id. */
  session: string;
  status: number;
  tokensBefore: number;
  tokensAfter: number;
  /** Part of the saving on outputs compressed in this request; the rest was replayed. */
  savedFresh: number;
  /** Tokens before/after compression by content kind (absent in lines written before it existed). */
  byKind?: Record<string, { before: number; after: number }>;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  retrievals: number;
  /** Calls of the proxy's tool set (memory tools) it ran. */
  toolCalls: number;
  /** Items of recalled context added to the newest user turn. */
  recalled: number;
  /** Compression failed or ran past its budget, and outputs went as they were (absent in older lines). */
  failedOpen?: boolean;
  ms: number;
  /** The `headroom wrap` session the request belongs to. */
  wrap?: string;
  /** `--verify`: the provider's own count of the input tokens of the body as the client sent it. */
  verifiedInputTokens?: number;
  /** `--holdout`: the group of the request's session ('holdout' passed untouched). */
  group?: 'headroom' | 'holdout';
  /** A prompt-cache bust headroom caused in this request (see src/proxy/cache-guard.ts). */
  bust?: Bust;
  /** The guard stopped compressing new outputs in this request's conversation (busts cost more than headroom saved there). */
  guardStopped?: boolean;
}

/** The ledger line of a finished request (`wrap`: the `headroom wrap` session the proxy serves). */
export function ledgerRecordOf(r: RequestSummary, wrap: string | undefined): LedgerRecord {
  return {
    time: r.time,
    agent: r.agent,
    provider: r.provider,
    model: r.model,
    session: r.conversation,
    status: r.status,
    tokensBefore: r.tokensBefore,
    tokensAfter: r.tokensAfter,
    savedFresh: r.savedFresh,
    byKind: Object.fromEntries(r.byKind),
    inputTokens: r.usage.input,
    outputTokens: r.usage.output,
    cacheReadTokens: r.usage.cacheRead,
    cacheWriteTokens: r.usage.cacheWrite,
    retrievals: r.retrievalCalls,
    toolCalls: r.toolCalls,
    recalled: r.recalled,
    failedOpen: r.failedOpen,
    ms: r.ms,
    ...(wrap ? { wrap } : {}),
    ...(r.verifiedInputTokens !== undefined ? { verifiedInputTokens: r.verifiedInputTokens } : {}),
    ...(r.group ? { group: r.group } : {}),
    ...(r.bust ? { bust: r.bust } : {}),
    ...(r.guardStopped ? { guardStopped: true } : {}),
  };
}

/**
 * One line per command output compressed at the source inside a `headroom wrap` session (by
 * `headroom exec` or an agent hook), in HEADROOM_HOME/ledger/source/YYYY-MM-DD.jsonl: apart from
 * the request lines, which readers count line by line as requests.
 */
export interface SourceLedgerRecord {
  time: string;
  agent: string;
  /** The model of the session's latest request, which prices the saving. */
  model: string;
  /** Who compressed: "exec", or an agent hook such as "claude-hook". */
  by: string;
  tokensBefore: number;
  tokensAfter: number;
  /** The `headroom wrap` session it was made in. */
  wrap?: string;
}

/** The folder of the source lines inside a ledger folder. */
export const SOURCE_DIR = 'source';

export class Ledger {
  private readonly ready = new Map<string, Promise<unknown>>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string) {}

  /** Appends in order; a failed write is reported once to `onError` and never throws. */
  append(record: LedgerRecord, onError?: (err: unknown) => void): Promise<void> {
    return this.write(this.dir, record, onError);
  }

  /** Appends a saving made at the source, in order with the request lines. */
  appendSource(record: SourceLedgerRecord, onError?: (err: unknown) => void): Promise<void> {
    return this.write(join(this.dir, SOURCE_DIR), record, onError);
  }

  private write(dir: string, record: { time: string }, onError?: (err: unknown) => void): Promise<void> {
    let ready = this.ready.get(dir);
    if (!ready) this.ready.set(dir, (ready = mkdir(dir, { recursive: true, mode: 0o700 })));
    const file = join(dir, `${record.time.slice(0, 10)}.jsonl`);
    const write = this.queue.then(() => ready).then(() => appendFile(file, JSON.stringify(record) + '\n', { mode: 0o600 }));
    this.queue = write.catch((err: unknown) => onError?.(err));
    return this.queue as Promise<void>;
  }

  /** Resolves when every append so far has been written. */
  flush(): Promise<void> {
    return this.queue as Promise<void>;
  }
}
