import { addUsage, type Json, NO_USAGE } from '../../wire/index.js';
import { RETRIEVE_ONLY } from '../proxy-names.js';
import type { ProxyCall, Round } from '../types.js';
import { usageFrom, usageJson } from './usage.js';

/** A non-streamed Messages response as a Round. */
export function readResponse(body: unknown, names: ReadonlySet<string> = RETRIEVE_ONLY): Round {
  const b = (body ?? {}) as Json;
  const content = Array.isArray(b.content) ? (b.content as Json[]) : [];
  return { assistant: content, ...callsOf(content, names), usage: usageFrom(b.usage) };
}

export function mergeResponses(bodies: unknown[], retrievalCut: boolean, names: ReadonlySet<string> = RETRIEVE_ONLY): unknown {
  const rounds = bodies.map((b) => (b ?? {}) as Json);
  const first = rounds[0]!;
  const last = rounds.at(-1)!;
  const content = rounds.flatMap((r) => (Array.isArray(r.content) ? (r.content as Json[]) : [])).filter((b) => !isProxyBlock(b, names));
  const usage = rounds.map((r) => usageFrom(r.usage)).reduce(addUsage, NO_USAGE);
  const clientCalls = content.some((b) => b.type === 'tool_use');
  const stop = retrievalCut || (last.stop_reason === 'tool_use' && !clientCalls) ? 'end_turn' : last.stop_reason;
  return { ...last, id: first.id, content, stop_reason: stop, usage: { ...(last.usage as Json), ...usageJson(usage) } };
}

export function isProxyBlock(block: Json | undefined, names: ReadonlySet<string>): boolean {
  return block?.type === 'tool_use' && names.has(String(block.name));
}

export function callsOf(content: Json[], names: ReadonlySet<string>): { proxyCalls: ProxyCall[]; clientToolCalls: number } {
  const proxyCalls: ProxyCall[] = [];
  let clientToolCalls = 0;
  for (const block of content) {
    if (isProxyBlock(block, names)) proxyCalls.push({ id: String(block.id ?? ''), name: String(block.name), input: block.input ?? {} });
    else if (block?.type === 'tool_use' || block?.type === 'server_tool_use') clientToolCalls++;
  }
  return { proxyCalls, clientToolCalls };
}
