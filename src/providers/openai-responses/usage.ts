import { count, isObject, type Json, NO_USAGE, type Usage } from '../../wire/index.js';

/** Neutral usage from a Responses `usage` object. */
export function usageFrom(u: unknown): Usage {
  if (!u || typeof u !== 'object') return NO_USAGE;
  const x = u as Json;
  const cached = count((x.input_tokens_details as Json | undefined)?.cached_tokens);
  // OpenAI counts cached tokens inside input_tokens; the neutral `input` is the uncached rest.
  return { input: Math.max(0, count(x.input_tokens) - cached), output: count(x.output_tokens), cacheRead: cached, cacheWrite: 0 };
}

/** Adds two usage objects field by field: every number in an OpenAI usage object is a count. */
export function sumCounts(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (isObject(a) && isObject(b)) {
    const out: Json = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = k in a ? sumCounts(a[k], v) : v;
    return out;
  }
  return b ?? a;
}
