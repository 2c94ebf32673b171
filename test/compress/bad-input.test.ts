import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FileCcrStore } from '../../src/compress/ccr-store.js';
import { compressionFailures, compressText, MIN_CHARS } from '../../src/compress/compress-text.js';
import { detectKind } from '../../src/compress/detect.js';
import { jsonCompressor } from '../../src/compress/json.js';
import { keysInText } from '../../src/compress/marker.js';
import type { ContentKind } from '../../src/compress/types.js';
import { question, toolOutputs } from './fixtures.js';

let dir: string;
let store: FileCcrStore;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'headroom-bad-input-'));
  store = new FileCcrStore(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Deterministic pseudo-random bytes (xorshift), so failures reproduce. */
function bytes(n: number, seed: number, avoidNul = true): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = avoidNul ? (x % 255) + 1 : x & 0xff;
  }
  return out;
}

function repeatTo(text: string, chars: number): string {
  return text.repeat(Math.ceil(chars / text.length)).slice(0, chars);
}

const CASES: Array<[string, () => string]> = [
  ['empty string', () => ''],
  ['only spaces', () => ' '.repeat(10_000)],
  ['only newlines', () => '\n'.repeat(10_000)],
  ['mixed whitespace', () => repeatTo(' \t\r\n\u00a0\u2003', 20_000)],
  ['truncated GitHub repos JSON (p10)', () => toolOutputs('p10')[0]!.slice(0, 60_000)],
  ['truncated npm ls JSON (p13)', () => toolOutputs('p13')[0]!.slice(0, 30_000)],
  ['JSON with a trailing comma', () => `${toolOutputs('p04')[0]!.trimEnd().slice(0, -1)},]`],
  ['binary with NUL bytes', () => String.fromCharCode(...bytes(20_000, 7, false))],
  ['NUL bytes after 64 KB of log', () => `${repeatTo('2024-01-01 00:00:00 INFO ok\n', 70_000)}\u0000\u0001\u0002`],
  ['invalid UTF-8 decoded to U+FFFD', () => new TextDecoder().decode(bytes(50_000, 42))],
  ['a log with corrupted UTF-8 bytes', () => {
    const raw = new TextEncoder().encode(toolOutputs('p12')[0]!.slice(0, 40_000));
    for (let i = 0; i < raw.length; i += 97) raw[i] = 0xc3 ^ (i & 0x3f);
    return new TextDecoder().decode(raw);
  }],
  ['JSON arrays nested 10,000 deep', () => `${'['.repeat(10_000)}1${']'.repeat(10_000)}`],
  ['JSON objects nested 10,000 deep', () => `${'{"a":'.repeat(10_000)}null${'}'.repeat(10_000)}`],
  ['unbalanced brackets 10,000 deep', () => '[{'.repeat(10_000)],
];

const FORCED: ContentKind[] = ['json', 'log', 'search', 'diff', 'code', 'html', 'table', 'prose'];

/**
 * compressText catches whatever a compressor throws and returns the input, so "did not throw"
 * proves nothing: a compressor that throws is seen only in the failure counter.
 */
function check(input: string, kind?: ContentKind): void {
  const failuresBefore = compressionFailures();
  const r = compressText(input, { query: question('p12'), store, ...(kind ? { kind } : {}) });
  expect(compressionFailures(), `a compressor threw on this input${kind ? ` (forced to ${kind})` : ''}`).toBe(failuresBefore);
  expect(typeof r.text).toBe('string');
  expect(r.text.length).toBeLessThanOrEqual(input.length);
  expect(r.tokensAfter).toBeLessThanOrEqual(r.tokensBefore);
  if (input.length < MIN_CHARS) expect(r.text).toBe(input);
  for (const k of keysInText(r.text)) expect(store.get(k)).toBe(input);
}

