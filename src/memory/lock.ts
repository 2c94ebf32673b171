import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A cross-process write lock: a directory holding an `owner` file ("<pid> <random token>").
 * Saves check for duplicates and then insert; two processes doing that at once would both
 * insert, so the check and the write happen under this lock.
 *
 * The lock appears whole: the directory is made aside with its owner file and renamed into
 * place, which fails while a lock is there. A lock whose owner died is taken over by exactly one
 * process: the one that creates the claim folder named after that lock's token beside it. Only
 * the claim's holder removes a lock, and only the lock with that token; a process that judged
 * an older lock stale finds a different token (or none) and leaves the lock alone. A lock is
 * removed by renaming it away first, so the lock path never holds an empty folder.
 */
export class WriteLock {
  private held = false;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly path: string, private readonly timeoutMs = 60_000) {}

  /** Runs `fn` holding the lock (calls from one process are queued, not nested). */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.queue;
    let release!: () => void;
    this.queue = new Promise((r) => (release = r));
    await previous;
    try {
      await this.acquire();
      try {
        return await fn();
      } finally {
        this.releaseLock();
      }
    } finally {
      release();
    }
  }

  private async acquire(): Promise<void> {
    const started = Date.now();
    const mine = `${this.path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    fs.mkdirSync(mine, { mode: 0o700 });
    try {
      fs.writeFileSync(join(mine, 'owner'), `${process.pid} ${randomBytes(8).toString('hex')}`, { mode: 0o600 });
      // Short waits: a save holds the lock for tens of milliseconds, and a rename is cheap to retry.
      for (let wait = 1; ; wait = Math.min(wait * 2, 8)) {
        try {
          fs.renameSync(mine, this.path);
          this.held = true;
          return;
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
        }
        const stale = this.staleToken();
        if (stale !== undefined) {
          this.takeOver(stale);
          continue;
        }
        if (Date.now() - started > this.timeoutMs) {
          throw new Error(`the memory database is locked by another process (${this.path}); if no headroom is running, remove that directory`);
        }
        await sleep(wait);
      }
    } finally {
      if (!this.held) fs.rmSync(mine, { recursive: true, force: true });
    }
  }

  /** The token of the lock on disk when its owner is gone, else undefined. */
  private staleToken(): string | undefined {
    const lock = this.current();
    if (!lock) return undefined;
    if (lock.pid === undefined) {
      // No readable owner (a lock an older headroom was still writing): taken over only once clearly abandoned.
      return Date.now() - lock.mtimeMs > 5_000 ? lock.token : undefined;
    }
    try {
      process.kill(lock.pid, 0);
      return undefined;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH' ? lock.token : undefined;
    }
  }

  /** Removes the lock with `token` if this process wins the claim on it; otherwise leaves everything as it is. */
  private takeOver(token: string): void {
    const claim = `${this.path}.takeover-${createHash('sha256').update(token).digest('hex').slice(0, 16)}`;
    try {
      fs.mkdirSync(claim, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return; // another process is taking it over
      throw err;
    }
    try {
      if (this.current()?.token === token) this.discard();
    } finally {
      fs.rmSync(claim, { recursive: true, force: true });
    }
  }

  /** The lock on disk: its token (the owner file, or the folder's identity when it has none) and owner pid. */
  private current(): { token: string; pid: number | undefined; mtimeMs: number } | undefined {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(this.path);
    } catch {
      return undefined;
    }
    let owner = '';
    try {
      owner = fs.readFileSync(join(this.path, 'owner'), 'utf8').trim();
    } catch {
      // No owner file.
    }
    const pid = Number(owner.split(' ')[0]);
    if (owner === '' || !Number.isInteger(pid) || pid <= 0) return { token: `folder ${stat.ino} ${stat.ctimeMs}`, pid: undefined, mtimeMs: stat.mtimeMs };
    return { token: owner, pid, mtimeMs: stat.mtimeMs };
  }

  private releaseLock(): void {
    if (!this.held) return;
    this.held = false;
    this.discard();
  }

  /**
   * Takes the lock away in one step, then deletes it. Deleting in place would leave an empty
   * folder for a moment, and a waiting process's rename would land on it, only to be deleted.
   */
  private discard(): void {
    const gone = `${this.path}.${process.pid}.${randomBytes(6).toString('hex')}.old`;
    try {
      fs.renameSync(this.path, gone);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    fs.rmSync(gone, { recursive: true, force: true });
  }
}
