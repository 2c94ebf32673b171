import { describe, expect, it } from 'vitest';
import { compressText } from '../../src/compress/compress-text.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileCcrStore } from '../../src/compress/ccr-store.js';

const text = readFileSync(new URL('../../fixtures/outputs/search/grep-context-commander.txt', import.meta.url), 'utf8');
const lines = text.split('\n');
const store = new FileCcrStore(mkdtempSync(join(tmpdir(), 'headroom-search-')));

describe('search results with context lines (grep -B1 -A2)', () => {
  const out = compressText(text, { store, step: { thought: 'Where are the private fields set?', tool: 'bash', input: { command: 'grep -rn -B1 -A2 "this\\._" node_modules/commander/lib/' } } });
  const kept = new Set(out.text.split('\n'));

  it('is compressed as search results', () => {
    expect(out.kind).toBe('search');
    expect(out.tokensAfter).toBeLessThan(out.tokensBefore * 0.5);
  });

  it('keeps each kept hit with its context lines', () => {
    const isHit = (l: string) => /^[^:\s]+:\d+:/.test(l);
    const isContext = (l: string) => /^[^:\s]+-\d+-/.test(l);
    let checked = 0;
    lines.forEach((l, i) => {
      if (!isHit(l) || !kept.has(l)) return;
      // The -A lines after a kept hit, up to the next hit or group end, stay with it.
      for (let j = i + 1; j < lines.length && isContext(lines[j]!); j++) expect(kept.has(lines[j]!), lines[j]).toBe(true);
      checked++;
    });
    expect(checked).toBeGreaterThan(3);
  });

  it('keeps every hit in the file the step names', () => {
    const named = compressText(text, { store, step: { thought: 'Arguments are declared in lib/argument.js: what does it set?', tool: 'bash', input: { command: 'grep -rn -B1 -A2 "this\\._" node_modules/commander/lib/' } } });
    const hits = lines.filter((l) => l.startsWith('node_modules/commander/lib/argument.js:'));
    expect(hits.length).toBe(7);
    const keptNamed = new Set(named.text.split('\n'));
    for (const h of hits) expect(keptNamed.has(h), h).toBe(true);
  });
});
