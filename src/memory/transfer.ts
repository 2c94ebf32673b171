import { exactKey } from './dedup.js';
import { cleanText, MemoryInputError, strip, type Memories } from './memory.js';
import { MEMORY_SOURCES, type Memory } from './types.js';

/** Export, import and reindex: moving memories between files, machines and embedders. */

/** One exported memory: every field but the vector (vectors belong to one embedder). */
export type ExportedMemory = Memory & { supersededBy: string };

export async function* exportMemories(memories: Memories): AsyncGenerator<ExportedMemory> {
  for await (const batch of memories.store.scan()) {
    for (const row of batch) {
      const { vector: _v, exactKey: _k, ...rest } = row;
      yield rest;
    }
  }
}

/** Reads one line of an export; throws MemoryInputError naming what is wrong. */
export function parseExported(line: string): ExportedMemory {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new MemoryInputError('not JSON');
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new MemoryInputError('not a JSON object');
  const o = v as Record<string, unknown>;
  const str = (k: string, fallback?: string): string => {
    const x = o[k] ?? fallback;
    if (typeof x !== 'string') throw new MemoryInputError(`"${k}" must be a string`);
    return x;
  };
  const num = (k: string, fallback: number): number => {
    const x = o[k] ?? fallback;
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new MemoryInputError(`"${k}" must be a number`);
    return x;
  };
  const agents = o.agents ?? [];
  if (!Array.isArray(agents) || !agents.every((a) => typeof a === 'string')) throw new MemoryInputError('"agents" must be a list of names');
  const source = str('source', 'manual');
  if (!(MEMORY_SOURCES as readonly string[]).includes(source)) throw new MemoryInputError(`"source" must be one of ${MEMORY_SOURCES.join(', ')}`);
  const id = str('id');
  if (!/^[0-9a-f]{6,32}$/.test(id)) throw new MemoryInputError('"id" must be lowercase hex');
  const now = Date.now();
  return {
    id,
    text: cleanText(str('text')),
    project: str('project'),
    user: str('user'),
    agents: agents as string[],
    firstAgent: str('firstAgent', (agents as string[])[0] ?? 'user'),
    session: str('session', ''),
    source: source as Memory['source'],
    createdAt: num('createdAt', now),
    updatedAt: num('updatedAt', now),
    hits: num('hits', 0),
    supersedes: str('supersedes', ''),
    supersededBy: str('supersededBy', ''),
    embedder: str('embedder', ''),
  };
}

export interface ImportCounts {
  inserted: number;
  /** Same id already stored. */
  present: number;
  /** Same text already stored in that project: provenance merged. */
  merged: number;
}

/** Imports exported memories (their own projects, users and ids kept), embedding them anew. */
export async function importMemories(memories: Memories, records: ExportedMemory[], progress?: (done: number) => void): Promise<ImportCounts> {
  const counts: ImportCounts = { inserted: 0, present: 0, merged: 0 };
  const store = memories.store;
  const BATCH = 64;
  for (let i = 0; i < records.length; i += BATCH) {
    const batch = records.slice(i, i + BATCH);
    const vectors = await (await memories.embedder()).embed(batch.map((r) => r.text));
    await store.lock.run(async () => {
      const rows = [];
      for (const [j, r] of batch.entries()) {
        if ((await store.byId(r.id)).some((m) => m.id === r.id)) {
          counts.present++;
          continue;
        }
        const key = exactKey(r.text);
        const same = await store.byExactKey(key, { project: r.project, user: r.user });
        if (same) {
          const agents = [...new Set([...same.agents, ...r.agents])];
          await store.update(same.id, { agents, hits: same.hits + r.hits, updated_at: Math.max(same.updatedAt, r.updatedAt) });
          counts.merged++;
          continue;
        }
        const { supersededBy, ...memory } = r;
        rows.push({ memory: { ...memory, embedder: memories.embedderId }, exactKey: key, vector: vectors[j]!, supersededBy });
      }
      await store.insert(rows);
      for (const r of rows) if (r.supersededBy) await store.update(r.memory.id, { superseded_by: r.supersededBy });
      counts.inserted += rows.length;
    });
    progress?.(Math.min(records.length, i + BATCH));
  }
  if (counts.inserted > 0) await store.optimize();
  return counts;
}

/**
 * Re-embeds the memories stored by other embedders into the current embedder's table, then
 * drops the old tables. Safe to run again after an interruption: copied ids are skipped.
 */
export async function reindex(memories: Memories, progress?: (done: number, total: number) => void): Promise<{ moved: number; tables: string[] }> {
  const store = memories.store;
  const others = await store.otherTables();
  const total = others.reduce((n, t) => n + t.rows, 0);
  let done = 0;
  progress?.(0, total);
  for (const { name } of others) {
    const table = await store.openOther(name);
    for await (const batch of store.scan(table)) {
      const vectors = await (await memories.embedder()).embed(batch.map((m) => m.text));
      await store.lock.run(async () => {
        const rows = [];
        for (const [j, m] of batch.entries()) {
          if ((await store.byId(m.id)).some((x) => x.id === m.id)) continue;
          rows.push({ memory: { ...strip(m), embedder: memories.embedderId }, exactKey: m.exactKey, vector: vectors[j]!, supersededBy: m.supersededBy });
        }
        await store.insert(rows);
        for (const r of rows) if (r.supersededBy) await store.update(r.memory.id, { superseded_by: r.supersededBy });
      });
      done += batch.length;
      progress?.(done, total);
    }
    table.close();
    await store.dropOther(name);
  }
  if (done > 0) await store.optimize();
  return { moved: done, tables: others.map((t) => t.name) };
}
