import { describe, expect, it } from 'vitest';
import { count } from '../src/plural.js';

describe('count', () => {
  it.each([
    [0, 'request', undefined, '0 requests'],
    [1, 'request', undefined, '1 request'],
    [2, 'request', undefined, '2 requests'],
    [1, 'memory', 'memories', '1 memory'],
    [3, 'memory', 'memories', '3 memories'],
  ])('%i %s', (n, noun, plural, expected) => {
    expect(count(n, noun, plural)).toBe(expected);
  });
});
