import type { Compressor } from './types.js';
import { omitted } from './marker.js';
import { extract } from './prose.js';

/** HTML: reduced to its text and structure (headings, list items, paragraphs), then extracted. */
export const htmlCompressor: Compressor = {
  kind: 'html',
  compress(text, ctx) {
    const reduced = htmlToText(text);
    const note = omitted(text.length - reduced.length, 'char', ctx.key, 'HTML markup, scripts and styles');
    return `${note}\n${extract(reduced, ctx, { headerLines: 1 })}`;
  },
};

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

export function htmlToText(html: string): string {
  let text = replaceUpTo(html, '-->', /<!--[\s\S]*?-->/g, () => '');
  text = dropRawElements(text);
  text = replaceUpTo(text, '>', /<h([1-6])\b[^>]*>/gi, (_, n: string) => `\n${'#'.repeat(Number(n))} `);
  text = replaceUpTo(text, '>', /<li\b[^>]*>/gi, () => '\n- ');
  text = replaceUpTo(text, '>', /<(?:br|hr)\b[^>]*>/gi, () => '\n');
  text = text.replace(/<\/(?:p|div|section|article|header|footer|h[1-6]|ul|ol|table|tr|pre|blockquote|li|title)\s*>/gi, '\n');
  text = replaceUpTo(text, '>', /<t[dh]\b[^>]*>/gi, () => ' | ');
  text = replaceUpTo(text, '>', /<[^>]+>/g, () => '');
  return text
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => decodeEntity(e) ?? m)
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * `text.replace(re, replacer)` for a pattern whose every match ends with `end`: the text after
 * the last `end` can hold no match and is kept without being searched. Searched, every unclosed
 * `<h1 ` or `<!--` there would scan to the end of the text (quadratic time).
 */
function replaceUpTo(text: string, end: string, re: RegExp, replacer: (match: string, ...groups: string[]) => string): string {
  const last = text.lastIndexOf(end);
  if (last < 0) return text;
  const cut = last + end.length;
  return text.slice(0, cut).replace(re, replacer) + text.slice(cut);
}

const RAW_OPEN_RE = /<(script|style|noscript|svg|template)\b/gi;
const RAW_CLOSE_RE: Record<string, RegExp> = Object.fromEntries(
  ['script', 'style', 'noscript', 'svg', 'template'].map((name) => [name, new RegExp(`<\\/${name}\\s*>`, 'gi')]),
);

/**
 * Script, style, SVG and template elements removed with their content: an opening tag up to the
 * first closing tag of the same name (as `/<(script|…)\b[\s\S]*?<\/\1\s*>/gi` would). A name with
 * no closing tag left is not searched for again, so unclosed `<script>`s cost linear time.
 */
function dropRawElements(html: string): string {
  const unclosedFrom = new Map<string, number>();
  let out = '';
  let kept = 0;
  RAW_OPEN_RE.lastIndex = 0;
  for (let open = RAW_OPEN_RE.exec(html); open; open = RAW_OPEN_RE.exec(html)) {
    const name = open[1]!.toLowerCase();
    const from = RAW_OPEN_RE.lastIndex;
    if (from >= (unclosedFrom.get(name) ?? Infinity)) continue;
    const close = RAW_CLOSE_RE[name]!;
    close.lastIndex = from;
    if (!close.exec(html)) {
      unclosedFrom.set(name, from);
      continue;
    }
    out += html.slice(kept, open.index);
    kept = RAW_OPEN_RE.lastIndex = close.lastIndex;
  }
  return out + html.slice(kept);
}

function decodeEntity(e: string): string | undefined {
  if (e[0] === '#') {
    const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : undefined;
  }
  return ENTITIES[e.toLowerCase()];
}
