import { isObject, type Json, parseArguments } from '../../wire/index.js';
import { RETRIEVE_ONLY } from '../proxy-names.js';
import type { ProxyCall, Round } from '../types.js';
import { callPayload, isProxyCall, TEXT_FIELDS, toolCallsOf } from './calls.js';
import { sumUsage, usageFrom } from './usage.js';

/** A non-streamed completion as a Round (choice 0's message in request shape). */
export function readResponse(body: unknown, names: ReadonlySet<string> = RETRIEVE_ONLY): Round {
  const b = isObject(body) ? body : {};
  const message = firstChoice(b).message;
  return roundOf(replayable(isObject(message) ? message : {}), b.usage, names);
}

export function mergeResponses(bodies: unknown[], retrievalCut: boolean, names: ReadonlySet<string> = RETRIEVE_ONLY): unknown {
  const rounds = bodies.map((b) => (isObject(b) ? b : {}));
  const first = rounds[0] ?? {};
  const last = rounds.at(-1) ?? {};
  const choice = firstChoice(last);
  const messages = rounds.map((r) => firstChoice(r).message).map((m) => (isObject(m) ? m : {}));
  const message: Json = { ...messages.at(-1) };
  for (const field of TEXT_FIELDS) {
    const pieces = messages.map((m) => m[field]).filter((t): t is string => typeof t === 'string');
    if (pieces.length > 0) message[field] = pieces.join('');
  }
  const calls = messages.flatMap(toolCallsOf).filter((c) => !isProxyCall(c, names));
  if (calls.length > 0) message.tool_calls = calls;
  else delete message.tool_calls;
  // After a cut the last round asked only for proxy calls, so no call is left to run.
  const finish = finishReason(choice.finish_reason, retrievalCut ? 0 : calls.length);
  const usages = rounds.map((r) => r.usage).filter(isObject);
  const choices = Array.isArray(last.choices) ? (last.choices as unknown[]).map((c) => (c === choice ? { ...choice, message, finish_reason: finish } : c)) : [];
  return { ...last, id: first.id ?? last.id, choices, ...(usages.length > 0 ? { usage: sumUsage(usages) } : {}) };
}

/** A Round from an assistant message in request shape. */
export function roundOf(assistant: Json, usage: unknown, names: ReadonlySet<string>): Round {
  const calls = toolCallsOf(assistant);
  const proxyCalls: ProxyCall[] = calls
    .filter((c) => isProxyCall(c, names))
    .map((c) => ({ id: String(c.id ?? ''), name: String(callPayload(c).name), input: parseArguments(callPayload(c).arguments) }));
  return { assistant, proxyCalls, clientToolCalls: calls.length - proxyCalls.length, usage: usageFrom(usage) };
}

function firstChoice(body: Json): Json {
  const choices = Array.isArray(body.choices) ? (body.choices as unknown[]) : [];
  const choice = choices.find((c) => isObject(c) && (c.index ?? 0) === 0);
  return isObject(choice) ? choice : {};
}

/** A response message as a request message: nulls and response-only annotations dropped. */
function replayable(message: Json): Json {
  const out: Json = { role: 'assistant' };
  for (const [key, value] of Object.entries(message)) {
    if (key === 'annotations' || (value === null && key !== 'content')) continue;
    out[key] = key === 'audio' && isObject(value) ? { id: value.id } : value;
  }
  return out;
}

/** OpenAI reports `tool_calls` only when the client has calls to run; otherwise the turn ended. */
export function finishReason(reason: unknown, clientCalls: number): unknown {
  return reason === 'tool_calls' && clientCalls === 0 ? 'stop' : reason;
}
