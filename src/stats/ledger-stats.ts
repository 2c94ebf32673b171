import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { moneySaved, sourceMoneySaved, type PriceTable } from '../pricing.js';
import { SOURCE_DIR, type LedgerRecord, type SourceLedgerRecord } from '../proxy/ledger.js';
import { compareGroups, type GroupComparison, type GroupedRequest } from './holdout-compare.js';
import { ReceiptTotals, receiptOf, type BilledStats, type WithoutHeadroomStats } from './receipts.js';

/**
 * Savings of a group (one agent, model or day; `proxy`: the requests only). Tokens and money
 * count the proxy's requests and the outputs compressed at the source; `requests` counts requests.
 */
export interface StatsBucket {
  requests: number;
  tokensBefore: number;
  tokensAfter: number;
  tokensSaved: number;
  /** Estimated USD saved, cache-aware, over the requests whose model the price table knows. */
  usdSaved: number;
  /** Requests that saved tokens but whose model the price table does not price. */
  unpricedRequests: number;
}

/**
 * Command outputs `headroom exec` or an agent hook compressed at the source inside `headroom wrap`,
 * before the agent cut them. Money: once per output at the input price of the session's model.
 */
interface SourceStats {
  outputs: number;
  tokensBefore: number;
  tokensAfter: number;
  tokensSaved: number;
  usdSaved: number;
  /** Outputs whose session model the price table does not price (not in usdSaved). */
  unpricedOutputs: number;
}

interface KindStats {
  tokensBefore: number;
  tokensAfter: number;
  tokensSaved: number;
}

/**
 * What `headroom stats` reports, and exactly what `--json` prints. Keys are stable: new
 * figures may be added, existing ones are never renamed or removed.
 */
export interface StatsReport {
  ledgerDir: string;
  /** The earliest moment counted (ISO), or null for all of the ledger. */
  since: string | null;
  /** Ledger files read. */
  files: number;
  /** Lines that were not a ledger record; skipped. */
  corruptLines: number;
  /** ISO times of the first and last request counted, null when none. */
  firstRequest: string | null;
  lastRequest: string | null;
  /** The day the prices were taken. */
  pricesTaken: string;
  /** Everything: the proxy's requests and the outputs compressed at the source. */
  totals: StatsBucket;
  /** The part of `totals` the proxy saved on the tool outputs of its requests. */
  proxy: StatsBucket;
  /** The part of `totals` saved at the source (see SourceStats). */
  source: SourceStats;
  retrievals: {
    /** headroom_retrieve calls the proxy answered. */
    calls: number;
    /** Requests that needed at least one. */
    requests: number;
    /** requests / totals.requests, 0..1. */
    share: number;
  };
  memory: {
    /** Items of recalled memory added to user turns. */
    recalled: number;
    /** Memory tool calls the proxy ran for the model. */
    toolCalls: number;
  };
  byAgent: Record<string, StatsBucket>;
  byModel: Record<string, StatsBucket>;
  /** Keyed by UTC day, YYYY-MM-DD. */
  byDay: Record<string, StatsBucket>;
  /** Tool-output tokens by content kind (ledger lines from before this was recorded add nothing). */
  byKind: Record<string, KindStats>;
  /** What the providers billed, summed from the usage they reported. */
  billed: BilledStats;
  /** What the same requests would have been billed without headroom, and how that was worked out. */
  withoutHeadroom: WithoutHeadroomStats;
  /** `--holdout`: the sessions passed untouched compared with headroom's (null: no grouped requests). */
  holdout: GroupComparison | null;
  /** Prompt-cache busts headroom caused, and conversations where it stopped compressing new outputs because of them. */
  guard: { busts: number; bustTokens: number; stoppedConversations: number };
}

const emptyBucket = (): StatsBucket => ({ requests: 0, tokensBefore: 0, tokensAfter: 0, tokensSaved: 0, usdSaved: 0, unpricedRequests: 0 });

function addTo(b: StatsBucket, r: LedgerRecord, usd: number | undefined): void {
  b.requests++;
  addTokens(b, r, usd ?? 0);
  if (usd === undefined) b.unpricedRequests++;
}

function addTokens(b: { tokensBefore: number; tokensAfter: number; tokensSaved: number; usdSaved: number }, r: { tokensBefore: number; tokensAfter: number }, usd: number): void {
  b.tokensBefore += r.tokensBefore;
  b.tokensAfter += r.tokensAfter;
  b.tokensSaved += r.tokensBefore - r.tokensAfter;
  b.usdSaved += usd;
}

const NUMBERS = ['tokensBefore', 'tokensAfter', 'savedFresh', 'retrievals', 'toolCalls', 'recalled'] as const;

