import * as fs from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as lancedb from '@lancedb/lancedb';
import { Field, FixedSizeList, Float32, Float64, Int32, Schema, Utf8 } from 'apache-arrow';
import { WriteLock } from './lock.js';
import type { Memory, MemorySource } from './types.js';
import { MemoryDbError } from '../errors.js';

export { MemoryDbError };

/** Which memories a query sees. `user` undefined: every user's (scope global). */
export interface MemoryFilter {
  project?: string;
  user?: string;
  agent?: string;
  source?: MemorySource;
  /** Superseded memories are hidden unless asked for. */
  includeSuperseded?: boolean;
}

export interface Scored {
  memory: Memory;
  /** Cosine similarity (vector search) or BM25 score (full text). */
  score: number;
}

type Row = Record<string, unknown>;

const ROW_COLUMNS = ['id', 'text', 'exact_key', 'project', 'user', 'agents', 'first_agent', 'session', 'source', 'created_at', 'updated_at', 'hits', 'supersedes', 'superseded_by', 'embedder'];

/** One table per embedder: vectors of different models never share a table. */
export function tableName(embedderId: string): string {
  return `memories_${embedderId.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '').toLowerCase()}`;
}

function schemaFor(dims: number): Schema {
  const text = (name: string) => new Field(name, new Utf8(), false);
  return new Schema([
    ...['id', 'text', 'exact_key', 'project', 'user', 'agents', 'first_agent', 'session', 'source'].map(text),
    new Field('created_at', new Float64(), false),
    new Field('updated_at', new Float64(), false),
    new Field('hits', new Int32(), false),
    ...['supersedes', 'superseded_by', 'embedder'].map(text),
    new Field('vector', new FixedSizeList(dims, new Field('item', new Float32(), true)), false),
  ]);
}

