import { appendToRootArray, type Replacement } from '../../wire/index.js';
import type { ProxyToolSpec } from '../types.js';

/** One `tools` entry declaring every added function. */
export function addTools(raw: string, specs: readonly ProxyToolSpec[]): Replacement {
  const functionDeclarations = specs.map((t) => ({ name: t.name, description: t.description, parametersJsonSchema: t.schema }));
  return appendToRootArray(raw, 'tools', JSON.stringify({ functionDeclarations }));
}
