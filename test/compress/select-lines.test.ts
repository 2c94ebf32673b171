import { describe, expect, it } from 'vitest';
import { chooseLines } from '../../src/compress/select-lines.js';

const linesOf = (n: number) => Array.from({ length: n }, (_, i) => `line ${String(i).padStart(3, '0')} of a source file read in one window`);
const flat = (n: number, v = 1) => ({ value: new Float64Array(n).fill(v), must: new Uint8Array(n) });

describe('chooseLines', () => {
  it('keeps every line when the budget holds the whole text', () => {
    const lines = linesOf(120);
    const keep = chooseLines({ lines, ...flat(120) }, { budgetChars: lines.join('\n').length });
    expect([...keep].every((k) => k === 1)).toBe(true);
  });

  it('counts a marker for each run of lines left out, not for each line kept alone', () => {
    // Every other line is worth more: those are taken first, each alone, and each then closes
    // the gap between two others. Charging every line kept alone a marker filled the budget
    // with markers never written (40% of the text kept in a budget of 90%).
    const lines = linesOf(200);
    const whole = lines.join('\n').length;
    const budget = Math.round(whole * 0.9);
    const value = Float64Array.from({ length: 200 }, (_, i) => (i % 2 ? 1 : 0.1));
    const keep = chooseLines({ lines, value, must: new Uint8Array(200) }, { budgetChars: budget });
    const kept = lines.filter((_, i) => keep[i]).reduce((n, l) => n + l.length + 1, 0);
    let runs = 0;
    for (let i = 0; i < lines.length; i++) if (!keep[i] && (i === 0 || keep[i - 1])) runs++;
    expect(kept + runs * 64).toBeLessThanOrEqual(budget);
    expect(kept).toBeGreaterThan(whole * 0.75);
  });
});
