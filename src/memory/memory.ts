import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { headroomHome } from '../config.js';
import { exactKey, isSemanticDuplicate } from './dedup.js';
import { embedderIdFor, loadEmbedder } from './embedders/index.js';
import { currentUser, projectOf } from './project.js';
import type { MemoryFilter, MemoryStore, StoredMemory } from './store.js';
import type { Embedder, Memory, MemorySource, Scope } from './types.js';
import { MemoryInputError } from '../errors.js';

export { MemoryInputError };

export { SCOPES, type Scope } from './types.js';

/** Memories are short facts; longer text is refused with this limit named. */
export const MAX_MEMORY_CHARS = 4_000;


export interface SaveInput {
  text: string;
  agent: string;
  session?: string;
  source: MemorySource;
  /** Id (or unique prefix) of a memory this one replaces: the old one is kept but hidden. */
  replaces?: string;
}

export interface SaveResult {
  /** inserted: a new row; merged: an existing memory gained this agent (nothing inserted). */
  status: 'inserted' | 'merged';
  memory: Memory;
  /** The memory this save superseded. */
  superseded?: Memory;
}

export interface SearchOptions {
  k?: number;
  scope?: Scope;
  agent?: string;
  source?: MemorySource;
}

export interface SearchHit {
  memory: Memory;
  /** Reciprocal-rank-fusion score of the vector and full-text rankings. */
  score: number;
  /** Cosine similarity to the query, when the vector search found it. */
  similarity?: number;
  /** Whether the full-text search matched it. */
  textMatch: boolean;
}

export interface OpenOptions {
  env?: NodeJS.ProcessEnv;
  /** The directory whose project memories belong to (default: the current directory). */
  cwd?: string;
  /** A ready embedder (tests, reuse); default: loadEmbedder() with HEADROOM_EMBEDDER. */
  embedder?: Embedder;
  /** The project id itself, skipping the git lookup. */
  project?: string;
}

/** Long pasted text: its start says what it is about. */
const MAX_QUERY_CHARS = 2_000;

/** The words of a text, for the full-text search (its query syntax never sees user punctuation). */
export function searchWords(text: string): string {
  return (text.slice(0, MAX_QUERY_CHARS).match(/[\p{L}\p{N}_]+/gu) ?? []).join(' ');
}

/** RRF constant: ranks below ~60 contribute little, so neither ranking dominates. */
const RRF_K = 60;
/** Compact the table after this many writes by one process (each write adds a fragment). */
const OPTIMIZE_EVERY = 50;

export function memoryDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(headroomHome(env), 'memory');
}

/**
 * The shared project memory: one LanceDB table per embedder under HEADROOM_HOME/memory,
 * scoped to a project and an OS user. Saves are deduplicated (exact, then semantic).
 */
export class Memories {
  private writes = 0;

  private loaded: Promise<Embedder> | undefined;

  private constructor(
    readonly store: MemoryStore,
    /** Id of the embedder in use (known before its model is loaded). */
    readonly embedderId: string,
    private readonly loadModel: () => Promise<Embedder>,
    readonly project: string,
    readonly user: string,
  ) {}

  /**
   * Opens the memory of a project. The embedder's model is loaded on first use, so commands
   * that only read or delete (list, forget, export, stats) start fast.
   */
  static async open(opts: OpenOptions = {}): Promise<Memories> {
    const env = opts.env ?? process.env;
    const given = opts.embedder;
    const embedderId = given?.id ?? embedderIdFor(undefined, env);
    // LanceDB loads here, not with this module: the proxy and `wrap` take the memory hooks before the store opens.
    const { MemoryStore } = await import('./store.js');
    const [project, store] = await Promise.all([opts.project ?? projectOf(opts.cwd ?? process.cwd()), MemoryStore.open(memoryDir(env), embedderId)]);
    return new Memories(store, embedderId, given ? async () => given : () => loadEmbedder(undefined, env), project, currentUser(env));
  }

  /** The embedder, loaded once. */
  embedder(): Promise<Embedder> {
    this.loaded ??= this.loadModel();
    return this.loaded;
  }

  private async embed(texts: string[]): Promise<Float32Array[]> {
    return (await this.embedder()).embed(texts);
  }

  filter(scope: Scope = 'project', extra: Partial<MemoryFilter> = {}): MemoryFilter {
    if (scope === 'global') return { ...extra };
    if (scope === 'user') return { user: this.user, ...extra };
    return { project: this.project, user: this.user, ...extra };
  }

  async save(input: SaveInput): Promise<SaveResult> {
    const text = cleanText(input.text);
    const key = exactKey(text);
    const [vector] = await this.embed([text]);
    const result = await this.store.lock.run(() => this.saveLocked(input, text, key, vector!));
    if (result.status === 'inserted' && ++this.writes % OPTIMIZE_EVERY === 0) await this.store.optimize();
    return result;
  }