// Huge inputs first: gpt-tokenizer counts a 10 MB text ~10x slower once it has seen the
// invalid-UTF-8 cases below (observed, not asserted), which would make this file crawl.
describe('huge inputs', () => {
  it('a 10 MB single line: no throw, cut, original retrievable', () => {
    const input = repeatTo('GET /api/search?q=lamp HTTP/1.1 upstream timed out; ', 10_000_000);
    expect(detectKind(input).kind).not.toBe('json');
    check(input);
    const r = compressText(input, { query: question('p12'), store });
    expect(r.text.length).toBeLessThan(input.length / 100);
    expect(r.retrievalKeys).toHaveLength(1);
  });

  it('a 10 MB single line of minified JSON-like text (not valid JSON)', () => {
    check(`{"a":${repeatTo('[1,"x",{"b":null}],', 10_000_000)}`);
  });

  it('a 5 MB log of real app, nginx and postgres lines shrinks a lot and keeps its errors', () => {
    const input = repeatTo(`${toolOutputs('p12')[0]!}\n${toolOutputs('p03')[0]!}\n${toolOutputs('p02')[0]!}\n`, 5_000_000);
    check(input);
    const r = compressText(input, { query: question('p12'), store });
    expect(r.kind).toBe('log');
    expect(r.tokensAfter).toBeLessThan(r.tokensBefore * 0.2);
    expect(r.text).toMatch(/\bERROR\b|\bFATAL\b|\[error\]/);
  });

  it('5 MB of one repeated log line', () => {
    check(repeatTo('2024-05-14T10:21:03.118Z INFO [api] GET /health 200 0.4ms\n', 5_000_000));
  });
});

describe('bad input: compressText returns, never throws, never grows', () => {
  it.each(CASES)('%s (detected kind)', (_name, make) => {
    const input = make();
    expect(() => detectKind(input)).not.toThrow();
    check(input);
  });

  // Every compressor, not only the detected one.
  it.each(CASES)('%s, forced to every kind', (_name, make) => {
    const input = make();
    for (const kind of FORCED) check(input, kind);
  });

  it('lone surrogates: no throw, no growth, and retrieval gives the exact input', () => {
    const input = repeatTo('\ud800abc\udfffdef\n', 10_000);
    for (const kind of [undefined, ...FORCED]) {
      const failuresBefore = compressionFailures();
      const r = compressText(input, { store, ...(kind ? { kind } : {}) });
      expect(compressionFailures(), `a compressor threw (${kind ?? 'detected'})`).toBe(failuresBefore);
      expect(r.text.length).toBeLessThanOrEqual(input.length);
      expect(r.tokensAfter).toBeLessThanOrEqual(r.tokensBefore);
      for (const k of keysInText(r.text)) expect(store.get(k)).toBe(input);
    }
  });

  it('an original with lone surrogates is retrieved exactly', () => {
    const input = repeatTo('\ud800abc\udfffdef\n', 10_000);
    const r = compressText(input, { store, kind: 'prose' });
    expect(r.retrievalKeys.length).toBeGreaterThan(0);
    expect(store.get(r.retrievalKeys[0]!)).toBe(input);
  });

  it('binary with NUL bytes is returned unchanged', () => {
    const input = CASES.find(([n]) => n === 'binary with NUL bytes')![1]();
    const r = compressText(input, { store });
    expect(r.text).toBe(input);
    expect(r.retrievalKeys).toEqual([]);
  });
});

describe('the check itself', () => {
  it('fails when a compressor throws, although compressText still returns the input', () => {
    const input = toolOutputs('p10')[0]!;
    const spy = vi.spyOn(jsonCompressor, 'compress').mockImplementation(() => {
      throw new Error('a compressor bug');
    });
    try {
      expect(compressText(input, { store, kind: 'json' }).text).toBe(input);
      expect(() => check(input, 'json')).toThrow(/a compressor threw on this input \(forced to json\)/);
    } finally {
      spy.mockRestore();
    }
    check(input, 'json');
  });
});
