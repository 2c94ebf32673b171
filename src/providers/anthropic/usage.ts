import { count, type Json, NO_USAGE, type Usage } from '../../wire/index.js';

/** Neutral usage from a Messages `usage` object (Anthropic counts cached input apart from `input_tokens`). */
export function usageFrom(u: unknown): Usage {
  if (!u || typeof u !== 'object') return NO_USAGE;
  const x = u as Json;
  return { input: count(x.input_tokens), output: count(x.output_tokens), cacheRead: count(x.cache_read_input_tokens), cacheWrite: count(x.cache_creation_input_tokens) };
}

/** Neutral usage back in the Messages `usage` members (the ones a merged response overwrites). */
export function usageJson(u: Usage): Json {
  return { input_tokens: u.input, cache_creation_input_tokens: u.cacheWrite, cache_read_input_tokens: u.cacheRead, output_tokens: u.output };
}
