import { appendToRootArray, type Replacement } from '../../wire/index.js';
import type { ProxyToolSpec } from '../types.js';

/** Appends the proxy's tools to `tools` as `function` tools. */
export function addTools(raw: string, specs: readonly ProxyToolSpec[]): Replacement {
  const tools = specs.map((t) => JSON.stringify({ type: 'function', function: { name: t.name, description: t.description, parameters: t.schema } }));
  return appendToRootArray(raw, 'tools', tools.join(','));
}
