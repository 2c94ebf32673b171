import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { billedUsd, loadPricing, moneySaved, priceFor } from '../src/pricing.js';

describe('pricing', () => {
  const table = loadPricing({});

  it('ships a dated table', () => {
    expect(table.taken).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Object.keys(table.models).length).toBeGreaterThan(10);
  });

  it('matches model ids by their longest known name at a boundary', () => {
    expect(priceFor(table, 'claude-sonnet-4-5-20250929')).toEqual(table.models['claude-sonnet-4-5']);
    expect(priceFor(table, 'claude-sonnet-4-20250514')).toEqual(table.models['claude-sonnet-4']);
    expect(priceFor(table, 'gpt-5-mini-2025-08-07')).toEqual(table.models['gpt-5-mini']);
    expect(priceFor(table, 'models/gemini-2.5-flash')).toEqual(table.models['gemini-2.5-flash']);
    expect(priceFor(table, 'gpt-5x')).toBeUndefined();
    expect(priceFor(table, 'gpt-fake')).toBeUndefined();
  });

  it('counts fresh savings at the input price and replayed ones at the cached price', () => {
    const p = table.models['claude-sonnet-4-5']!;
    const usd = moneySaved(table, { model: 'claude-sonnet-4-5', tokensBefore: 3_000_000, tokensAfter: 1_000_000, savedFresh: 500_000 });
    expect(usd).toBeCloseTo((0.5 * p.input + 1.5 * p.cachedInput), 6);
    expect(moneySaved(table, { model: 'claude-sonnet-4-5', tokensBefore: 10, tokensAfter: 10, savedFresh: 0 })).toBe(0);
    expect(moneySaved(table, { model: 'unknown-model', tokensBefore: 10, tokensAfter: 5, savedFresh: 5 })).toBeUndefined();
  });

  it('bills a receipt by class: cache reads at the cached price, Anthropic cache writes at 1.25x input', () => {
    const p = table.models['claude-sonnet-4-5']!;
    const t = { input: 1_000_000, cacheRead: 2_000_000, cacheWrite: 4_000_000, output: 100_000 };
    expect(billedUsd(table, 'anthropic', 'claude-sonnet-4-5-20250929', t)).toBeCloseTo(p.input + 2 * p.cachedInput + 4 * 1.25 * p.input + 0.1 * p.output, 9);
    const o = table.models['gpt-5']!;
    expect(billedUsd(table, 'openai-responses', 'gpt-5', { input: 1_000_000, cacheRead: 1_000_000, cacheWrite: 0, output: 0 })).toBeCloseTo(o.input + o.cachedInput, 9);
    expect(billedUsd(table, 'anthropic', 'unknown-model', t)).toBeUndefined();
  });

  it('takes user prices on top of the bundled ones, and rejects a malformed file', () => {
    const dir = fs.mkdtempSync(join(os.tmpdir(), 'headroom-pricing-'));
    try {
      const file = join(dir, 'p.json');
      fs.writeFileSync(file, JSON.stringify({ taken: '2030-01-01', models: { 'my-model': { input: 1, cachedInput: 0.1, output: 2 } } }));
      const t = loadPricing({ HEADROOM_PRICING: file });
      expect(t.taken).toBe('2030-01-01');
      expect(priceFor(t, 'my-model-v2')).toEqual({ input: 1, cachedInput: 0.1, output: 2 });
      expect(priceFor(t, 'gpt-5')).toEqual(table.models['gpt-5']);
      // Saved by an editor that starts files with a UTF-8 byte order mark.
      fs.writeFileSync(file, '\uFEFF' + JSON.stringify({ taken: '2030-02-02', models: { 'my-model': { input: 3, cachedInput: 0.3, output: 6 } } }));
      expect(priceFor(loadPricing({ HEADROOM_PRICING: file }), 'my-model')).toEqual({ input: 3, cachedInput: 0.3, output: 6 });
      fs.writeFileSync(file, JSON.stringify({ models: { x: { input: 'cheap' } } }));
      expect(() => loadPricing({ HEADROOM_PRICING: file })).toThrow(/expected/);
      expect(() => loadPricing({ HEADROOM_PRICING: join(dir, 'missing.json') })).toThrow(/cannot read/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
