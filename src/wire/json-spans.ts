/**
 * Locate values inside raw JSON text without re-serialising it, so a request body can be
 * edited by splicing: everything not replaced stays byte-identical. Iterative; only the
 * containers walked into are scanned member by member.
 */
export interface Span {
  start: number;
  end: number;
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

export function skipWs(text: string, pos: number): number {
  while (pos < text.length && WS.has(text.charCodeAt(pos))) pos++;
  return pos;
}

/** End (exclusive) of the JSON value starting at `pos`. Throws on malformed input. */
function valueEnd(text: string, pos: number): number {
  const c = text[pos];
  if (c === '"') return stringEnd(text, pos);
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let i = pos; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 34) i = stringEnd(text, i) - 1;
      else if (ch === 123 || ch === 91) depth++;
      else if (ch === 125 || ch === 93) {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    throw new SyntaxError('unterminated JSON container');
  }
  let i = pos;
  while (i < text.length && !/[,\]}\s]/.test(text[i]!)) i++;
  if (i === pos) throw new SyntaxError(`unexpected character at ${pos}`);
  return i;
}

function stringEnd(text: string, pos: number): number {
  // Jump from quote to quote; a quote ends the string unless an odd run of backslashes precedes it.
  for (let from = pos + 1; ; ) {
    const q = text.indexOf('"', from);
    if (q < 0) throw new SyntaxError('unterminated JSON string');
    let b = q - 1;
    while (b > pos && text.charCodeAt(b) === 92) b--;
    if ((q - 1 - b) % 2 === 0) return q + 1;
    from = q + 1;
  }
}

/** The members of the object whose `{` is at `span.start`: key -> value span. */
export function objectMembers(text: string, span: Span): Map<string, Span> {
  const members = new Map<string, Span>();
  if (text[span.start] !== '{') return members;
  let pos = skipWs(text, span.start + 1);
  if (text[pos] === '}') return members;
  for (;;) {
    const keyEnd = stringEnd(text, pos);
    const key = JSON.parse(text.slice(pos, keyEnd)) as string;
    pos = skipWs(text, keyEnd);
    if (text[pos] !== ':') throw new SyntaxError(`expected ':' at ${pos}`);
    pos = skipWs(text, pos + 1);
    const end = valueEnd(text, pos);
    members.set(key, { start: pos, end });
    pos = skipWs(text, end);
    if (text[pos] === ',') pos = skipWs(text, pos + 1);
    else if (text[pos] === '}') return members;
    else throw new SyntaxError(`expected ',' or '}' at ${pos}`);
  }
}

/** The element spans of the array whose `[` is at `span.start`. */
export function arrayElements(text: string, span: Span): Span[] {
  const out: Span[] = [];
  if (text[span.start] !== '[') return out;
  let pos = skipWs(text, span.start + 1);
  if (text[pos] === ']') return out;
  for (;;) {
    const end = valueEnd(text, pos);
    out.push({ start: pos, end });
    pos = skipWs(text, end);
    if (text[pos] === ',') pos = skipWs(text, pos + 1);
    else if (text[pos] === ']') return out;
    else throw new SyntaxError(`expected ',' or ']' at ${pos}`);
  }
}

/**
 * The span of the root value, for text already known to be valid JSON (callers parse it
 * first): it ends at the last non-whitespace character, so finding it costs no scan.
 */
export function rootSpan(text: string): Span {
  let end = text.length;
  while (end > 0 && WS.has(text.charCodeAt(end - 1))) end--;
  return { start: skipWs(text, 0), end };
}

export function stringAt(text: string, span: Span | undefined): string | undefined {
  if (!span || text[span.start] !== '"') return undefined;
  return JSON.parse(text.slice(span.start, span.end)) as string;
}

export interface Replacement extends Span {
  text: string;
}

/** Apply non-overlapping replacements. */
export function splice(text: string, replacements: readonly Replacement[]): string {
  const sorted = [...replacements].sort((a, b) => a.start - b.start);
  let out = '';
  let pos = 0;
  for (const r of sorted) {
    out += text.slice(pos, r.start) + r.text;
    pos = r.end;
  }
  return out + text.slice(pos);
}

/** The edit that appends `itemJson` as the last element of the array at `span`. */
export function appendToArray(text: string, span: Span, itemJson: string): Replacement {
  const close = span.end - 1;
  const empty = skipWs(text, span.start + 1) === close;
  return { start: close, end: close, text: empty ? itemJson : `,${itemJson}` };
}

/** The edit that adds `"key": valueJson` as the last member of the object at `span`. */
export function appendMember(text: string, span: Span, key: string, valueJson: string): Replacement {
  const close = span.end - 1;
  const empty = skipWs(text, span.start + 1) === close;
  return { start: close, end: close, text: `${empty ? '' : ','}${JSON.stringify(key)}:${valueJson}` };
}

/**
 * The edit that appends `itemJson` to the root object's array member `key`. A missing
 * member is added; a non-array one (`"tools": null`) is replaced, never followed by a
 * second member of the same name.
 */
export function appendToRootArray(text: string, key: string, itemJson: string): Replacement {
  const root = rootSpan(text);
  const member = objectMembers(text, root).get(key);
  if (member && text[member.start] === '[') return appendToArray(text, member, itemJson);
  if (member) return { ...member, text: `[${itemJson}]` };
  return appendMember(text, root, key, `[${itemJson}]`);
}
