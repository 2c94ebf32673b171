import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ccrKey, FileCcrStore } from '../../src/compress/ccr-store.js';
import { compressContext, compressText, compressionFailures, MIN_CHARS, type CompressOptions } from '../../src/compress/compress-text.js';
import { keysInText } from '../../src/compress/marker.js';
import { COMPRESSORS } from '../../src/compress/registry.js';
import type { Compressor, ContentKind } from '../../src/compress/types.js';
import { question, toolOutputs } from './fixtures.js';

/**
 * The contract every compressor keeps, checked on one shared set of inputs: through compressText
 * (detected and forced to each kind) it never throws, never grows the text, gives the same answer
 * twice, leaves the failure counter alone on valid input, and every marker it writes retrieves the
 * exact original. Called directly, a compressor is deterministic and its markers name only the key
 * it was given.
 */

let dir: string;
let store: FileCcrStore;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'headroom-contract-'));
  store = new FileCcrStore(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const output = (file: string) => readFileSync(new URL(`../../fixtures/${file}`, import.meta.url), 'utf8');

function repeatTo(text: string, chars: number): string {
  return text.repeat(Math.ceil(chars / text.length)).slice(0, chars);
}

/** Bytes from a fixed xorshift sequence, without NUL: text a decoder made of binary data. */
function binaryish(n: number, seed: number): string {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = (x % 255) + 1;
  }
  return new TextDecoder().decode(out);
}

/** An HTML page of many sections (no HTML output ships in fixtures/). */
function htmlPage(): string {
  const sections = Array.from({ length: 60 }, (_, i) =>
    `<section id="v${i}"><h2>v2.${i}.0</h2>\n<ul><li>Fixed issue #${1000 + i} in the router.</li><li>Faster uploads (${i * 3}%).</li></ul>\n<p>Release ${i} drops nothing.</p></section>`,
  );
  return `<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>Release notes</title></head>\n<body>\n<nav><a href="/">Home</a></nav>\n<main>\n${sections.join('\n')}\n</main>\n<script src="/app.js"></script>\n</body>\n</html>`;
}

/** A CSV export of 300 rows (no table output ships in fixtures/). */
function csv(): string {
  const rows = Array.from({ length: 300 }, (_, i) => `${1000 + i},Customer ${i},c${i}@shop.example,${['free', 'team', 'enterprise'][i % 3]},${(i * 7) % 500},${((i * 37) % 9000).toFixed(2)}`);
  return ['id,name,email,plan,seats,mrr_usd', ...rows].join('\n');
}

/** The output of a case of the file-listing corpus (a real `find`). */
function listingOutput(id: string): string {
  const req = JSON.parse(readFileSync(new URL(`../../fixtures/corpora/listings/${id}/request.json`, import.meta.url), 'utf8')) as { messages: Array<{ content: Array<{ content?: string }> }> };
  return req.messages[2]!.content[0]!.content!;
}

/** One input per kind: a real tool output where fixtures/ has one. */
const KIND_FIXTURES: Record<ContentKind, () => string> = {
  json: () => toolOutputs('p10')[0]!,
  search: () => toolOutputs('p01')[0]!,
  test: () => toolOutputs('p06')[0]!,
  build: () => toolOutputs('p07')[0]!,
  trace: () => output('outputs/traceback/go-panic.txt'),
  log: () => toolOutputs('p12')[0]!,
  diff: () => toolOutputs('p08')[0]!,
  code: () => output('code/shlex.py'),
  html: htmlPage,
  table: csv,
  listing: () => listingOutput('java-find-name-jdk-util-1'),
  prose: () => toolOutputs('p05')[0]!,
};

const INPUTS: Array<[string, () => string]> = [
  ['empty', () => ''],
  ['one line', () => 'npm ERR! missing script: build'],
  ['binary-ish', () => binaryish(30_000, 7)],
  ['a 1 MB single line', () => repeatTo('GET /api/search?q=lamp HTTP/1.1 upstream timed out; ', 1_000_000)],
  ['CRLF line ends', () => toolOutputs('p12')[0]!.replace(/\n/g, '\r\n')],
  ['unicode', () => repeatTo('2024-05-14 ERROR 用户 ünïcödé ✓ 🚀 שלום e\u0301 \u200d\n2024-05-14 INFO 正常 ok\n', 40_000)],
  ...Object.entries(KIND_FIXTURES).map(([kind, make]): [string, () => string] => [`the ${kind} fixture`, make]),
];

const QUERY = question('p12');

/** The contract through compressText; `opts.kind` forces a compressor. */
function expectContract(input: string, opts: CompressOptions = {}): void {
  const failuresBefore = compressionFailures();
  const r = compressText(input, { query: QUERY, store, ...opts });
  expect(compressionFailures(), 'the failure counter moved: a compressor threw').toBe(failuresBefore);
  expect(r.text.length).toBeLessThanOrEqual(input.length);
  expect(r.tokensAfter).toBeLessThanOrEqual(r.tokensBefore);
  if (input.length < MIN_CHARS) expect(r.text).toBe(input);
  const keys = keysInText(r.text);
  expect(r.retrievalKeys).toEqual(keys);
  for (const k of keys) expect(store.get(k)).toBe(input);
  const again = compressText(input, { query: QUERY, store, ...opts });
  expect(again.text).toBe(r.text);
  expect(again.retrievalKeys).toEqual(r.retrievalKeys);
}

const BY_KIND: Array<[ContentKind, Compressor]> = COMPRESSORS.map((c) => [c.kind, c]);

describe('the compressor contract', () => {
  it('covers every compressor in the registry and a fixture for each kind', () => {
    expect(BY_KIND.map(([k]) => k).sort()).toEqual(Object.keys(KIND_FIXTURES).sort());
  });

  describe.each(INPUTS)('%s', (_name, make) => {
    const input = make();

    it('compressText, kind detected', () => expectContract(input));

    it.each(BY_KIND)('compressText forced to %s', (kind) => expectContract(input, { kind }));

    it.each(BY_KIND)('%s called directly: no throw, deterministic, markers name its key', (_kind, c) => {
      const key = ccrKey(input);
      const ctx = compressContext(input, key, { query: QUERY });
      const first = c.compress(input, ctx);
      expect(c.compress(input, ctx)).toBe(first);
      for (const k of keysInText(first)) expect(k).toBe(key);
    });
  });
});
