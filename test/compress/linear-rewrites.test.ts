import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { javaHint } from '../../src/compress/code-language.js';
import { hasHtmlTag, SEARCH_LINE_RE } from '../../src/compress/detect.js';
import { htmlToText } from '../../src/compress/html.js';
import { lineTemplate } from '../../src/compress/line-template.js';
import { keysInText, MARKER_RE } from '../../src/compress/marker.js';
import { EXCERPT } from '../../src/compress/structure/diagnostics.js';
import { isCallLine, TRACEBACK_HEADER } from '../../src/compress/structure/traceback.js';

/**
 * Patterns that took quadratic time on a long line were rewritten to run in linear time. Each
 * rewrite must give exactly what the pattern it replaced gave: the old patterns are kept here
 * and compared on random text built from the pieces that matter to them.
 */
const RUNS = { numRuns: 3000 };

/** `now` and `old` give equal results on every text drawn. */
function agree<T>(texts: fc.Arbitrary<string>, now: (text: string) => T, old: (text: string) => T): void {
  fc.assert(
    fc.property(texts, (text) => {
      expect(now(text)).toEqual(old(text));
    }),
    RUNS,
  );
}

function textOf(pieces: readonly string[], maxLength = 40): fc.Arbitrary<string> {
  return fc.array(fc.constantFrom(...pieces), { maxLength }).map((p) => p.join(''));
}

