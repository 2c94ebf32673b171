import * as fs from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A cross-process write lock: a directory created atomically, holding the owner's pid.
 * Saves check for duplicates and then insert; two processes doing that at once would both
 * insert, so the check and the write happen under this lock. A lock whose owner died is
 * taken over.
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
    // Short waits: a save holds the lock for tens of milliseconds, and mkdir is cheap to retry.
    for (let wait = 1; ; wait = Math.min(wait * 2, 8)) {
      try {
        fs.mkdirSync(this.path, { mode: 0o700 });
        // Written aside and renamed: a reader sees no owner yet, or the whole pid, never an empty file.
        fs.writeFileSync(join(this.path, 'owner.tmp'), String(process.pid), { mode: 0o600 });
        fs.renameSync(join(this.path, 'owner.tmp'), join(this.path, 'owner'));
        this.held = true;
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      if (this.ownerIsGone()) {
        fs.rmSync(this.path, { recursive: true, force: true });
        continue;
      }
      if (Date.now() - started > this.timeoutMs) {
        throw new Error(`the memory database is locked by another process (${this.path}); if no headroom is running, remove that directory`);
      }
      await sleep(wait);
    }
  }

  private ownerIsGone(): boolean {
    let pid = Number.NaN;
    try {
      pid = Number(fs.readFileSync(join(this.path, 'owner'), 'utf8'));
    } catch {
      // Created but not written yet, or just released: judged by age below.
    }
    if (!Number.isInteger(pid) || pid <= 0) {
      // A lock with no readable owner is only taken over once it is clearly abandoned.
      try {
        return Date.now() - fs.statSync(this.path).mtimeMs > 5_000;
      } catch {
        return false;
      }
    }
    try {
      process.kill(pid, 0);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }

  private releaseLock(): void {
    if (!this.held) return;
    this.held = false;
    fs.rmSync(this.path, { recursive: true, force: true });
  }
}
