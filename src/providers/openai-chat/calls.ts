import { isObject, type Json } from '../../wire/index.js';

// An assistant message's text fields and tool calls, read the same way by the request reader, responses and the relay.

/**
 * Assistant text fields that stream as string pieces: `content` and `refusal` (OpenAI),
 * `reasoning_content` (DeepSeek, vLLM), `reasoning` (OpenRouter, Ollama). They are joined
 * across pieces and rounds, and replayed in the continuation as the upstream sent them.
 */
export const TEXT_FIELDS = ['content', 'refusal', 'reasoning_content', 'reasoning'] as const;

/** A call's `function` (or, for custom tools, `custom`) object. */
export function callPayload(call: Json): Json {
  return isObject(call.function) ? call.function : isObject(call.custom) ? call.custom : {};
}

export function isProxyCall(call: unknown, names: ReadonlySet<string>): call is Json {
  return isObject(call) && names.has(String(callPayload(call).name));
}

export function toolCallsOf(message: Json): Json[] {
  return Array.isArray(message.tool_calls) ? message.tool_calls.filter(isObject) : [];
}