describe('linear-time rewrites give the results of the patterns they replaced', () => {
  it('search lines (detection)', () => {
    const old = /^(?!\d{4}-\d\d-\d\d|\d\d:\d\d)[^\s:,]*[A-Za-z./_][^\s:,]*?[:-]\d+[:-]/;
    const pieces = ['a', 'Z', '.', '/', '_', '-', ':', ',', ' ', '\t', '1', '23', '2024-01-01', '12:30', 'é', '\u00a0', '#'];
    agree(textOf(pieces), (line) => SEARCH_LINE_RE.test(line), (line) => old.test(line));
  });

  it('HTML tags (detection)', () => {
    const old = /<\/?(?:div|p|a|span|li|td|tr|h[1-6]|body|head|section|article)\b[^>]*>/i;
    const pieces = ['<', '>', '/', 'div', 'p', 'a', 'A', 'DIV', 'span', 'h1', 'h7', 'li', 'body', ' ', 'x', '_', '1', 'é', '-'];
    agree(textOf(pieces), (line) => hasHtmlTag(line), (line) => old.test(line));
  });

  it('Java hints (code detection)', () => {
    const old = /\bSystem\.(?:out|err)\.|\bnew\s+\w+(?:<[^>]*>)?\(|\bfinal\s+\w+/;
    const pieces = ['new', ' ', '\t', 'Foo', 'a', '<', '>', '(', ')', 'System', '.', 'out', 'err', 'final', '_', '1', 'é', ','];
    agree(textOf(pieces), (line) => javaHint(line), (line) => old.test(line));
  });

  it('Rust macro calls (code detection)', () => {
    const old = /\b(?:Some|Ok|Err)\(|\bSelf\b|&mut\s|\w+!\(/;
    const now = /\b(?:Some|Ok|Err)\(|\bSelf\b|&mut\s|\w!\(/;
    const pieces = ['a', '_', '1', '!', '(', ' ', 'Ok', 'Self', '&mut ', 'é'];
    agree(textOf(pieces), (line) => now.test(line), (line) => old.test(line));
  });

  it('HTML to text', () => {
    const old = (html: string): string =>
      html
        .replace(/<!--[\s\S]*?-->/g, '')
        .replace(/<(script|style|noscript|svg|template)\b[\s\S]*?<\/\1\s*>/gi, '')
        .replace(/<h([1-6])\b[^>]*>/gi, (_, n: string) => `\n${'#'.repeat(Number(n))} `)
        .replace(/<li\b[^>]*>/gi, '\n- ')
        .replace(/<(?:br|hr)\b[^>]*>/gi, '\n')
        .replace(/<\/(?:p|div|section|article|header|footer|h[1-6]|ul|ol|table|tr|pre|blockquote|li|title)\s*>/gi, '\n')
        .replace(/<t[dh]\b[^>]*>/gi, ' | ')
        .replace(/<[^>]+>/g, '');
    const pieces = [
      '<!--', '-->', '--', '<script>', '</script>', '</SCRIPT >', '<Script', '<scriptx>', '<style', '</style>', '<svg', '</svg>',
      '</svg', '<template>', '</template', '<noscript>', '</noscript>', '<h1>', '<h2 class="a">', '<h7>', '<li>', '<br>', '<hr/>',
      '</p>', '</p >', '<td>', '<th>', '<b>', '<', '>', '/', 'text', ' ', '\n', '\t', '&amp;',
    ];
    fc.assert(
      fc.property(textOf(pieces, 60), (html) => {
        // Compared before entity decoding and whitespace folding, which did not change.
        const expected = old(html);
        const got = htmlToText(html);
        const fold = (t: string) =>
          t.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m) => (m === '&amp;' ? '&' : m)).replace(/[ \t]+/g, ' ').replace(/ *\n */g, '\n').replace(/\n{3,}/g, '\n\n').trim();
        expect(got).toBe(fold(expected));
      }),
      RUNS,
    );
  });

  it('line templates', () => {
    const old = (line: string): string => {
      const t = line.length > 400 ? line.slice(0, 400) : line;
      if (!/["'`\d]/.test(t)) return t;
      return t
        .replace(/^(\s*)[^\s:(]+?(?:\(\d+(?:,\d+)?\)|(?::\d+){1,2})(?=[:\s])/, '$1<loc>')
        // Quoted strings of either kind, the leftmost first (a double-quoted one inside single quotes is part of it).
        .replace(/"[^"\n]{0,200}"|(?<![\w'`])(['`])[^'`\n]{1,200}\1(?![\w'`])/g, (m) => (m[0] === '"' ? '"<s>"' : "'<s>'"))
        .replace(/[0-9a-f]*\d[0-9a-f]*/gi, '#');
    };
    const pieces = ['"', "'", '`', 'a', 'F', 'g', 'x', '1', '0x', ' ', 'deadbeef', '42', '"quoted 1"', '-', 'é', ':', 'Z9', 'src/a.ts(1,2)', 'a.c:3:4'];
    agree(textOf(pieces, 80), (line) => lineTemplate(line), (line) => old(line));
  });

  it('marker keys', () => {
    const old = (text: string): string[] => [...new Set([...text.matchAll(MARKER_RE)].map((m) => m[1]!))];
    const pieces = [
      '[... ', ' omitted', ' omitted (3 lines)', '; headroom_retrieve key=0123456789abcdef ...]', '; headroom_retrieve key=fedcba9876543210 ...]',
      '; headroom_retrieve key=0123 ...]', ']', '\n', 'x', ' ', '[', '...', '[...', 'omitted',
    ];
    agree(textOf(pieces), (text) => keysInText(text), (text) => old(text));
  });

  it('diagnostic excerpts (structure)', () => {
    const old = /^\s*-->\s|^\s*\d*\s*\|(?:\s|$)|^\s*[~^]+|^\s+\S|^\s*= (?:note|help):/;
    const pieces = [' ', '\t', '1', '42', '|', '-->', '~', '^', '= note:', '= help:', 'x', '\n'];
    agree(textOf(pieces), (line) => EXCERPT.test(line), (line) => old.test(line));
  });

  it('traceback headers (structure)', () => {
    const old = /^Traceback \(most recent call last\):$|^During handling of the above exception|^The above exception was the direct cause|^\s*\+?\s*Exception Group Traceback/;
    const pieces = [' ', '\t', '+', '|', 'Exception Group Traceback', 'Traceback (most recent call last):', 'During handling of the above exception', 'x'];
    agree(textOf(pieces), (line) => TRACEBACK_HEADER.test(line), (line) => old.test(line));
  });

  it('call lines between frames (structure)', () => {
    const old = /^[\w./*()~[\]-]+\(.*\)$/;
    const pieces = ['a', 'main', '.', '/', '*', '(', ')', '~', '[', ']', '-', '_', '0x1', ', ', ' ', '\r', '\u2028', 'é', '{'];
    agree(textOf(pieces), (line) => isCallLine(line), (line) => old.test(line));
  });
});
