import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { headTail } from '../../src/bench/head-tail.js';
import { needleInView } from '../../src/bench/needles.js';
import { FileCcrStore } from '../../src/compress/ccr-store.js';
import { compressText } from '../../src/compress/compress-text.js';
import { restoreLinePrefixes, stripLinePrefixes } from '../../src/compress/line-prefix.js';
import { MARKER_RE } from '../../src/compress/marker.js';

const store = new FileCcrStore(mkdtempSync(join(tmpdir(), 'hr-prefix-')));

/** A case of the tools corpus: its output, task and command, and needles. */
function toolsCase(id: string) {
  const dir = new URL(`../../fixtures/corpora/tools/${id}/`, import.meta.url);
  const req = JSON.parse(readFileSync(new URL('request.json', dir), 'utf8')) as { messages: Array<{ content: Array<Record<string, unknown>> }> };
  const call = req.messages[1]!.content.find((b) => b['type'] === 'tool_use')!;
  return {
    output: req.messages[2]!.content[0]!['content'] as string,
    step: { task: req.messages[0]!.content[0]!['text'] as string, tool: 'bash', input: call['input'] },
    needles: (JSON.parse(readFileSync(new URL('needles.json', dir), 'utf8')) as { needles: Array<{ text: string }> }).needles.map((n) => n.text),
  };
}

describe('a runner prefix on each line (ctest -V: "1: ")', () => {
  // Real `ctest -V` runs (fixtures/corpora/tools, SOURCE.md): an AddressSanitizer report and a
  // failing test's output, each line prefixed with the test's number.
  it.each(['cpp-test-ctest-routes-dangling-adjacency-asan-verbose', 'cpp-test-ctest-routes-one-way-ignored-verbose'])('%s is read without it and keeps its lines as they were', (id) => {
    const c = toolsCase(id);
    expect(stripLinePrefixes(c.output)).toBeDefined();
    const r = compressText(c.output, { step: c.step, store });
    expect(r.tokensAfter).toBeLessThanOrEqual(r.tokensBefore);
    const original = new Set(c.output.split('\n'));
    for (const line of r.text.split('\n')) if (!new RegExp(MARKER_RE.source).test(line)) expect(original.has(line), line).toBe(true);
    // Never fewer needles than a head+tail cut of the same size (with the prefix read as text, 1 of 8).
    const cut = headTail(c.output, r.tokensAfter);
    const inView = (text: string) => c.needles.filter((n) => needleInView(n, text)).length;
    expect(inView(r.text)).toBeGreaterThanOrEqual(inView(cut));
  });

  it('the AddressSanitizer report under the prefix is read as a crash: its error, first frames in the project and summary stay', () => {
    const c = toolsCase('cpp-test-ctest-routes-dangling-adjacency-asan-verbose');
    const r = compressText(c.output, { step: c.step, store });
    for (const n of ['ERROR: AddressSanitizer: heap-use-after-free', 'src/graph.cpp:37', 'SUMMARY: AddressSanitizer']) expect(r.text).toContain(n);
  });
});

describe('what is not a prefix', () => {
  it('a location on each line (compiler diagnostics)', () => {
    const out = Array.from({ length: 30 }, (_, i) => `src/parse.c:${10 + i}: warning: unused variable 'x${i}'`).join('\n');
    expect(stripLinePrefixes(out)).toBeUndefined();
  });

  it('a line number on each line (a numbered file view)', () => {
    const out = Array.from({ length: 30 }, (_, i) => `${i + 1}: const v${i} = compute(${i});`).join('\n');
    expect(stripLinePrefixes(out)).toBeUndefined();
  });

  it('a prefix on too few lines', () => {
    const out = [...Array.from({ length: 30 }, (_, i) => `plain line ${i}`), ...Array.from({ length: 5 }, (_, i) => `1: prefixed ${i}`)].join('\n');
    expect(stripLinePrefixes(out)).toBeUndefined();
  });
});

describe('service and task prefixes', () => {
  it('docker compose style "web-1  | " comes off and goes back on', () => {
    const lines = Array.from({ length: 40 }, (_, i) => `${i % 2 ? 'web-1  ' : 'db-1   '}| request ${i} served in ${i * 3} ms`);
    const p = stripLinePrefixes(lines.join('\n'))!;
    expect(p.stripped[0]).toBe('request 0 served in 0 ms');
    const kept = [p.stripped[3]!, '[... 10 lines omitted; headroom_retrieve key=0123456789abcdef ...]', p.stripped[20]!].join('\n');
    expect(restoreLinePrefixes(kept, p).split('\n')).toEqual([lines[3], '[... 10 lines omitted; headroom_retrieve key=0123456789abcdef ...]', lines[20]]);
  });

  it('a package:task prefix ("web:build: ")', () => {
    const out = Array.from({ length: 20 }, (_, i) => `${i % 3 ? 'web' : 'api'}:build: step ${i}`).join('\n');
    expect(stripLinePrefixes(out)?.stripped[1]).toBe('step 1');
  });

  it('a line that occurs twice goes back to each of its places in order', () => {
    const lines = Array.from({ length: 20 }, (_, i) => `${(i % 2) + 1}: ${i === 4 || i === 9 ? 'same text' : `line ${i}`}`);
    const p = stripLinePrefixes(lines.join('\n'))!;
    expect(restoreLinePrefixes('same text\nsame text', p)).toBe(`${lines[4]}\n${lines[9]}`);
  });
});
