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

/** The last line of an output headroom compressed at the source (`headroom exec`, an agent hook). */
export const SOURCE_NOTE_RE = /\[headroom: output compressed from \d+ to \d+ tokens; the full output: headroom retrieve [0-9a-f]{16}\b/;

/** Whether headroom already compressed this text: it holds a marker or a source note. */
export function compressedByHeadroom(text: string): boolean {
  return SOURCE_NOTE_RE.test(text) || keysInText(text).length > 0;
}
