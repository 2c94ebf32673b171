import { FileCcrStore, type CcrStore } from '../compress/ccr-store.js';
import { MIN_CHARS } from '../compress/compress-text.js';
import type { Step } from '../compress/focus.js';
import type { ContentKind } from '../compress/types.js';
import { ccrDir, ccrTtlMs } from '../config.js';
import { BudgetClock } from './budget-clock.js';
import type { CompressPool } from './compress-pool.js';
import {
  beginRequest, countCompressedTokens, DEFAULT_BUDGET_MS, failedOpenReason, failOpen, finishRequest, repeatResult, type RequestCompression,
  type RequestCompressOptions, type RequestState,
} from './compress-request.js';
import type { FileStoreSpec } from './compress-worker.js';
import { stepsOfOutputs, toolOutputs } from '../wire/index.js';
import type { ProviderAdapter } from '../providers/index.js';
import { occurrences } from './repeats.js';
import type { MemoEntry, ConversationState } from './conversation-state.js';

/**
 * The proxy's form of compressRequestBody: the event loop reads the request, decides from the
 * session memo which outputs are new, splices and remembers; the new outputs are compressed in
 * the pool's threads. Past the budget, outputs not compressed yet go as they are (their tasks
 * abandoned, their threads replaced) and are remembered so, never to be compressed later in
 * the session; the request counts as failed open. A compressor that throws or a thread that
 * fails leaves its output as it is the same way.
 */