/** A parsed line as a ledger record, or undefined when it is not one. */
function asRecord(v: unknown): LedgerRecord | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const r = v as Record<string, unknown>;
  if (typeof r.time !== 'string' || Number.isNaN(Date.parse(r.time))) return undefined;
  if (typeof r.agent !== 'string' || typeof r.model !== 'string') return undefined;
  if (!NUMBERS.every((k) => typeof r[k] === 'number' && Number.isFinite(r[k]))) return undefined;
  if (r.byKind !== undefined && (typeof r.byKind !== 'object' || r.byKind === null)) return undefined;
  return v as LedgerRecord;
}

/** A parsed line of the source ledger as a record, or undefined when it is not one. */
function asSourceRecord(v: unknown): SourceLedgerRecord | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const r = v as Record<string, unknown>;
  if (typeof r.time !== 'string' || Number.isNaN(Date.parse(r.time))) return undefined;
  if (typeof r.agent !== 'string' || typeof r.model !== 'string') return undefined;
  if (![r.tokensBefore, r.tokensAfter].every((n) => typeof n === 'number' && Number.isFinite(n))) return undefined;
  return v as SourceLedgerRecord;
}

/** Adds ledger records one at a time; `report()` gives the figures so far. */
export class StatsAggregator {
  private readonly r: StatsReport;
  private readonly sinceMs: number;
  private readonly receipts: ReceiptTotals;
  private readonly grouped: GroupedRequest[] = [];
  private readonly stopped = new Set<string>();

  constructor(ledgerDir: string, private readonly prices: PriceTable, since?: Date) {
    this.sinceMs = since ? since.getTime() : -Infinity;
    this.receipts = new ReceiptTotals(prices);
    this.r = {
      ledgerDir,
      since: since ? since.toISOString() : null,
      files: 0,
      corruptLines: 0,
      firstRequest: null,
      lastRequest: null,
      pricesTaken: prices.taken,
      totals: emptyBucket(),
      proxy: emptyBucket(),
      source: { outputs: 0, tokensBefore: 0, tokensAfter: 0, tokensSaved: 0, usdSaved: 0, unpricedOutputs: 0 },
      retrievals: { calls: 0, requests: 0, share: 0 },
      memory: { recalled: 0, toolCalls: 0 },
      byAgent: {},
      byModel: {},
      byDay: {},
      byKind: {},
      billed: this.receipts.billed,
      withoutHeadroom: this.receipts.withoutHeadroom(),
      holdout: null,
      guard: { busts: 0, bustTokens: 0, stoppedConversations: 0 },
    };
  }

  /** The first moment counted, or undefined for all. */
  get since(): Date | undefined {
    return Number.isFinite(this.sinceMs) ? new Date(this.sinceMs) : undefined;
  }

  countFile(): void {
    this.r.files++;
  }

  /** One line of a ledger file; blank lines are ignored, anything else that is not a record is counted as corrupt. */
  addLine(line: string): void {
    const rec = this.parse(line, asRecord);
    if (rec) this.add(rec);
  }

  /** One line of a source ledger file (ledger/source/), counted like addLine. */
  addSourceLine(line: string): void {
    const rec = this.parse(line, asSourceRecord);
    if (rec) this.addSource(rec);
  }

  private parse<T>(line: string, as: (v: unknown) => T | undefined): T | undefined {
    if (line.trim() === '') return undefined;
    let rec: T | undefined;
    try {
      rec = as(JSON.parse(line));
    } catch {
      rec = undefined;
    }
    if (!rec) this.r.corruptLines++;
    return rec;
  }

  add(rec: LedgerRecord): void {
    const at = Date.parse(rec.time);
    if (at < this.sinceMs) return;
    const r = this.r;
    const usd = moneySaved(this.prices, rec);
    addTo(r.totals, rec, usd);
    addTo(r.proxy, rec, usd);
    addTo((r.byAgent[rec.agent || 'unknown'] ??= emptyBucket()), rec, usd);
    addTo((r.byModel[rec.model || 'unknown'] ??= emptyBucket()), rec, usd);
    addTo((r.byDay[new Date(at).toISOString().slice(0, 10)] ??= emptyBucket()), rec, usd);
    for (const [kind, k] of Object.entries(rec.byKind ?? {})) {
      if (typeof k?.before !== 'number' || typeof k?.after !== 'number') continue;
      const acc = (r.byKind[kind] ??= { tokensBefore: 0, tokensAfter: 0, tokensSaved: 0 });
      acc.tokensBefore += k.before;
      acc.tokensAfter += k.after;
      acc.tokensSaved += k.before - k.after;
    }
    const billed = this.receipts.add(rec);
    if (rec.group === 'headroom' || rec.group === 'holdout') {
      const t = receiptOf(rec);
      this.grouped.push({ group: rec.group, session: rec.session ?? '', usd: billed ?? 0, input: t.input + t.cacheRead + t.cacheWrite, cacheRead: t.cacheRead });
    }
    if (rec.bust && typeof rec.bust.tokens === 'number') {
      r.guard.busts++;
      r.guard.bustTokens += rec.bust.tokens;
    }
    if (rec.guardStopped) this.stopped.add(rec.session ?? '');
    r.guard.stoppedConversations = this.stopped.size;
    r.retrievals.calls += rec.retrievals;
    if (rec.retrievals > 0) r.retrievals.requests++;
    r.retrievals.share = r.retrievals.requests / r.totals.requests;
    r.memory.recalled += rec.recalled;
    r.memory.toolCalls += rec.toolCalls;
    const iso = new Date(at).toISOString();
    if (r.firstRequest === null || iso < r.firstRequest) r.firstRequest = iso;
    if (r.lastRequest === null || iso > r.lastRequest) r.lastRequest = iso;
  }

