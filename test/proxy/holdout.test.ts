import { describe, expect, it } from 'vitest';
import { holdoutGroup, parseHoldout } from '../../src/proxy/holdout.js';

describe('holdout groups', () => {
  const ids = Array.from({ length: 2_000 }, (_, i) => `session-${i}`);

  it('keeps a session in its group and holds out about the share asked for', () => {
    const first = ids.map((id) => holdoutGroup(id, 20));
    expect(ids.map((id) => holdoutGroup(id, 20))).toEqual(first);
    const share = first.filter((g) => g === 'holdout').length / ids.length;
    expect(share).toBeGreaterThan(0.17);
    expect(share).toBeLessThan(0.23);
  });

  it('holds out nothing at 0 and everything at 100; a bigger share only adds sessions', () => {
    expect(ids.every((id) => holdoutGroup(id, 0) === 'headroom')).toBe(true);
    expect(ids.every((id) => holdoutGroup(id, 100) === 'holdout')).toBe(true);
    expect(ids.filter((id) => holdoutGroup(id, 10) === 'holdout').every((id) => holdoutGroup(id, 30) === 'holdout')).toBe(true);
  });

  it('parses a percentage', () => {
    expect(parseHoldout('10')).toBe(10);
    expect(parseHoldout('2.5%')).toBe(2.5);
    expect(parseHoldout('101')).toBeUndefined();
    expect(parseHoldout('-1')).toBeUndefined();
    expect(parseHoldout('ten')).toBeUndefined();
  });
});
