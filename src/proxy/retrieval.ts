import type { CcrStore } from '../compress/ccr-store.js';
import { matchingParts } from '../compress/retrieve.js';
import { type ProxyToolSpec, RETRIEVE_TOOL_NAME } from '../providers/index.js';

export { RETRIEVE_TOOL_NAME } from '../providers/index.js';

export const RETRIEVE_TOOL_DESCRIPTION =
  'Get back content that headroom compressed out of a tool output. Markers like ' +
  '"[... 120 lines omitted; headroom_retrieve key=0123456789abcdef ...]" name the key. ' +
  'Pass the key, and a query to get only the matching parts of a large original.';

/** JSON Schema of the tool's input; adapters wrap it in their own tool shape. */
export const RETRIEVE_TOOL_SCHEMA = {
  type: 'object',
  properties: {
    key: { type: 'string', description: 'The 16-hex-digit key from a marker.' },
    query: { type: 'string', description: 'Optional words to match; without it the whole original comes back.' },
  },
  required: ['key'],
} as const;

export const RETRIEVE_TOOL: ProxyToolSpec = { name: RETRIEVE_TOOL_NAME, description: RETRIEVE_TOOL_DESCRIPTION, schema: RETRIEVE_TOOL_SCHEMA };

/** Reads a retrieve call's arguments (an object, or its JSON text). */
export function retrieveArgs(input: unknown): { key: string; query?: string } {
  let value = input;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return { key: '' };
    }
  }
  if (!value || typeof value !== 'object') return { key: '' };
  const { key, query } = value as { key?: unknown; query?: unknown };
  return { key: typeof key === 'string' ? key.trim() : '', ...(typeof query === 'string' && query.trim() !== '' ? { query } : {}) };
}

/** The text the model gets back for one call's input; unknown or expired keys get a plain message. */
export function answerRetrieve(input: unknown, store: CcrStore): string {
  const { key, query } = retrieveArgs(input);
  if (!/^[0-9a-f]{16}$/.test(key)) {
    return `headroom_retrieve: "${key}" is not a retrieval key. Keys are the 16 hex digits after "key=" in a marker.`;
  }
  const original = store.get(key);
  if (original === undefined) {
    return `headroom_retrieve: no original is stored under key ${key} (unknown, or expired after its retention time). Work with the compressed output, or run the tool again.`;
  }
  return query ? matchingParts(original, query, key) : original;
}
