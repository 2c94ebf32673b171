import type { Memories, SaveResult } from './memory.js';
import { recall } from './recall.js';
import { memoryToolSet, memoryToolSpecs } from './tools.js';

interface Meta {
  agent: string;
  session: string;
}

/**
 * What the proxy needs for `--memory`: the memory tools it offers and answers, and the recall
 * of relevant memories for the newest user turn. `fixed` pins the provenance of saves (a
 * wrapped session knows its agent and session better than request headers do). The memory may
 * still be opening (`wrap` opens it while the agent starts): the tools are offered at once,
 * answers and recalls wait for it (and fail, as a tool error or no recall, if it cannot open).
 */
export function memoryHooks(memories: Memories | Promise<Memories>, opts: { fixed?: Meta; onSave?: (r: SaveResult) => void } = {}) {
  const { fixed, onSave } = opts;
  const ready = Promise.resolve(memories);
  return {
    tools: {
      tools: memoryToolSpecs(),
      answer: async (call: { id: string; name: string; input: unknown }, meta: Meta) => memoryToolSet(await ready, onSave).answer(call, fixed ?? meta),
    },
    recall: async (query: string): Promise<{ text: string; count: number } | undefined> => {
      const r = await recall(await ready, query);
      return r ? { text: r.text, count: r.count } : undefined;
    },
  };
}
