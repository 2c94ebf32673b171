import { MAX_MEMORY_CHARS, MemoryInputError, searchWords, type Memories, type SaveResult } from './memory.js';
import { memoryLine } from './recall.js';

/** The memory tools the proxy offers the model and answers itself. */
export const MEMORY_SAVE = 'memory_save';
export const MEMORY_SEARCH = 'memory_search';

const MEMORY_TOOLS = [
  {
    name: MEMORY_SAVE,
    description:
      'Save a durable fact about this project to the memory shared by every coding agent the user runs here: ' +
      'conventions, commands that work, pitfalls and their fixes, the user\'s stated preferences. Not for ' +
      'the state of the current task. One short fact per call. If it replaces an earlier memory (the old one ' +
      'is now wrong), pass that memory\'s id as `replaces`.',
    schema: {
      type: 'object',
      properties: {
        text: { type: 'string', description: `The fact, self-contained (at most ${MAX_MEMORY_CHARS} characters).` },
        replaces: { type: 'string', description: 'Optional: the id of a memory this one corrects.' },
      },
      required: ['text'],
    },
  },
  {
    name: MEMORY_SEARCH,
    description: 'Search the project memory shared by the coding agents the user runs here. Returns matching memories with their ids, the agents that saved them and when.',
    schema: {
      type: 'object',
      properties: {
        query: { type: 'string', description: 'What to look for.' },
        k: { type: 'integer', description: 'How many memories at most (default 5, at most 20).' },
      },
      required: ['query'],
    },
  },
] as const;

interface Call {
  name: string;
  input: unknown;
}

interface Meta {
  agent: string;
  session: string;
}

function args(input: unknown): Record<string, unknown> {
  if (typeof input === 'string') {
    try {
      return args(JSON.parse(input));
    } catch {
      return {};
    }
  }
  return input && typeof input === 'object' ? (input as Record<string, unknown>) : {};
}

/** Answers one memory tool call: the text the model gets back. */
export async function answerMemoryTool(memories: Memories, call: Call, meta: Meta, onSave?: (r: SaveResult) => void): Promise<string> {
  const a = args(call.input);
  try {
    if (call.name === MEMORY_SAVE) {
      if (typeof a.text !== 'string') return 'memory_save: pass the fact as `text`.';
      const replaces = typeof a.replaces === 'string' && a.replaces.trim() !== '' ? a.replaces : undefined;
      const r = await memories.save({ text: a.text, agent: meta.agent, session: meta.session, source: 'tool', ...(replaces ? { replaces } : {}) });
      onSave?.(r);
      if (r.status === 'merged') return `Already in memory as ${r.memory.id} (first saved by ${r.memory.firstAgent}); noted that ${meta.agent} said it too.`;
      return `Saved as memory ${r.memory.id}${r.superseded ? `, replacing ${r.superseded.id}` : ''}.`;
    }
    if (call.name === MEMORY_SEARCH) {
      if (typeof a.query !== 'string' || searchWords(a.query) === '') return 'memory_search: pass what to look for as `query`.';
      const k = typeof a.k === 'number' && Number.isFinite(a.k) ? Math.min(20, Math.max(1, Math.round(a.k))) : 5;
      const hits = await memories.search(searchWords(a.query), { k });
      return hits.length === 0 ? 'No memory matches.' : hits.map((h) => memoryLine(h.memory)).join('\n');
    }
    return `${call.name}: not a memory tool.`;
  } catch (err) {
    if (err instanceof MemoryInputError) return `${call.name}: ${err.message}`;
    throw err;
  }
}

/** The memory tools as the proxy offers them. */
export function memoryToolSpecs(): { name: string; description: string; schema: object }[] {
  return MEMORY_TOOLS.map((t) => ({ name: t.name, description: t.description, schema: t.schema }));
}

/** The tool set in the shape the proxy's `tools` option takes. */
export function memoryToolSet(memories: Memories, onSave?: (r: SaveResult) => void): { tools: { name: string; description: string; schema: object }[]; answer(call: Call & { id: string }, meta: Meta): Promise<string> } {
  return {
    tools: memoryToolSpecs(),
    answer: (call, meta) => answerMemoryTool(memories, call, meta, onSave),
  };
}
