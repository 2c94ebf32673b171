import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * One line per request in HEADROOM_HOME/ledger/YYYY-MM-DD.jsonl (dir 0700, files 0600).
 * Counts and identifiers only: never an API key, never request or response content.
 */
export interface LedgerRecord {
  time: string;
  agent: string;
  provider: string;
  model: string;
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
}

export class Ledger {
  private ready: Promise<unknown> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string) {}

  /** Appends in order; a failed write is reported once to `onError` and never throws. */
  append(record: LedgerRecord, onError?: (err: unknown) => void): Promise<void> {
    this.ready ??= mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = join(this.dir, `${record.time.slice(0, 10)}.jsonl`);
    const write = this.queue.then(() => this.ready).then(() => appendFile(file, JSON.stringify(record) + '\n', { mode: 0o600 }));
    this.queue = write.catch((err: unknown) => onError?.(err));
    return this.queue as Promise<void>;
  }

  /** Resolves when every append so far has been written. */
  flush(): Promise<void> {
    return this.queue as Promise<void>;
  }
}
