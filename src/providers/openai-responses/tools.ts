import { appendToArray, appendToRootArray, arrayElements, objectMembers, type Replacement, rootSpan, skipWs, type Span, stringAt } from '../../wire/index.js';
import type { ProxyToolSpec } from '../types.js';

/**
 * Top-level `tools` when the request declares any there; else, when it carries its tools in an
 * `additional_tools` item, one `headroom` namespace appended to the first such item (the one at
 * the head of the conversation, replayed in every request); else a new top-level `tools`.
 */
export function addTools(raw: string, specs: readonly ProxyToolSpec[]): Replacement {
  // Not strict: strict mode would require every optional property (headroom_retrieve's `query`) too.
  const tools = specs.map((t) => ({ type: 'function', name: t.name, description: t.description, strict: false, parameters: t.schema }));
  const members = objectMembers(raw, rootSpan(raw));
  const top = members.get('tools');
  const topDeclares = top !== undefined && raw[top.start] === '[' && skipWs(raw, top.start + 1) !== top.end - 1;
  const carrier = topDeclares ? undefined : additionalTools(raw, members.get('input'));
  if (carrier) return appendToArray(raw, carrier, JSON.stringify({ type: 'namespace', name: HEADROOM_NAMESPACE, description: HEADROOM_NAMESPACE_DESCRIPTION, tools }));
  return appendToRootArray(raw, 'tools', tools.map((t) => JSON.stringify(t)).join(','));
}

/**
 * Codex's default model (0.169) sends no top-level `tools`: its tools come as an `input` item of
 * this type, `{type, id, role, tools}`, whose tools are namespaces of `function` and `custom` tools.
 * The model calls a namespaced tool with an output item that names it: `{type: "function_call",
 * namespace, name, ...}`.
 */
export const ADDITIONAL_TOOLS = 'additional_tools';

/** The namespace the proxy's own tools go in when a request carries its tools in `additional_tools`. */
const HEADROOM_NAMESPACE = 'headroom';
const HEADROOM_NAMESPACE_DESCRIPTION = 'Tools of headroom, the context layer between this agent and the model; headroom answers their calls itself.';

/** The `tools` array of the request's first `additional_tools` input item. */
function additionalTools(raw: string, input: Span | undefined): Span | undefined {
  if (!input || raw[input.start] !== '[') return undefined;
  for (const item of arrayElements(raw, input)) {
    const m = objectMembers(raw, item);
    const tools = m.get('tools');
    if (stringAt(raw, m.get('type')) === ADDITIONAL_TOOLS && tools && raw[tools.start] === '[') return tools;
  }
  return undefined;
}
