import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSourceHook } from '../../src/exec/source-hook.js';
import { followSourceLog, recordSourceSaving, sessionQuery, writeSessionQuery } from '../../src/exec/source-log.js';

describe('runSourceHook: never fails the agent\'s tool call', () => {
  it('prints the answer as one JSON line', async () => {
    expect(await runSourceHook(async (input) => ({ seen: input }), '{"a":1}', {})).toBe('{"seen":{"a":1}}\n');
  });

  it.each([
    ['input that is not JSON', 'not json', async () => ({ x: 1 })],
    ['a hook that throws', '{}', async () => { throw new Error('file gone'); }],
    ['a hook with no answer', '{}', async () => undefined],
  ])('%s: prints nothing', async (_what, text, hook) => {
    expect(await runSourceHook(hook, text, {})).toBeUndefined();
  });
});

describe('a wrapped session\'s folder, shared by wrap and the hooks it runs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-source-log-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the latest user message written by wrap is the query a hook compresses for', () => {
    const env = { HEADROOM_SESSION_DIR: dir };
    expect(sessionQuery(env)).toBe('');
    writeSessionQuery(dir, 'why does the build fail?');
    expect(sessionQuery(env)).toBe('why does the build fail?');
    expect(sessionQuery({ ...env, HEADROOM_QUERY: 'given' })).toBe('given');
  });

  it('followSourceLog hands on what was saved, and stop takes one last look', () => {
    const env = { HEADROOM_SESSION_DIR: dir };
    const seen: string[] = [];
    const stop = followSourceLog(dir, (savings) => seen.push(...savings.map((s) => `${s.by}:${s.tokensBefore - s.tokensAfter}`)), 60_000);
    recordSourceSaving(env, { by: 'exec', tokensBefore: 1000, tokensAfter: 100, key: '0123456789abcdef' });
    recordSourceSaving(env, { by: 'claude-hook', tokensBefore: 500, tokensAfter: 200 });
    expect(seen).toEqual([]);
    stop();
    expect(seen).toEqual(['exec:900', 'claude-hook:300']);
  });
});
