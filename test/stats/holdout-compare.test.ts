import { describe, expect, it } from 'vitest';
import type { HoldoutGroup } from '../../src/proxy/holdout.js';
import { compareGroups, MIN_SESSIONS, type GroupedRequest } from '../../src/stats/holdout-compare.js';

/** `n` sessions of `turns` requests each, costing `usd` per turn (plus a spread), with a given cache hit rate. */
function sessions(group: HoldoutGroup, n: number, turns: number, usd: number, hitRate: number): GroupedRequest[] {
  const out: GroupedRequest[] = [];
  for (let s = 0; s < n; s++) for (let t = 0; t < turns; t++) out.push({ group, session: `${group}-${s}`, usd: usd * (1 + ((s * 7 + t * 3) % 5) / 10), input: 1_000, cacheRead: 1_000 * hitRate });
  return out;
}

describe('holdout comparison', () => {
  it('says plainly when there is too little data, and gives no interval', () => {
    const c = compareGroups([...sessions('headroom', 3, 4, 0.01, 0.9), ...sessions('holdout', 1, 4, 0.02, 0.8)])!;
    expect(c.counts).toEqual({ headroom: { sessions: 3, turns: 12 }, holdout: { sessions: 1, turns: 4 } });
    expect(c.tooLittle).toContain(`at least ${MIN_SESSIONS} sessions`);
    expect(c.tooLittle).toContain('holdout: 1 sessions, 4 turns');
    expect(c.perSession.usd.interval).toBeNull();
    expect(c.perSession.usd.difference).toBeLessThan(0);
  });

  it('gives an interval that excludes 0 for a clear difference and holds 0 for none', () => {
    const clear = compareGroups([...sessions('headroom', 20, 5, 0.01, 0.9), ...sessions('holdout', 20, 5, 0.02, 0.7)])!;
    expect(clear.tooLittle).toBeNull();
    const [lo, hi] = clear.perSession.usd.interval!;
    expect(hi).toBeLessThan(0);
    expect(lo).toBeLessThanOrEqual(clear.perSession.usd.difference);
    expect(clear.perTurn.cacheHitRate.difference).toBeCloseTo(0.2, 9);

    const same = compareGroups([...sessions('headroom', 20, 5, 0.01, 0.9), ...sessions('holdout', 20, 5, 0.01, 0.9)])!;
    const [a, b] = same.perTurn.usd.interval!;
    expect(a).toBeLessThanOrEqual(0);
    expect(b).toBeGreaterThanOrEqual(0);
    expect(same.method).toMatch(/^bootstrap/);
  });

  it('is undefined without grouped requests', () => {
    expect(compareGroups([])).toBeUndefined();
  });
});