export async function compressRequestOffThread(adapter: ProviderAdapter, raw: string, pool: CompressPool, opts: RequestCompressOptions = {}): Promise<RequestCompression> {
  const state = beginRequest(adapter, raw, opts);
  const budget = opts.budgetMs ?? DEFAULT_BUDGET_MS;
  // The clock runs from the moment a thread starts on this request's outputs: waiting for a
  // thread (behind other requests, or while the threads first start) is not compression time.
  const clock = new BudgetClock(budget);
  try {
    const outputs = toolOutputs(state.request);
    const steps = stepsOfOutputs(state.request);
    const copies = occurrences(outputs.map((o) => o.text));
    const work = new Work(state, pool, opts.store, opts.keep);
    const decided = await Promise.all(outputs.map((out, i) => (copies[i]!.repeatOf === undefined ? work.decide(out.text, copies[i]!.key, steps[i]!, clock) : undefined)));
    outputs.forEach((out, i) => {
      const d = decided[i];
      const { key, repeatOf } = copies[i]!;
      state.outputs.push(
        d ? { id: out.id, kind: d.entry.kind, replayed: d.replayed, entry: d.entry, original: out.text, ms: d.ms } : repeatResult(state, out.id, out.text, key, steps[repeatOf!]!, state.outputs[repeatOf!]!.kind),
      );
      state.spans.push(out.span);
    });
    return finishRequest(adapter, raw, state, opts, work.failure(budget));
  } catch (err) {
    return failOpen(raw, state, `compression failed: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    clock.stop();
  }
}

interface Decided {
  entry: MemoEntry;
  replayed: boolean;
  /** Milliseconds from handing the output to a thread to its result (0 when not compressed here). */
  ms: number;
}

/** What happened to a new output: its memo entry, and why it is not compressed when it should have been. */
interface Outcome {
  entry: MemoEntry;
  ms: number;
  problem?: 'budget' | { error: string } | { unstored: string };
}

/** An output forwarded as it is. */
function whole(kind: ContentKind = 'prose'): MemoEntry {
  return { compressed: undefined, kind, retrievalKeys: [] };
}

/** The new outputs of one request: which ones it hands to the threads, and how that went. */
class Work {
  private readonly mine = new Map<string, Promise<Outcome>>();
  private readonly problems: Array<NonNullable<Outcome['problem']>> = [];
  private readonly storeSpec: FileStoreSpec | undefined;

  constructor(
    private readonly state: RequestState,
    private readonly pool: CompressPool,
    private readonly store: CcrStore | undefined,
    private readonly keep: number | undefined,
  ) {
    const file = store ?? new FileCcrStore(ccrDir(), ccrTtlMs());
    this.storeSpec = file instanceof FileCcrStore ? { dir: file.dir, ttlMs: file.ttlMs } : undefined;
  }

  async decide(text: string, hash: string, step: Step, clock: BudgetClock): Promise<Decided> {
    const { session } = this.state;
    const remembered = session.memo.get(hash);
    // Without a way to retrieve, an output goes whole unless the session sent it without markers before.
    if (!this.state.retrievable && (remembered === undefined || remembered.retrievalKeys.length > 0)) return { entry: whole(remembered?.kind), replayed: false, ms: 0 };
    if (remembered && !this.mine.has(hash)) return { entry: remembered, replayed: true, ms: 0 };
    // The cache guard stopped compression in this conversation: a new output goes as it is (and stays so).
    if (session.guard.stopped !== undefined && !this.mine.has(hash) && !session.pending.has(hash)) return this.remember(hash, whole());
    // Too short to compress: decided here, no thread needed.
    if (text.length < MIN_CHARS) return this.remember(hash, whole());
    // Another request of the session is compressing the same output: its result is this one's too.
    const elsewhere = session.pending.get(hash);
    if (elsewhere && !this.mine.has(hash)) {
      const theirs = await elsewhere;
      return { entry: theirs.entry, replayed: false, ms: theirs.ms };
    }
    let own = this.mine.get(hash);
    if (!own) {
      own = this.compress(text, hash, step, session, clock);
      this.mine.set(hash, own);
    }
    const outcome = await own;
    return { entry: outcome.entry, replayed: false, ms: outcome.ms };
  }

  /** Why some outputs this request compressed went as they are, if any did. */
  failure(budget: number): Pick<RequestCompression, 'failedOpen' | 'unstored'> {
    const late = this.problems.filter((p) => p === 'budget').length;
    const errors = this.problems.flatMap((p) => (typeof p === 'object' && 'error' in p ? [p.error] : []));
    const unstored = this.problems.flatMap((p) => (typeof p === 'object' && 'unstored' in p ? [p.unstored] : []))[0];
    return {
      ...failedOpenReason(
        late > 0 ? `compression passed its ${budget} ms budget; ${late} new output(s) forwarded as they are` : undefined,
        errors.length > 0 ? `compression failed on ${errors.length} output(s), forwarded as they are: ${errors[0]}` : undefined,
        unstored,
      ),
      ...(unstored ? { unstored } : {}),
    };
  }

  /** Writes an original into a store that is not a file store; returns why not when it failed. */
  private storeHere(text: string): string | undefined {
    try {
      this.store?.put(text);
      return undefined;
    } catch (err) {
      return `the original could not be stored for retrieval (${err instanceof Error ? err.message : String(err)}); left as it is`;
    }
  }

  private remember(hash: string, entry: MemoEntry): Decided {
    this.state.fresh.set(hash, entry);
    return { entry, replayed: false, ms: 0 };
  }

  private compress(text: string, hash: string, step: Step, session: ConversationState, clock: BudgetClock): Promise<Outcome> {
    const t0 = performance.now();
    const output = { text, query: this.state.query, step, store: this.storeSpec, ...(this.keep ? { keep: this.keep } : {}) };
    const task = this.pool.compress(output, { signal: clock.signal, onStart: clock.start }).then(
      (r): Outcome => {
        const ms = performance.now() - t0;
        const unstored = r.unstored ?? (r.compressed !== undefined && !this.storeSpec ? this.storeHere(text) : undefined);
        // A marker must never name a key that was not stored: without the original, the output goes as it is.
        if (unstored !== undefined) return { entry: whole(r.kind), ms, problem: { unstored } };
        const entry: MemoEntry = { compressed: r.compressed, kind: r.kind, retrievalKeys: r.compressed === undefined ? [] : r.retrievalKeys };
        return { entry, ms, ...(r.failed ? { problem: { error: 'the compressor threw' } } : {}) };
      },
      (err: unknown): Outcome => ({
        entry: whole(),
        ms: performance.now() - t0,
        problem: clock.signal.aborted ? 'budget' : { error: err instanceof Error ? err.message : String(err) },
      }),
    );
    // Decided: remembered at once, so a request arriving meanwhile replays it rather than
    // compressing it again (possibly with another outcome).
    const shared = task.then((outcome) => {
      session.memo.set(hash, outcome.entry);
      session.pending.delete(hash);
      this.state.fresh.set(hash, outcome.entry);
      if (outcome.problem) this.problems.push(outcome.problem);
      return outcome;
    });
    session.pending.set(hash, shared);
    return shared;
  }
}

/** Token counting may take this many compression budgets before it is given up (its thread ends). */
const COUNT_BUDGETS = 5;

/**
 * countCompressedTokens with the counting done in the pool's threads (about 250 ms per MB, and
 * far longer on a text of one huge word). Counts that do not come back within COUNT_BUDGETS
 * budgets are recorded as 0 before and after (no saving claimed), and logged.
 */
export async function countTokensOffThread(
  result: RequestCompression,
  pool: CompressPool,
  budgetMs: number,
  log: (line: string) => void,
): Promise<ReturnType<typeof countCompressedTokens>> {
  const todo = new Map<MemoEntry, string>();
  for (const c of result.compressed) if (c.entry.tokensBefore === undefined) todo.set(c.entry, c.original);
  if (todo.size > 0) {
    const entries = [...todo.keys()];
    const clock = new BudgetClock(budgetMs * COUNT_BUDGETS);
    try {
      const counts = await pool.count(entries.flatMap((e) => [todo.get(e)!, e.compressed!]), { signal: clock.signal, onStart: clock.start });
      entries.forEach((e, i) => {
        e.tokensBefore ??= counts[2 * i]!;
        e.tokensAfter ??= counts[2 * i + 1]!;
      });
    } catch (err) {
      for (const e of entries) {
        e.tokensBefore ??= 0;
        e.tokensAfter ??= 0;
      }
      log(`token counts of ${entries.length} compressed output(s) not taken (${err instanceof Error ? err.message : String(err)}); recorded as 0`);
    } finally {
      clock.stop();
    }
  }
  return countCompressedTokens(result);
}
