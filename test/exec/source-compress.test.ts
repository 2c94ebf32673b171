import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { FileCcrStore } from '../../src/compress/ccr-store.js';
import { compressText } from '../../src/compress/compress-text.js';
import { compressSourceText, fitToChars, NOTE_ROOM, retrieveNote } from '../../src/exec/source-compress.js';
import { compressedByHeadroom, keysInText } from '../../src/compress/marker.js';
import { needleInView } from '../../src/bench/needles.js';
import { workloadOutput } from '../helpers/source-compare.js';

const KEY = '0123456789abcdef';

describe('fitToChars', () => {
  const lines = Array.from({ length: 2000 }, (_, i) => (i === 1200 ? 'ERROR: connection to db-7 refused' : i === 700 ? 'checkout latency spiked on shard 3' : `ok line ${i} ${'x'.repeat(40)}`));
  const text = lines.join('\n');

  it('leaves a text that fits alone', () => {
    expect(fitToChars('short', 100, '', KEY)).toBe('short');
  });

  it('keeps the edges, failure lines and query lines within the budget, with markers for the gaps', () => {
    const out = fitToChars(text, 4000, 'why did checkout latency spike?', KEY);
    expect(out.length).toBeLessThanOrEqual(4000);
    expect(out).toContain('ERROR: connection to db-7 refused');
    expect(out).toContain('checkout latency spiked on shard 3');
    expect(out.startsWith('ok line 0 ')).toBe(true);
    expect(out.endsWith(`ok line 1999 ${'x'.repeat(40)}`)).toBe(true);
    expect(keysInText(out)).toEqual([KEY]);
  });

  it('cuts a huge line into pieces and keeps the pieces that hold the query or a failure', () => {
    const items = Array.from({ length: 2000 }, (_, i) => (i === 1234 ? '{"name":"cookie-signature","version":"1.0.6","deprecated":"use 1.2.2"}' : `{"name":"pkg-${i}","version":"1.0.${i}"}`));
    const json = `[${items.join(',')}]`;
    const out = fitToChars(`${json}\nend`, 3000, 'which package is deprecated?', KEY);
    expect(out.length).toBeLessThanOrEqual(3000);
    expect(out).toContain('"deprecated":"use 1.2.2"');
    expect(out.startsWith('[{"name":"pkg-0"')).toBe(true);
    expect(out).toMatch(/\[\.\.\. \d+ characters omitted; headroom_retrieve key=0123456789abcdef \.\.\.\]/);
    expect(out.endsWith('end')).toBe(true);
  });

  it('fills the room left with lines spread over the text', () => {
    const out = fitToChars(text, 20_000, 'unrelated words', KEY);
    expect(out.length).toBeLessThanOrEqual(20_000);
    const kept = [...out.matchAll(/ok line (\d+) /g)].map((m) => Number(m[1]));
    expect(kept.length).toBeGreaterThan(120);
    expect(kept.some((n) => n > 900 && n < 1100)).toBe(true);
  });
});

describe('compressSourceText under an agent\'s size limit', () => {
  it('keeps less by the size policy until it fits, rather than cutting blindly what the engine kept', () => {
    const home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-fit-'));
    try {
      const store = new FileCcrStore(join(home, 'ccr'));
      const { output, question, needles } = workloadOutput('p03-sre-nginx-upstream-502');
      const maxChars = 9000;
      const r = compressSourceText(output, { query: question, minTokens: 2000, store, maxChars });
      expect(r.text.length).toBeLessThanOrEqual(maxChars);
      const cut = fitToChars(compressText(output, { query: question, store }).text, maxChars - NOTE_ROOM, question, KEY);
      const inView = (text: string) => needles.filter((n) => needleInView(n, text)).length;
      expect(inView(r.text)).toBeGreaterThan(inView(cut));
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('retrieveNote', () => {
  it('names the key and a query safe to paste into a shell', () => {
    const note = retrieveNote(KEY, 1000, 100, 'why "$HOME" `x`\nfails');
    expect(note).toContain(`headroom retrieve ${KEY}`);
    expect(note).toContain('--query "why HOME x fails"');
    expect(compressedByHeadroom(`some output\n${note}\n`)).toBe(true);
    expect(compressedByHeadroom('plain output')).toBe(false);
  });
});
