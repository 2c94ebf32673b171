import type { Memories, SaveResult } from './memory.js';
import { recall } from './recall.js';
import { memoryToolSet } from './tools.js';

interface Meta {
  agent: string;
  session: string;
}

/**
 * What the proxy needs for `--memory`: the memory tools it offers and answers, and the recall
 * of relevant memories for the newest user turn. `fixed` pins the provenance of saves (a
 * wrapped session knows its agent and session better than request headers do).
 */
export function memoryHooks(memories: Memories, opts: { fixed?: Meta; onSave?: (r: SaveResult) => void } = {}) {
  const { fixed, onSave } = opts;
  const set = memoryToolSet(memories, onSave);
  return {
    tools: {
      tools: set.tools,
      answer: (call: { id: string; name: string; input: unknown }, meta: Meta) => set.answer(call, fixed ?? meta),
    },
    recall: async (query: string): Promise<{ text: string; count: number } | undefined> => {
      const r = await recall(memories, query);
      return r ? { text: r.text, count: r.count } : undefined;
    },
  };
}
