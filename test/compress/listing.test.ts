import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { needleInView } from '../../src/bench/needles.js';
import { FileCcrStore } from '../../src/compress/ccr-store.js';
import { compressText } from '../../src/compress/compress-text.js';
import { detectKind } from '../../src/compress/detect.js';
import { nameWords, parseListingLine } from '../../src/compress/listing.js';
import type { Step } from '../../src/compress/focus.js';
import { toolOutputs, workloadIds } from './fixtures.js';

const CORPORA = fileURLToPath(new URL('../../fixtures/corpora/', import.meta.url));

interface Case {
  id: string;
  output: string;
  step: Step;
  needles: string[];
}

/** A corpus case: its output, the step that asked for it, and its needles. */
function readCase(corpus: string, id: string): Case {
  const dir = join(CORPORA, corpus, id);
  const req = JSON.parse(readFileSync(join(dir, 'request.json'), 'utf8')) as { messages: Array<{ content: Array<Record<string, unknown>> }> };
  const [user, assistant, result] = req.messages;
  const call = assistant!.content.find((b) => b['type'] === 'tool_use')!;
  return {
    id,
    output: result!.content[0]!['content'] as string,
    step: {
      task: user!.content[0]!['text'] as string,
      thought: assistant!.content.find((b) => b['type'] === 'text')!['text'] as string,
      tool: call['name'] as string,
      input: call['input'],
    },
    needles: (JSON.parse(readFileSync(join(dir, 'needles.json'), 'utf8')) as { needles: Array<{ text: string }> }).needles.map((n) => n.text),
  };
}

const caseIds = (corpus: string) =>
  readdirSync(join(CORPORA, corpus), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

const LISTINGS = caseIds('listings').map((id) => readCase('listings', id));
const store = new FileCcrStore(mkdtempSync(join(tmpdir(), 'hr-listing-')));

describe('file listings (real find and ls outputs, fixtures/corpora/listings)', () => {
  it('has cases of every command and several languages', () => {
    expect(LISTINGS.length).toBeGreaterThanOrEqual(60);
    const ids = LISTINGS.map((c) => c.id).join(' ');
    for (const k of ['find-name', 'find-all', 'ls-recursive', 'ls-long']) expect(ids).toContain(k);
  });

  it.each(LISTINGS.map((c) => [c.id, c] as const))('%s is told as a listing', (_id, c) => {
    expect(detectKind(c.output).kind).toBe('listing');
  });

  it.each(LISTINGS.map((c) => [c.id, c] as const))('%s keeps the entry the task names in view, and saves', (_id, c) => {
    const r = compressText(c.output, { step: c.step, store });
    expect(r.kind).toBe('listing');
    for (const n of c.needles) expect(needleInView(n, r.text), n).toBe(true);
    if (r.tokensBefore > 2000) expect(r.tokensAfter).toBeLessThan(r.tokensBefore * 0.6);
    if (r.text !== c.output) expect(r.text).toMatch(/\[\.\.\. \d+ entr(?:y|ies) omitted/);
    expect(r.text).not.toContain('entrys');
  });
});

describe('no other output is taken for a listing', () => {
  const tools = caseIds('tools');
  it(`of the ${tools.length} test, build and crash outputs of the tools corpus, only tsc --listFiles`, () => {
    const listed = tools.filter((id) => detectKind(readCase('tools', id).output).kind === 'listing');
    expect(listed).toEqual(['typescript-compile-tsc-scheduler-retry-generic-mismatch-list-files']);
  });

  it('of the outputs of the 13 workloads, only the find of p05', () => {
    const listed = workloadIds().flatMap((id) => toolOutputs(id).flatMap((o, i) => (detectKind(o).kind === 'listing' ? [`${id.slice(0, 3)}#${i}`] : [])));
    expect(listed).toEqual(['p05#0']);
  });

  it("a listing's lines that are not entries (an error among the files) stay", () => {
    const c = readCase('tools', 'typescript-compile-tsc-scheduler-retry-generic-mismatch-list-files');
    const lines = c.output.split('\n');
    const moved = [...lines.slice(2, 200), ...lines.slice(0, 2), ...lines.slice(200)].join('\n');
    const r = compressText(moved, { step: c.step, store });
    expect(r.kind).toBe('listing');
    for (const l of lines.slice(0, 2)) expect(r.text).toContain(l);
  });

  it('not a column of words or numbers', () => {
    expect(detectKind(Array.from({ length: 40 }, (_, i) => `item${i}`).join('\n')).kind).not.toBe('listing');
    expect(detectKind(Array.from({ length: 40 }, (_, i) => String(i * 37)).join('\n')).kind).not.toBe('listing');
  });
});

describe('reading a listing line', () => {
  it.each([
    ['./src/main/java/com/acme/OrderService.java', { path: './src/main/java/com/acme/OrderService.java' }],
    ['lrwxrwxrwx  1 root root   24 May  1  2025 src.zip -> ../../openjdk-17/src.zip', { path: 'src.zip' }],
    ['-rw-r--r--  1 root root 5364 Apr 21  2026 Scanner.java', { path: 'Scanner.java' }],
    ['│   ├── parse-headers.js', { path: 'parse-headers.js' }],
    ['./lib/handler:', { path: './lib/handler', header: true }],
    ['C:\\work\\app\\src\\main.rs', { path: 'C:\\work\\app\\src\\main.rs' }],
    ['total 1208', {}],
    ['error: cannot open directory', {}],
  ])('%s', (line, expected) => {
    expect(parseListingLine(line)).toEqual(expected);
  });

  it.each([
    ['AnySetterTest.java', ['any', 'setter', 'test', 'java']],
    ['parse-headers.js', ['parse', 'headers']],
    ['base_events.py', ['base', 'events']],
    ['HTTPClientImpl', ['http', 'client', 'impl']],
  ])('the words of %s', (name, words) => {
    expect(nameWords(name)).toEqual(words);
  });
});

describe('ls -R', () => {
  const sections = Array.from({ length: 60 }, (_, d) => [`./pkg/module${d}:`, ...Array.from({ length: 12 }, (_, f) => `file_${d}_${f}_helper.go`), ''].join('\n'));
  const listing = `.:\npkg\n\n${sections.join('\n')}`;

  it('a kept entry brings the header of its folder', () => {
    const r = compressText(listing.replace('file_37_4_helper.go', 'rate_limiter.go'), { step: { task: 'The rate limiter drops requests it should queue.', tool: 'bash', input: { command: 'ls -R' } }, store });
    expect(r.kind).toBe('listing');
    expect(r.text).toMatch(/\.\/pkg\/module37:\n(?:.*\n)*?rate_limiter\.go/);
    expect(r.tokensAfter).toBeLessThan(r.tokensBefore / 2);
  });
});
