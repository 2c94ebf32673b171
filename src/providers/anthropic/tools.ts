import { appendToRootArray, type Replacement } from '../../wire/index.js';
import type { ProxyToolSpec } from '../types.js';

/** Appends the proxy's tools to `tools` as Messages tool definitions. */
export function addTools(raw: string, specs: readonly ProxyToolSpec[]): Replacement {
  const tools = specs.map((t) => JSON.stringify({ name: t.name, description: t.description, input_schema: t.schema }));
  return appendToRootArray(raw, 'tools', tools.join(','));
}
