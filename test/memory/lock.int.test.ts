import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildDist, ROOT } from '../helpers/build-dist.js';

// The memory write lock across real processes: several race for a lock whose owner died, round
// after round; only one may hold it at a time, and every one gets it.

let dir: string;
beforeAll(() => {
  buildDist();
  dir = fs.mkdtempSync(join(os.tmpdir(), 'headroom-lock-race-'));
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has exited (its lock is stale). */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

it('processes racing to take over a stale lock: one holder at a time, every round, and nothing left behind', async () => {
  const RACERS = 6;
  const ROUNDS = 40;
  const lock = join(dir, 'write.lock');
  let failed: Error | undefined;
  const children: ChildProcess[] = [];
  const exits = Array.from({ length: RACERS }, (_, i) => {
    const child = spawn(process.execPath, [join(ROOT, 'test/memory/lock-racer.mjs'), dir, String(i), String(ROUNDS)], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    return new Promise<void>((ok) =>
      child.on('close', (code) => {
        if (code !== 0) failed ??= new Error(`racer ${i} exited ${code}: ${err}`);
        ok();
      }),
    );
  });
  const outcomes: string[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      // A lock left by a process that died, as an older headroom wrote it (the owner's pid alone).
      fs.mkdirSync(lock);
      fs.writeFileSync(join(lock, 'owner'), String(deadPid()));
      fs.writeFileSync(join(dir, `go-${round}`), '');
      const done = Array.from({ length: RACERS }, (_, i) => join(dir, `done-${round}-${i}`));
      while (!done.every((f) => fs.existsSync(f))) {
        if (failed) throw failed;
        await sleep(2);
      }
      outcomes.push(...done.map((f) => fs.readFileSync(f, 'utf8')));
    }
  } catch (err) {
    for (const c of children) if (c.exitCode === null) c.kill();
    await Promise.all(exits);
    throw err;
  }
  await Promise.all(exits);
  if (failed) throw failed;
  expect(outcomes.filter((o) => o === 'overlap')).toEqual([]);
  expect(outcomes).toHaveLength(RACERS * ROUNDS);
  const left = fs.readdirSync(dir).filter((f) => !/^(go|done)-/.test(f));
  expect(left).toEqual([]);
}, 600_000);
