import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileCcrStore } from '../../src/compress/ccr-store.js';
import { compressionFailures, compressText, MIN_CHARS } from '../../src/compress/compress-text.js';
import { keysInText } from '../../src/compress/marker.js';
import { CONTENT_KINDS, type ContentKind } from '../../src/compress/types.js';

let dir: string;
let store: FileCcrStore;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'headroom-properties-'));
  store = new FileCcrStore(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RUNS = { numRuns: 60 };

/** Repeat (with a counter, so repeats are not identical) until past MIN_CHARS. */
function grow(lines: readonly string[], sep = '\n'): string {
  if (lines.length === 0) return '';
  const out: string[] = [];
  let len = 0;
  for (let i = 0; len <= MIN_CHARS + 200; i++) {
    const l = lines[i % lines.length]!;
    out.push(l);
    len += l.length + sep.length;
    if (i > 100_000) break;
  }
  return out.join(sep);
}

/** The invariants every compression must hold; returns the result for further checks. */
function checkInvariants(input: string, query: string, kind?: ContentKind) {
  const opts = { query, store, ...(kind ? { kind } : {}) };
  const r = compressText(input, opts);
  expect(r.tokensAfter).toBeLessThanOrEqual(r.tokensBefore);
  expect(r.text.length).toBeLessThanOrEqual(input.length);
  const again = compressText(input, opts);
  expect(again.text).toBe(r.text);
  expect(again.retrievalKeys).toEqual(r.retrievalKeys);
  const keys = keysInText(r.text);
  for (const k of keys) expect(store.get(k)).toBe(input);
  for (const k of keys) expect(r.retrievalKeys).toContain(k);
  if (r.text === input) expect(r.tokensAfter).toBe(r.tokensBefore);
  return r;
}

const query = fc.constantFrom('', 'why does the request fail with a timeout?', 'error 502 upstream', 'lib/reply.js onSend');

const level = fc.constantFrom('INFO', 'DEBUG', 'WARN', 'ERROR', 'FATAL', 'TRACE');
const word = fc.stringMatching(/^[a-z]{2,10}$/);
const words = fc.array(word, { minLength: 1, maxLength: 10 }).map((w) => w.join(' '));
const timestamp = fc
  .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

const logLine = fc
  .tuple(timestamp, level, fc.constantFrom('api', 'db', 'worker-3', 'auth'), words, fc.nat(99999))
  .map(([ts, lv, comp, msg, n]) => `${ts} ${lv.padEnd(5)} [${comp}] ${msg} id=${n}`);

const searchLine = fc
  .tuple(fc.constantFrom('lib/reply.js', './src/index.ts', 'test/hooks.test.js', 'docs/Reference/Hooks.md'), fc.integer({ min: 1, max: 5000 }), fc.boolean(), words)
  .map(([path, line, match, text]) => `${path}${match ? ':' : '-'}${line}${match ? ':' : '-'}  ${text}`);

const hunk = fc
  .tuple(fc.integer({ min: 1, max: 900 }), fc.array(fc.tuple(fc.constantFrom(' ', '+', '-'), words), { minLength: 1, maxLength: 12 }))
  .map(([start, body]) => [`@@ -${start},${body.length} +${start},${body.length} @@ function f()`, ...body.map(([c, t]) => `${c}${t}`)].join('\n'));
const fileDiff = fc
  .tuple(fc.constantFrom('lib/router.js', 'src/app.ts', 'README.md'), fc.array(hunk, { minLength: 1, maxLength: 4 }))
  .map(([f, hunks]) => [`diff --git a/${f} b/${f}`, 'index 3b18e51..a9c2f4d 100644', `--- a/${f}`, `+++ b/${f}`, ...hunks].join('\n'));

describe('compressText properties', () => {
  it('arbitrary short strings come back unchanged', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: MIN_CHARS - 1, unit: 'grapheme' }), query, (s, q) => {
        const r = checkInvariants(s, q);
        expect(r.text).toBe(s);
        expect(r.retrievalKeys).toEqual([]);
      }),
      RUNS,
    );
  });

  it('arbitrary strings repeated past MIN_CHARS, detected or forced to any kind', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 120, unit: 'grapheme' }), { minLength: 1, maxLength: 30 }),
        fc.option(fc.constantFrom(...CONTENT_KINDS), { nil: undefined }),
        query,
        (parts, kind, q) => {
          checkInvariants(grow(parts.map((p, i) => `${p}${i}`)), q, kind);
        },
      ),
      RUNS,
    );
  });

  it('arbitrary binary-ish strings (lone surrogates, control chars) past MIN_CHARS', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 300, unit: 'binary' }), query, (s, q) => {
        checkInvariants(grow([s, `${s}x`], ''), q);
      }),
      RUNS,
    );
  });

  it.each([
    ['compact', undefined],
    ['indented', 2],
  ] as const)('JSON values (%s) past MIN_CHARS: valid JSON never makes the compressor fail', (_name, indent) => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 4 }), { minLength: 1, maxLength: 12 }), query, (values, q) => {
        let arr: unknown[] = values;
        while (JSON.stringify(arr, null, indent).length <= MIN_CHARS) arr = [...arr, ...values, arr.length];
        const text = JSON.stringify(arr, null, indent);
        const failures = compressionFailures();
        const r = checkInvariants(text, q);
        expect(r.kind).toBe('json');
        expect(compressionFailures()).toBe(failures);
      }),
      RUNS,
    );
  });

  it.each([
    ['log lines', logLine, 'log'],
    ['path:line:text search lines', searchLine, 'search'],
  ] as const)('%s past MIN_CHARS', (_name, line, kind) => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 60 }), query, (lines, q) => {
        const failures = compressionFailures();
        const r = checkInvariants(grow(lines), q);
        expect(r.kind).toBe(kind);
        expect(compressionFailures()).toBe(failures);
      }),
      RUNS,
    );
  });

  it('unified-diff-like text past MIN_CHARS keeps every changed line', () => {
    fc.assert(
      fc.property(fc.array(fileDiff, { minLength: 1, maxLength: 6 }), query, (files, q) => {
        const text = grow(files);
        const failures = compressionFailures();
        const r = checkInvariants(text, q);
        expect(r.kind).toBe('diff');
        expect(compressionFailures()).toBe(failures);
        const kept = new Set(r.text.split('\n'));
        for (const l of text.split('\n')) if (/^[+-](?!--|\+\+)/.test(l)) expect(kept.has(l), l).toBe(true);
      }),
      RUNS,
    );
  });
});
