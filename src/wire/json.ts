/**
 * Helpers for JSON of unknown shape, as parsed from request and response bodies. Providers
 * read bodies the client or upstream sent; none of them may throw on a member of the wrong type.
 */

/** A parsed JSON object. */
export type Json = Record<string, unknown>;

/** A plain JSON object (not null, not an array). */
export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The objects of a JSON array ([] for anything else). */
export function objects(v: unknown): Json[] {
  return Array.isArray(v) ? v.filter(isObject) : [];
}

/** A token count: a finite number, else 0. */
export function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** A call's arguments from their JSON text; text that is not JSON is kept as it is. */
export function parseArguments(text: unknown): unknown {
  if (typeof text !== 'string') return text ?? {};
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
