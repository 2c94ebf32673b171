import { isObject, type Json, parseArguments } from '../../wire/index.js';
import { RETRIEVE_ONLY } from '../proxy-names.js';
import type { ProxyCall, Round } from '../types.js';
import { sumCounts, usageFrom } from './usage.js';

/** A non-streamed response as a Round (its output items are the assistant turn). */
export function readResponse(body: unknown, names: ReadonlySet<string> = RETRIEVE_ONLY): Round {
  const output = outputOf(body as Json | undefined);
  return { assistant: output, ...callsOf(output, names), usage: usageFrom((body as Json | undefined)?.usage) };
}

export function mergeResponses(bodies: unknown[], retrievalCut: boolean, names: ReadonlySet<string> = RETRIEVE_ONLY): unknown {
  const rounds = bodies.map((b) => (isObject(b) ? b : {}));
  const first = rounds[0] ?? {};
  const last = rounds.at(-1) ?? {};
  const output = rounds.flatMap((r) => outputOf(r)).filter((item) => !isProxyCall(item, names));
  const usage = rounds.reduce<unknown>((sum, r) => sumCounts(sum, r.usage), undefined);
  const merged: Json = { ...last, id: first.id ?? last.id, output, ...(usage !== undefined ? { usage } : {}) };
  return retrievalCut ? endedNormally(merged) : merged;
}

/** Output item types the client runs itself; hosted tools (web_search_call, ...) run upstream. */
const CLIENT_CALL_TYPES = new Set(['function_call', 'custom_tool_call', 'local_shell_call', 'shell_call', 'apply_patch_call', 'computer_call']);

export function isProxyCall(item: unknown, names: ReadonlySet<string>): boolean {
  const i = item as Json | undefined;
  return i?.type === 'function_call' && names.has(String(i.name));
}

export function callsOf(items: Json[], names: ReadonlySet<string>): { proxyCalls: ProxyCall[]; clientToolCalls: number } {
  const proxyCalls: ProxyCall[] = [];
  let clientToolCalls = 0;
  for (const item of items) {
    if (isProxyCall(item, names)) proxyCalls.push({ id: String(item.call_id ?? ''), name: String(item.name), input: parseArguments(item.arguments) });
    else if (CLIENT_CALL_TYPES.has(String(item?.type))) clientToolCalls++;
  }
  return { proxyCalls, clientToolCalls };
}

export function outputOf(response: Json | undefined): Json[] {
  return Array.isArray(response?.output) ? (response.output as Json[]) : [];
}

/** The model stopped asking for proxy calls only because the loop hit its limit: say it completed. */
export function endedNormally(response: Json): Json {
  return response.status === 'completed' ? response : { ...response, status: 'completed', incomplete_details: null };
}
