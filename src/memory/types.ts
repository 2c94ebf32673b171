/** Where a memory came from. */
export const MEMORY_SOURCES = ['tool', 'auto', 'learn', 'manual'] as const;
export type MemorySource = (typeof MEMORY_SOURCES)[number];

/** Which memories a search sees: this project's, all of this user's, or everything stored. */
export const SCOPES = ['project', 'user', 'global'] as const;
export type Scope = (typeof SCOPES)[number];

/** One stored memory, with its provenance. Times are epoch milliseconds. */
export interface Memory {
  id: string;
  text: string;
  /** The project it belongs to: the normalised git remote URL, else the repository root path. */
  project: string;
  /** The OS user who owns it. */
  user: string;
  /** Every agent that stated it (dedup merges add to this list), first one first. */
  agents: string[];
  firstAgent: string;
  /** The session that first saved it ('' when none, e.g. `headroom memory add`). */
  session: string;
  source: MemorySource;
  createdAt: number;
  updatedAt: number;
  /** How often it was saved again (merged) or recalled. */
  hits: number;
  /** The id of the memory this one replaced ('' when none). */
  supersedes: string;
  /** Id of the embedder whose vector space `vector` is in. */
  embedder: string;
}

/**
 * Turns texts into vectors. Vectors of different embedders are never compared: every stored
 * vector carries its embedder's id, and changing embedder means `headroom memory reindex`.
 */
export interface Embedder {
  /** Stable id, e.g. "use-lite" or "minilm:Xenova/all-MiniLM-L6-v2". */
  readonly id: string;
  readonly dims: number;
  /** One unit-length vector per text, in order. */
  embed(texts: string[]): Promise<Float32Array[]>;
}

/** Cosine similarity of two vectors (unit-length vectors: their dot product). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** Scales a vector to unit length (a zero vector stays zero). */
export function unitLength(v: ArrayLike<number>): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  const out = new Float32Array(v.length);
  const scale = n === 0 ? 0 : 1 / Math.sqrt(n);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! * scale;
  return out;
}
