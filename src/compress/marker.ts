/**
 * Inline markers left where content was dropped. Every marker names the retrieval key so
 * the model (or a person) can get the original back with `headroom_retrieve` /
 * `headroom retrieve KEY`.
 */
export function omitted(count: number, unit: string, key: string, detail = ''): string {
  const what = `${count} ${unit}${count === 1 ? '' : 's'}`;
  return `[... ${what} omitted${detail ? ` (${detail})` : ''}; headroom_retrieve key=${key} ...]`;
}

/** Matches any marker; used by tests and by the retrieval path. */
export const MARKER_RE = /\[\.\.\. [^\]\n]*? omitted[^\]\n]*?; headroom_retrieve key=([0-9a-f]{16}) \.\.\.\]/g;

export function keysInText(text: string): string[] {
  const keys = new Set<string>();
  for (const m of text.matchAll(MARKER_RE)) keys.add(m[1]!);
  return [...keys];
}
