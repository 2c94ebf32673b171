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
  return html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(script|style|noscript|svg|template)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<h([1-6])\b[^>]*>/gi, (_, n: string) => `\n${'#'.repeat(Number(n))} `)
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(/<(?:br|hr)\b[^>]*>/gi, '\n')
    .replace(/<\/(?:p|div|section|article|header|footer|h[1-6]|ul|ol|table|tr|pre|blockquote|li|title)\s*>/gi, '\n')
    .replace(/<t[dh]\b[^>]*>/gi, ' | ')
    .replace(/<[^>]+>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => decodeEntity(e) ?? m)
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function decodeEntity(e: string): string | undefined {
  if (e[0] === '#') {
    const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : undefined;
  }
  return ENTITIES[e.toLowerCase()];
}
