import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildDist, ROOT } from '../helpers/build-dist.js';
import { loadUseLite } from '../../src/memory/embedders/use-lite.js';
import { Memories } from '../../src/memory/memory.js';

const run = promisify(execFile);
let home: string;

beforeAll(() => {
  buildDist();
  home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-mem-many-'));
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

it('two processes saving 1,000 memories each at once (500 the same): nothing lost, no duplicate rows', async () => {
  const env = { ...process.env, HEADROOM_HOME: home, HEADROOM_USER: 'ada', HEADROOM_EMBEDDER: 'use-lite' };
  const child = (from: number, to: number, agent: string) => run(process.execPath, [join(ROOT, 'test/memory/save-many.mjs'), String(from), String(to), agent], { env, maxBuffer: 1 << 20 });
  // Both are awaited before anything is checked: a failed one must not leave the other writing.
  const [a, b] = await Promise.allSettled([child(0, 1000, 'codex'), child(500, 1500, 'claude')]);
  for (const r of [a, b]) if (r.status === 'rejected') throw r.reason;
  const ca = JSON.parse((a as PromiseFulfilledResult<{ stdout: string }>).value.stdout) as { inserted: number; merged: number };
  const cb = JSON.parse((b as PromiseFulfilledResult<{ stdout: string }>).value.stdout) as { inserted: number; merged: number };
  expect(ca.inserted + cb.inserted).toBe(1500);
  expect(ca.merged + cb.merged).toBe(500);

  const m = await Memories.open({ env: { HEADROOM_HOME: home, HEADROOM_USER: 'ada' }, embedder: await loadUseLite(), project: 'github.com/acme/many' });
  const all = await m.list();
  m.close();
  expect(all).toHaveLength(1500);
  expect(new Set(all.map((x) => x.text)).size).toBe(1500);
  const shared = all.filter((x) => x.agents.length === 2);
  expect(shared).toHaveLength(500);
  for (const x of shared) expect(Number(/svc-(\d+)/.exec(x.text)![1])).toBeGreaterThanOrEqual(500);
  for (const x of all.filter((y) => y.agents.length === 1)) {
    const i = Number(/svc-(\d+)/.exec(x.text)![1]);
    expect(x.agents).toEqual([i < 500 ? 'codex' : 'claude']);
  }
}, 600_000);