/** SQL string literal. */
export function sql(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function whereOf(f: MemoryFilter): string | undefined {
  const parts: string[] = [];
  if (f.project !== undefined) parts.push(`project = ${sql(f.project)}`);
  if (f.user !== undefined) parts.push(`user = ${sql(f.user)}`);
  if (f.source !== undefined) parts.push(`source = ${sql(f.source)}`);
  // agents is a JSON list of names: match the quoted name.
  if (f.agent !== undefined) parts.push(`agents LIKE ${sql(`%${JSON.stringify(f.agent).replace(/[%_\\]/g, '\\$&')}%`)}`);
  if (!f.includeSuperseded) parts.push(`superseded_by = ''`);
  return parts.length > 0 ? parts.join(' AND ') : undefined;
}

function toMemory(r: Row): Memory & { exactKey: string; supersededBy: string } {
  return {
    id: String(r.id),
    text: String(r.text),
    exactKey: String(r.exact_key),
    project: String(r.project),
    user: String(r.user),
    agents: JSON.parse(String(r.agents)) as string[],
    firstAgent: String(r.first_agent),
    session: String(r.session),
    source: String(r.source) as MemorySource,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    hits: Number(r.hits),
    supersedes: String(r.supersedes),
    supersededBy: String(r.superseded_by),
    embedder: String(r.embedder),
  };
}

export type StoredMemory = ReturnType<typeof toMemory>;

function toRow(m: Memory, exactKey: string, vector: Float32Array): Row {
  return {
    id: m.id,
    text: m.text,
    exact_key: exactKey,
    project: m.project,
    user: m.user,
    agents: JSON.stringify(m.agents),
    first_agent: m.firstAgent,
    session: m.session,
    source: m.source,
    created_at: m.createdAt,
    updated_at: m.updatedAt,
    hits: m.hits,
    supersedes: m.supersedes,
    superseded_by: '',
    embedder: m.embedder,
    vector: Array.from(vector),
  };
}

/**
 * The LanceDB table of one embedder's memories under HEADROOM_HOME/memory. Writers take a
 * cross-process lock (see WriteLock); readers always see the latest committed version.
 */
export class MemoryStore {
  readonly lock: WriteLock;
  private ftsReady = false;

  private constructor(
    readonly dir: string,
    private readonly db: lancedb.Connection,
    /** Undefined until the first memory of this embedder is saved (by any process). */
    private table: lancedb.Table | undefined,
    readonly embedderId: string,
  ) {
    this.lock = new WriteLock(join(dir, '.write.lock'));
  }

  readonly name = (): string => tableName(this.embedderId);

  /** Opens the database and this embedder's table if it exists. Throws MemoryDbError. */
  static async open(dir: string, embedderId: string): Promise<MemoryStore> {
    const db = await connect(dir);
    const name = tableName(embedderId);
    const table = await guard(dir, async () => ((await db.tableNames()).includes(name) ? db.openTable(name) : undefined));
    const store = new MemoryStore(dir, db, table, embedderId);
    // Read something now: a damaged table is reported at open, not in the middle of work.
    if (table) await guard(dir, () => table.schema());
    return store;
  }

  /** The table, opened when another process created it since. */
  private async current(): Promise<lancedb.Table | undefined> {
    if (!this.table) {
      const name = this.name();
      this.table = await guard(this.dir, async () => ((await this.db.tableNames()).includes(name) ? this.db.openTable(name) : undefined));
    }
    return this.table;
  }

  /** The table for writing vectors of `dims` dimensions, created on first use. */
  private async writable(dims: number): Promise<lancedb.Table> {
    const table = (await this.current()) ?? (await guard(this.dir, () => this.db.createEmptyTable(this.name(), schemaFor(dims), { mode: 'create', existOk: true })));
    this.table = table;
    const field = (await guard(this.dir, () => table.schema())).fields.find((f) => f.name === 'vector');
    const have = (field?.type as { listSize?: number } | undefined)?.listSize;
    if (have !== dims) throw new MemoryDbError(this.dir, new Error(`table ${table.name} holds ${have}-dimension vectors, the embedder makes ${dims}`));
    return table;
  }

  /** Tables of other embedders holding memories (a reindex moves them into this one). */
  async otherTables(): Promise<{ name: string; rows: number }[]> {
    return guard(this.dir, async () => {
      const out: { name: string; rows: number }[] = [];
      for (const name of await this.db.tableNames()) {
        if (!name.startsWith('memories_') || name === this.name()) continue;
        const rows = await (await this.db.openTable(name)).countRows();
        if (rows > 0) out.push({ name, rows });
      }
      return out;
    });
  }

  async openOther(name: string): Promise<lancedb.Table> {
    return guard(this.dir, () => this.db.openTable(name));
  }

  async dropOther(name: string): Promise<void> {
    if (name === this.name()) throw new Error('refusing to drop the active memory table');
    await guard(this.dir, () => this.db.dropTable(name));
  }

  async insert(memories: { memory: Memory; exactKey: string; vector: Float32Array }[]): Promise<void> {
    if (memories.length === 0) return;
    const table = await this.writable(memories[0]!.vector.length);
    await guard(this.dir, () => table.add(memories.map((m) => toRow(m.memory, m.exactKey, m.vector))));
  }

  /** Sets columns of one memory (values are SQL-free: strings and numbers only). */
  async update(id: string, values: Partial<{ agents: string[]; hits: number; updated_at: number; superseded_by: string; text: string }>): Promise<void> {
    const sqlValues: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) {
      sqlValues[k] = typeof v === 'number' ? String(v) : sql(Array.isArray(v) ? JSON.stringify(v) : String(v));
    }
    const table = await this.current();
    if (table) await guard(this.dir, () => table.update({ where: `id = ${sql(id)}`, valuesSql: sqlValues }));
  }

  /** Adds one to the hit count of each memory (no lock needed: a lost count is harmless). */
  async bumpHits(ids: string[]): Promise<void> {
    const table = await this.current();
    if (ids.length === 0 || !table) return;
    await guard(this.dir, () => table.update({ where: `id IN (${ids.map(sql).join(', ')})`, valuesSql: { hits: 'hits + 1' } }));
  }

  async delete(ids: string[]): Promise<number> {
    const table = await this.current();
    if (ids.length === 0 || !table) return 0;
    return guard(this.dir, async () => {
      const before = await table.countRows();
      await table.delete(`id IN (${ids.map(sql).join(', ')})`);
      return before - (await table.countRows());
    });
  }

  async byExactKey(key: string, filter: MemoryFilter): Promise<StoredMemory | undefined> {
    const where = [whereOf(filter), `exact_key = ${sql(key)}`].filter(Boolean).join(' AND ');
    const table = await this.current();
    if (!table) return undefined;
    const rows = await guard(this.dir, () => table.query().where(where).select(ROW_COLUMNS).limit(1).toArray());
    return rows[0] ? toMemory(rows[0] as Row) : undefined;
  }

  /** Memories whose id is `idOrPrefix` or starts with it (any scope). */
  async byId(idOrPrefix: string): Promise<StoredMemory[]> {
    const safe = idOrPrefix.replace(/[^0-9a-f]/gi, '');
    const table = await this.current();
    if (safe === '' || !table) return [];
    const rows = await guard(this.dir, () => table.query().where(`id LIKE ${sql(`${safe.toLowerCase()}%`)}`).select(ROW_COLUMNS).limit(10).toArray());
    return rows.map((r) => toMemory(r as Row));
  }

  /** Nearest memories by cosine similarity, best first. */
  async nearest(vector: Float32Array, filter: MemoryFilter, k: number): Promise<(Scored & { memory: StoredMemory })[]> {
    const table = await this.current();
    if (!table) return [];
    return guard(this.dir, async () => {
      let q = table.vectorSearch(Array.from(vector)).distanceType('cosine').select([...ROW_COLUMNS, '_distance']).limit(k);
      const where = whereOf(filter);
      if (where) q = q.where(where);
      const rows = (await q.toArray()) as Row[];
      return rows.map((r) => ({ memory: toMemory(r), score: 1 - Number(r._distance) }));
    });
  }

  /** Full-text (BM25) matches, best first. */
  async fullText(query: string, filter: MemoryFilter, k: number): Promise<(Scored & { memory: StoredMemory })[]> {
    const table = await this.current();
    if (query.trim() === '' || !table) return [];
    await this.ensureFtsIndex(table);
    return guard(this.dir, async () => {
      let q = table.query().fullTextSearch(query, { columns: ['text'] }).select([...ROW_COLUMNS, '_score']).limit(k);
      const where = whereOf(filter);
      if (where) q = q.where(where);
      const rows = (await q.toArray()) as Row[];
      return rows.map((r) => ({ memory: toMemory(r), score: Number(r._score) }));
    });
  }

  async list(filter: MemoryFilter, limit?: number): Promise<StoredMemory[]> {
    const table = await this.current();
    if (!table) return [];
    return guard(this.dir, async () => {
      let q = table.query().select(ROW_COLUMNS);
      const where = whereOf(filter);
      if (where) q = q.where(where);
      if (limit !== undefined) q = q.limit(limit);
      const rows = (await q.toArray()) as Row[];
      return rows.map(toMemory).sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    });
  }

  /** Every row with its vector, in batches (export, reindex). */
  async *scan(other?: lancedb.Table): AsyncGenerator<(StoredMemory & { vector: number[] })[]> {
    const table = other ?? (await this.current());
    if (!table) return;
    const total = await guard(this.dir, () => table.countRows());
    const batch = 1_000;
    for (let offset = 0; offset < total; offset += batch) {
      const rows = (await guard(this.dir, () => table.query().limit(batch).offset(offset).toArray())) as Row[];
      yield rows.map((r) => ({ ...toMemory(r), vector: Array.from(r.vector as ArrayLike<number>) }));
    }
  }

  async count(filter: MemoryFilter = { includeSuperseded: true }): Promise<number> {
    const where = whereOf(filter);
    const table = await this.current();
    return table ? guard(this.dir, () => table.countRows(where)) : 0;
  }

  /** The full-text index, made on first use and refreshed by `optimize`. */
  private async ensureFtsIndex(table: lancedb.Table): Promise<void> {
    if (this.ftsReady) return;
    const has = async () => (await table.listIndices()).some((i) => i.columns.includes('text'));
    if (!(await guard(this.dir, has))) {
      await this.lock.run(async () => {
        if (!(await has())) await table.createIndex('text', { config: lancedb.Index.fts({ withPosition: false }), replace: false });
      });
    }
    this.ftsReady = true;
  }

  /**
   * Folds recent writes into the indexes and compacts small fragments (every save adds one).
   * A vector index is built once the table is big enough for one to pay off.
   */
  async optimize(): Promise<void> {
    const table = await this.current();
    if (!table) return;
    await this.lock.run(async () => {
      const rows = await table.countRows();
      const indices = await table.listIndices();
      const indexed = (column: string) => indices.some((i) => i.columns.includes(column));
      if (rows >= VECTOR_INDEX_MIN_ROWS) {
        if (!indexed('vector')) await table.createIndex('vector', { config: lancedb.Index.ivfPq({ distanceType: 'cosine', numPartitions: Math.max(16, Math.round(Math.sqrt(rows))) }) });
        // Scalar indexes for the lookups every save and search filters by.
        if (!indexed('exact_key')) await table.createIndex('exact_key', { config: lancedb.Index.btree() });
        for (const column of ['project', 'user', 'superseded_by']) if (!indexed(column)) await table.createIndex(column, { config: lancedb.Index.bitmap() });
      }
      await guard(this.dir, () => table.optimize({ cleanupOlderThan: new Date(Date.now() - 60_000) }));
    });
  }

  close(): void {
    this.table?.close();
    this.db.close();
  }
}

/** Below this, a flat scan is as fast as an index and always exact. */
const VECTOR_INDEX_MIN_ROWS = 20_000;

async function connect(dir: string): Promise<lancedb.Connection> {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.accessSync(dir, fs.constants.R_OK | fs.constants.W_OK | fs.constants.X_OK);
  } catch (err) {
    throw new MemoryDbError(dir, err);
  }
  // readConsistencyInterval 0: every read checks for versions other processes committed.
  return guard(dir, () => lancedb.connect(dir, { readConsistencyInterval: 0 }));
}

/**
 * Runs one database operation; its errors become MemoryDbError naming the database. A commit
 * that lost a race with another writer's (LanceDB says "Retryable commit conflict") is retried.
 */
async function guard<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof MemoryDbError) throw err;
      if (attempt < 6 && /commit conflict/i.test(err instanceof Error ? err.message : String(err))) {
        await sleep(10 * 2 ** attempt);
        continue;
      }
      throw new MemoryDbError(dir, err);
    }
  }
}
