import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { anomalies } from '../../src/compress/json-items.js';

afterEach(() => vi.restoreAllMocks());

/**
 * The anomaly finder as it was before it stopped recomputing each key's commonest value for
 * every item and key (quadratic: 32k items took minutes). Kept to check the fast one picks
 * exactly the same items.
 */
function anomaliesReference(raw: readonly unknown[]): number[] {
  const objs = raw.map((v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined));
  const n = objs.filter(Boolean).length;
  if (n < 5) return [];
  const keyCount = new Map<string, number>();
  const valueCount = new Map<string, Map<string, number>>();
  const numbers = new Map<string, number[]>();
  for (const o of objs) {
    if (!o) continue;
    for (const [k, v] of Object.entries(o)) {
      keyCount.set(k, (keyCount.get(k) ?? 0) + 1);
      if (typeof v === 'number') (numbers.get(k) ?? numbers.set(k, []).get(k)!).push(v);
      else if (typeof v === 'boolean' || (typeof v === 'string' && v.length <= 40)) {
        const m = valueCount.get(k) ?? valueCount.set(k, new Map()).get(k)!;
        m.set(String(v), (m.get(String(v)) ?? 0) + 1);
      }
    }
  }
  const stats = new Map<string, { mean: number; sd: number }>();
  for (const [k, xs] of numbers) {
    if (xs.length < 5) continue;
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    if (sd > 0) stats.set(k, { mean, sd });
  }
  const out: number[] = [];
  objs.forEach((o, i) => {
    if (!o) return;
    for (const [k, v] of Object.entries(o)) {
      const rareKey = keyCount.get(k)! <= Math.max(1, n * 0.1);
      const counts = valueCount.get(k);
      const dominant = counts ? Math.max(...counts.values()) : 0;
      const rareValue =
        counts !== undefined && counts.size <= 3 && dominant >= n * 0.8 && (counts.get(String(v)) ?? n) <= Math.max(1, n * 0.1);
      const st = typeof v === 'number' ? stats.get(k) : undefined;
      const outlier = st !== undefined && Math.abs((v as number) - st.mean) / st.sd > 3;
      if (rareKey || rareValue || outlier) {
        out.push(i);
        return;
      }
    }
  });
  return out;
}

// Few keys and few values, so rare keys, rare values and outliers all turn up.
const key = fc.constantFrom('status', 'name', 'size', 'ok', 'error', 'x');
const value = fc.oneof(
  fc.constantFrom('active', 'active', 'active', 'archived', 'failed', '', 'a'.repeat(41)),
  fc.boolean(),
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(0, 1, 1000, -1e6, 0.5),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 2 }),
);
const item = fc.oneof(
  { weight: 8, arbitrary: fc.dictionary(key, value, { maxKeys: 5 }) },
  { weight: 1, arbitrary: fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 })) },
);

/** Mostly the same object, with a few that differ: the shape anomalies are looked for in. */
const skewed = fc
  .tuple(fc.integer({ min: 5, max: 200 }), fc.array(fc.tuple(fc.nat(), fc.dictionary(key, value, { maxKeys: 4 })), { maxLength: 8 }))
  .map(([n, odd]) => {
    const items: unknown[] = Array.from({ length: n }, (_, i) => ({ status: 'active', size: 10 + (i % 3), ok: true }));
    for (const [at, o] of odd) items[at % n] = o;
    return items;
  });

describe('anomalies', () => {
  it('picks the same items as the reference on random arrays', () => {
    fc.assert(
      fc.property(fc.oneof(fc.array(item, { maxLength: 60 }), skewed), (items) => {
        expect(anomalies(items)).toEqual(anomaliesReference(items));
      }),
      { numRuns: 400 },
    );
  });

  it.each([
    ['a rare key', [...Array.from({ length: 30 }, () => ({ a: 1 })), { a: 1, debug: 'x' }], [30]],
    ['a rare value of a near-constant key', [...Array.from({ length: 30 }, () => ({ state: 'ok' })), { state: 'stuck' }], [30]],
    ['a numeric outlier', [...Array.from({ length: 30 }, (_, i) => ({ ms: 10 + (i % 2) })), { ms: 900 }], [30]],
    ['nothing odd', Array.from({ length: 30 }, (_, i) => ({ id: i, state: i % 2 ? 'a' : 'b' })), []],
    ['too few objects', [{ a: 1 }, { b: 2 }, 3, 'x'], []],
  ])('finds %s', (_name, items, expected) => {
    expect(anomalies(items)).toEqual(expected);
    expect(anomaliesReference(items)).toEqual(expected);
  });

  it("reads each key's value counts once, not once per item", () => {
    const items = Array.from({ length: 2000 }, (_, i) => ({ id: `item-${i}`, state: i % 7 ? 'ok' : 'retry', n: i % 5 }));
    const values = vi.spyOn(Map.prototype, 'values');
    anomalies(items);
    // Two keys have value counts (id, state); reading them per item made 4000 calls.
    expect(values.mock.calls.length).toBeLessThanOrEqual(2);
  });
});