  private async saveLocked(input: SaveInput, text: string, key: string, vector: Float32Array): Promise<SaveResult> {
    const scope = this.filter('project');
    const now = Date.now();
    const replaced = input.replaces ? await this.resolve(input.replaces) : undefined;
    if (!replaced) {
      const same = await this.store.byExactKey(key, scope);
      const similar = same ? undefined : (await this.store.nearest(vector, scope, 5)).find((h) => isSemanticDuplicate(text, h.memory.text, h.score, this.embedderId));
      const existing = same ?? similar?.memory;
      if (existing) return { status: 'merged', memory: await this.merge(existing, input.agent, now) };
    }
    const memory: Memory = {
      id: newId(),
      text,
      project: this.project,
      user: this.user,
      agents: [input.agent],
      firstAgent: input.agent,
      session: input.session ?? '',
      source: input.source,
      createdAt: now,
      updatedAt: now,
      hits: 0,
      supersedes: replaced?.id ?? '',
      embedder: this.embedderId,
    };
    await this.store.insert([{ memory, exactKey: key, vector }]);
    if (replaced) await this.store.update(replaced.id, { superseded_by: memory.id, updated_at: now });
    return { status: 'inserted', memory, ...(replaced ? { superseded: replaced } : {}) };
  }

  private async merge(existing: StoredMemory, agent: string, now: number): Promise<Memory> {
    const agents = existing.agents.includes(agent) ? existing.agents : [...existing.agents, agent];
    await this.store.update(existing.id, { agents, hits: existing.hits + 1, updated_at: now });
    return { ...strip(existing), agents, hits: existing.hits + 1, updatedAt: now };
  }

  /** The one memory of this user an id or id prefix names; throws when none or several. */
  async resolve(idOrPrefix: string): Promise<StoredMemory> {
    const found = (await this.store.byId(idOrPrefix.trim())).filter((m) => m.user === this.user);
    if (found.length === 0) throw new MemoryInputError(`no memory has the id ${idOrPrefix}`);
    const exact = found.find((m) => m.id === idOrPrefix.trim().toLowerCase());
    if (exact) return exact;
    if (found.length > 1) throw new MemoryInputError(`the id prefix ${idOrPrefix} matches ${found.length} memories: give more of the id`);
    return found[0]!;
  }

  /** Hybrid search: vector and full-text rankings fused by reciprocal rank. */
  async search(query: string, opts: SearchOptions = {}): Promise<SearchHit[]> {
    const k = opts.k ?? 5;
    const filter = this.filter(opts.scope, { ...(opts.agent ? { agent: opts.agent } : {}), ...(opts.source ? { source: opts.source } : {}) });
    const [vector] = await this.embed([query.slice(0, MAX_QUERY_CHARS)]);
    const [byVector, byText] = await Promise.all([this.store.nearest(vector!, filter, k * 4), this.store.fullText(searchWords(query), filter, k * 4)]);
    const hits = new Map<string, SearchHit>();
    byVector.forEach((h, rank) => hits.set(h.memory.id, { memory: strip(h.memory), score: 1 / (RRF_K + rank + 1), similarity: h.score, textMatch: false }));
    byText.forEach((h, rank) => {
      const hit = hits.get(h.memory.id) ?? { memory: strip(h.memory), score: 0, textMatch: false };
      hit.score += 1 / (RRF_K + rank + 1);
      hit.textMatch = true;
      hits.set(h.memory.id, hit);
    });
    return [...hits.values()].sort((a, b) => b.score - a.score).slice(0, k);
  }

  async list(opts: { scope?: Scope; agent?: string; source?: MemorySource; includeSuperseded?: boolean; limit?: number } = {}): Promise<Memory[]> {
    const filter = this.filter(opts.scope, {
      ...(opts.agent ? { agent: opts.agent } : {}),
      ...(opts.source ? { source: opts.source } : {}),
      ...(opts.includeSuperseded ? { includeSuperseded: true } : {}),
    });
    return (await this.store.list(filter, opts.limit)).map(strip);
  }

  /** Deletes one memory of this user (id or unique prefix); returns it. */
  async forget(idOrPrefix: string): Promise<Memory> {
    const memory = await this.resolve(idOrPrefix);
    await this.store.lock.run(() => this.store.delete([memory.id]));
    return strip(memory);
  }

  /** Counts a recall of these memories in their hit counts. */
  async countRecall(ids: string[]): Promise<void> {
    await this.store.lock.run(() => this.store.bumpHits(ids));
  }

  close(): void {
    this.store.close();
  }
}

/** The memory without store-internal fields. */
export function strip(m: StoredMemory): Memory {
  const { exactKey: _k, supersededBy: _s, ...memory } = m;
  return memory;
}

function newId(): string {
  return randomBytes(6).toString('hex');
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text as stored: well-formed Unicode, surrounding whitespace trimmed. Empty and over-long
 * texts are refused (memories are short facts; a long document belongs in a file).
 */
export function cleanText(text: string): string {
  const clean = text.replace(LONE_SURROGATE, '\uFFFD').replace(/\r\n?/g, '\n').trim();
  if (clean === '') throw new MemoryInputError('a memory needs some text');
  if (clean.length > MAX_MEMORY_CHARS) {
    throw new MemoryInputError(`a memory is a short fact of at most ${MAX_MEMORY_CHARS.toLocaleString('en-US')} characters; this text has ${clean.length.toLocaleString('en-US')}: save the fact itself, or a summary`);
  }
  return clean;
}
