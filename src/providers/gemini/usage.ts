import { count, isObject, type Json, NO_USAGE, type Usage } from '../../wire/index.js';

/**
 * Neutral usage. `promptTokenCount` includes the cached tokens, so input is the uncached rest;
 * thinking tokens are billed as output.
 */
export function usageFrom(u: unknown): Usage {
  if (!isObject(u)) return NO_USAGE;
  const cached = count(u.cachedContentTokenCount);
  const prompt = count(u.promptTokenCount) + count(u.toolUsePromptTokenCount);
  return { input: Math.max(0, prompt - cached), output: count(u.candidatesTokenCount) + count(u.thoughtsTokenCount), cacheRead: cached, cacheWrite: 0 };
}

/** Sums usageMetadata objects member by member; per-modality detail lists are summed by modality. */
export function sumUsageMetadata(list: unknown[]): Json | undefined {
  const present = list.filter(isObject);
  if (present.length === 0) return undefined;
  const out: Json = {};
  for (const u of present) {
    for (const [key, value] of Object.entries(u)) {
      const prev = out[key];
      if (typeof value === 'number') out[key] = count(prev) + value;
      else if (Array.isArray(value)) out[key] = sumByModality(Array.isArray(prev) ? prev : [], value);
      else out[key] = value;
    }
  }
  return out;
}

function sumByModality(a: unknown[], b: unknown[]): unknown[] {
  const out = a.map((x) => (isObject(x) ? { ...x } : x));
  for (const item of b) {
    const same = isObject(item) ? out.find((x): x is Json => isObject(x) && x.modality === item.modality) : undefined;
    if (same && isObject(item)) same.tokenCount = count(same.tokenCount) + count(item.tokenCount);
    else out.push(isObject(item) ? { ...item } : item);
  }
  return out;
}
