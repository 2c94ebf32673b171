import { describe, expect, it } from 'vitest';
import { Scope, withScope } from '../../src/wrap/scope.js';

describe('withScope', () => {
  it('releases in reverse order when the body succeeds', async () => {
    const log: string[] = [];
    const value = await withScope(async (scope) => {
      await scope.use(() => 'a', (v) => void log.push(`release ${v}`));
      scope.defer(() => void log.push('release b'));
      await scope.use(async () => 'c', async (v) => void log.push(`release ${v}`));
      return 42;
    });
    expect(value).toBe(42);
    expect(log).toEqual(['release c', 'release b', 'release a']);
  });

  it("releases what was acquired when a later acquisition fails, and the acquisition's error wins", async () => {
    const log: string[] = [];
    const run = withScope(async (scope) => {
      await scope.use(() => 'memory', (v) => void log.push(`release ${v}`));
      await scope.use(
        () => {
          throw Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
        },
        () => void log.push('never acquired'),
      );
    });
    await expect(run).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(log).toEqual(['release memory']);
  });

  it('runs every release when one throws, and throws the first release error after a successful body', async () => {
    const log: string[] = [];
    const run = withScope(async (scope) => {
      scope.defer(() => void log.push('first acquired, released last'));
      scope.defer(() => {
        throw new Error('close failed');
      });
      scope.defer(() => void log.push('released first'));
      return 'done';
    });
    await expect(run).rejects.toThrow('close failed');
    expect(log).toEqual(['released first', 'first acquired, released last']);
  });

  it('a closed scope releases nothing twice', async () => {
    const scope = new Scope();
    let n = 0;
    scope.defer(() => void n++);
    expect(await scope.close()).toEqual([]);
    expect(await scope.close()).toEqual([]);
    expect(n).toBe(1);
  });
});
