import { count } from '../plural.js';

/**
 * Inline markers left where content was dropped. Every marker names the retrieval key so
 * the model (or a person) can get the original back with `headroom_retrieve` /
 * `headroom retrieve KEY`.
 */
export function omitted(n: number, unit: string, key: string, detail = ''): string {
  const what = count(n, unit, unit.endsWith('y') ? `${unit.slice(0, -1)}ies` : undefined);
  return `[... ${what} omitted${detail ? ` (${detail})` : ''}; headroom_retrieve key=${key} ...]`;
}

/** Matches any marker; used by tests and by the retrieval path. */
export const MARKER_RE = /\[\.\.\. [^\]\n]*? omitted[^\]\n]*?; headroom_retrieve key=([0-9a-f]{16}) \.\.\.\]/g;

const MARKER_TAIL_RE = /; headroom_retrieve key=([0-9a-f]{16}) \.\.\.\]/g;
const MARKER_HEAD = '[... ';
const OMITTED = ' omitted';

/**
 * The keys of the markers in a text (the matches of MARKER_RE), found from each marker's tail
 * back to the `]` or line end before it: matching MARKER_RE from every `[... ` took quadratic
 * time on a long line of them. A marker lies within one stretch without `]` or newline and its
 * tail ends the stretch, so the leftmost `[... ` of the stretch starts it when any does.
 */
export function keysInText(text: string): string[] {
  const keys = new Set<string>();
  for (const m of text.matchAll(MARKER_TAIL_RE)) {
    const tail = m.index;
    let stretch = tail;
    while (stretch > 0 && text[stretch - 1] !== ']' && text[stretch - 1] !== '\n') stretch--;
    const before = text.slice(stretch, tail);
    const head = before.indexOf(MARKER_HEAD);
    if (head >= 0 && before.includes(OMITTED, head + MARKER_HEAD.length)) keys.add(m[1]!);
  }
  return [...keys];
}

/** The last line of an output headroom compressed at the source (`headroom exec`, an agent hook). */
const SOURCE_NOTE_RE = /\[headroom: output compressed from \d+ to \d+ tokens; the full output: headroom retrieve [0-9a-f]{16}\b/;

/** Whether headroom already compressed this text: it holds a marker or a source note. */
export function compressedByHeadroom(text: string): boolean {
  return SOURCE_NOTE_RE.test(text) || keysInText(text).length > 0;
}
