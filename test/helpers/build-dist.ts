import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Build dist/ when any source is newer than its output; one builder at a time across test files. */
export function buildDist(): void {
  const lock = join(os.tmpdir(), `headroom-build-${createHash('sha1').update(ROOT).digest('hex').slice(0, 8)}.lock`);
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 120_000) fs.rmSync(lock, { recursive: true, force: true });
      sleepSync(50);
    }
  }
  try {
    const srcs = (fs.readdirSync(join(ROOT, 'src'), { recursive: true }) as string[]).filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.test.ts'));
    const stale = srcs.some((f) => {
      const out = join(ROOT, 'dist', f.replace(/\.tsx?$/, '.js'));
      return !fs.existsSync(out) || fs.statSync(out).mtimeMs < fs.statSync(join(ROOT, 'src', f)).mtimeMs;
    });
    if (stale) {
      try {
        execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
      } catch (err) {
        console.warn(`tsc reported errors (dist still emitted): ${String((err as { stdout?: Buffer }).stdout ?? err)}`);
      }
    }
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}
