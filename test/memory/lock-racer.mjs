// One racer of the stale-lock test (imports the built package). Round by round, it waits for the
// round's go file, runs once under the write lock, and inside it creates the holder file
// exclusively: a second process inside at the same time finds it there. Then it says it is done.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { WriteLock } from '../../dist/memory/lock.js';

const [dir, id, rounds] = [process.argv[2], process.argv[3], Number(process.argv[4])];
const lock = new WriteLock(join(dir, 'write.lock'), 60_000);
const holder = join(dir, 'holder');
for (let round = 0; round < rounds; round++) {
  while (!existsSync(join(dir, `go-${round}`))) await sleep(1);
  let overlap = false;
  await lock.run(async () => {
    try {
      writeFileSync(holder, id, { flag: 'wx' });
    } catch {
      overlap = true;
    }
    await sleep(2); // a save holds the lock for a while
    if (!overlap) rmSync(holder);
  });
  writeFileSync(join(dir, `done-${round}-${id}`), overlap ? 'overlap' : 'alone');
}
