import * as o200k from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { countTokens, decodeTokens, encodeTokens } from '../../src/compress/tokens.js';
import { headTail } from '../../src/bench/head-tail.js';
import { compressText } from '../../src/compress/compress-text.js';

// tokens.ts loads gpt-tokenizer on first use through its CommonJS build; the figures must be the
// ones its ES module build (what headroom counted with before) gives.
const TEXTS = [
  '',
  'hello world',
  'FAIL src/cart.test.ts > applies the discount\n  expected 90 to be 81\n',
  '{"id": 42, "name": "Ünïcødé ✓ 日本語 emoji 🚀", "tags": ["a", "b"]}',
  'def f(x):\n\treturn x ** 2  # squares\n' .repeat(50),
  'a tool output that mentions <|endoftext|> and <|fim_prefix|> as plain text',
];

describe('o200k token counts', () => {
  it('count and encode as gpt-tokenizer does, special-token strings read as text', () => {
    for (const text of TEXTS) {
      const ids = o200k.encode(text, { disallowedSpecial: new Set() });
      expect(encodeTokens(text)).toEqual(ids);
      expect(countTokens(text)).toBe(ids.length);
      if (!text.includes('<|')) expect(countTokens(text)).toBe(o200k.countTokens(text));
    }
    expect(countTokens('hello world')).toBe(2);
  });

  it('a tool output that quotes a special token compresses instead of failing', () => {
    const log = Array.from({ length: 400 }, (_, i) => `2026-03-01T12:00:${String(i % 60).padStart(2, '0')}Z INFO sample ${i} ended with <|endoftext|>`).join('\n');
    const result = compressText(log, { kind: 'log' });
    expect(result.tokensBefore).toBe(encodeTokens(log).length);
    expect(result.tokensAfter).toBeLessThan(result.tokensBefore);
  });

  it('decode what they encode', () => {
    for (const text of TEXTS) expect(decodeTokens(encodeTokens(text))).toBe(text);
  });

  it('the head-and-tail baseline keeps the first and last tokens of its budget, special-token strings included', () => {
    const text = Array.from({ length: 200 }, (_, i) => `line ${i} <|endoftext|>`).join('\n');
    const ids = encodeTokens(text);
    const cut = headTail(text, 10);
    expect(cut).toBe(`${decodeTokens(ids.slice(0, 5))}\n[...]\n${decodeTokens(ids.slice(ids.length - 5))}`);
    expect(cut.startsWith('line 0')).toBe(true);
    expect(headTail(text, ids.length)).toBe(text);
  });
});
