import { count, isObject, type Json, NO_USAGE, type Usage } from '../../wire/index.js';

/** OpenAI's prompt_tokens include the cached ones; the neutral `input` is the uncached part. */
export function usageFrom(u: unknown): Usage {
  if (!isObject(u)) return NO_USAGE;
  const details = isObject(u.prompt_tokens_details) ? u.prompt_tokens_details : {};
  const cached = count(details.cached_tokens);
  return { input: Math.max(0, count(u.prompt_tokens) - cached), output: count(u.completion_tokens), cacheRead: cached, cacheWrite: 0 };
}

/** Usage objects added field by field (nested details too); other fields from the first. */
export function sumUsage(usages: Json[]): Json {
  const out: Json = {};
  for (const u of usages) {
    for (const [key, value] of Object.entries(u)) {
      const prev = out[key];
      if (typeof value === 'number') out[key] = count(prev) + value;
      else if (isObject(value)) out[key] = sumUsage(isObject(prev) ? [prev, value] : [value]);
      else if (prev == null) out[key] = value;
    }
  }
  return out;
}