  /** A saving made at the source: in the totals (not as a request), and in `source`. */
  addSource(rec: SourceLedgerRecord): void {
    const at = Date.parse(rec.time);
    if (at < this.sinceMs) return;
    const r = this.r;
    const usd = sourceMoneySaved(this.prices, rec);
    for (const b of [r.totals, (r.byAgent[rec.agent || 'unknown'] ??= emptyBucket()), (r.byModel[rec.model || 'unknown'] ??= emptyBucket()), (r.byDay[new Date(at).toISOString().slice(0, 10)] ??= emptyBucket())]) {
      addTokens(b, rec, usd ?? 0);
    }
    r.source.outputs++;
    addTokens(r.source, rec, usd ?? 0);
    if (usd === undefined) r.source.unpricedOutputs++;
  }

  /** A copy of the figures so far. */
  report(): StatsReport {
    this.r.withoutHeadroom = this.receipts.withoutHeadroom();
    this.r.holdout = compareGroups(this.grouped) ?? null;
    return structuredClone(this.r);
  }
}

const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.jsonl$/;

/** The ledger's day files, oldest first; none when the directory does not exist. */
export async function ledgerFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names.filter((n) => DAY_FILE.test(n)).sort();
}

/**
 * Reads the ledger line by line into an aggregator, remembering how far it got in each file
 * so that `poll()` again reads only lines appended since (a running proxy's new requests).
 * A line still being written (no newline yet) waits for the next poll; `final` reads it anyway.
 */
export class LedgerReader {
  private readonly offsets = new Map<string, number>();

  constructor(
    readonly dir: string,
    readonly into: StatsAggregator,
  ) {}

  async poll({ final = false } = {}): Promise<void> {
    await this.pollDir(this.dir, (line) => this.into.addLine(line), final);
    await this.pollDir(join(this.dir, SOURCE_DIR), (line) => this.into.addSourceLine(line), final);
  }

  private async pollDir(dir: string, feed: (line: string) => void, final: boolean): Promise<void> {
    const since = this.into.since;
    // Files are named by their UTC day: a whole day before `since` holds nothing to count.
    const sinceDay = since ? since.toISOString().slice(0, 10) : '';
    for (const name of await ledgerFiles(dir)) {
      if (name.slice(0, 10) < sinceDay) continue;
      const path = join(dir, name);
      const from = this.offsets.get(path);
      if (from === undefined) this.into.countFile();
      const size = (await stat(path)).size;
      if (from !== undefined && size <= from) continue;
      this.offsets.set(path, await this.readFrom(path, from ?? 0, final, feed));
    }
  }

  /** Feeds complete lines from `start`; returns the offset after the last one fed. */
  private async readFrom(path: string, start: number, final: boolean, feed: (line: string) => void): Promise<number> {
    let pending = Buffer.alloc(0);
    let offset = start;
    for await (const chunk of createReadStream(path, { start })) {
      let buf = pending.length > 0 ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
      let nl: number;
      while ((nl = buf.indexOf(0x0a)) !== -1) {
        feed(buf.subarray(0, nl).toString('utf8'));
        offset += nl + 1;
        buf = buf.subarray(nl + 1);
      }
      pending = Buffer.from(buf);
    }
    if (final && pending.length > 0) {
      feed(pending.toString('utf8'));
      offset += pending.length;
    }
    return offset;
  }
}

/** All of the ledger in `dir` (from `since`, when given), aggregated. */
export async function ledgerStats(dir: string, prices: PriceTable, since?: Date): Promise<StatsReport> {
  const agg = new StatsAggregator(dir, prices, since);
  await new LedgerReader(dir, agg).poll({ final: true });
  return agg.report();
}
