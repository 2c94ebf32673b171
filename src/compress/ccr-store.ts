import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ccrDir, ccrTtlMs } from '../config.js';
import { CcrWriteError } from '../errors.js';

export { CcrWriteError };

/** Where originals of compressed outputs are kept, content-addressed. */
export interface CcrStore {
  /** Store the original and return its key (idempotent: same text, same key). */
  put(original: string): string;
  /** The original for a key, or undefined when unknown or expired. */
  get(key: string): string | undefined;
}

export const KEY_RE = /^[0-9a-f]{16}$/;

export function ccrKey(text: string): string {
  return createHash('sha256').update(encode(text)).digest('hex').slice(0, 16);
}

const SWEEP_EVERY_MS = 3_600_000;


/**
 * One file per key under `<dir>/<key[0..2]>/<key>`, mode 0600 in 0700 directories. Writes
 * go to a unique temp file renamed into place, so concurrent writers (several processes
 * storing the same or different originals) never expose a partial file. Re-storing a key
 * refreshes its time to live. A write that fails throws CcrWriteError and leaves no temp file.
 */
export class FileCcrStore implements CcrStore {
  private lastSweep = 0;
  private seq = 0;

  constructor(
    readonly dir: string = ccrDir(),
    readonly ttlMs: number = ccrTtlMs(),
  ) {}

  put(original: string): string {
    const key = ccrKey(original);
    const file = this.pathOf(key);
    const now = new Date();
    try {
      utimesSync(file, now, now);
    } catch {
      this.writeKey(key, (tmp) => writeFileSync(tmp, encode(original), { mode: 0o600, flag: 'wx' }));
    }
    this.maybeSweep(now.getTime());
    return key;
  }

  /**
   * Stores a file too big to hold in memory: its bytes must be UTF-8 text, `sha256` their hash
   * (so the key is the one `put` would give the same text). The file is moved in (copied when
   * it lives on another file system, or when `copy` asks to leave it where it is).
   */
  putFile(path: string, sha256: string, { copy = false } = {}): string {
    const key = sha256.slice(0, 16);
    let moved = false;
    this.writeKey(
      key,
      (tmp) => {
        try {
          if (copy) throw new Error('copy asked for');
          renameSync(path, tmp);
          moved = true;
        } catch {
          copyFileSync(path, tmp);
        }
        chmodSync(tmp, 0o600);
      },
      // A file moved in goes back where it was: the caller still has to print it.
      (tmp) => {
        if (moved) renameSync(tmp, path);
      },
    );
    this.maybeSweep(Date.now());
    return key;
  }

  /** Fills a temp file beside the key's file and renames it into place; on any failure the temp file goes. */
  private writeKey(key: string, fill: (tmp: string) => void, undo?: (tmp: string) => void): void {
    const file = this.pathOf(key);
    const tmp = `${file}.${process.pid}.${++this.seq}.${Date.now()}.tmp`;
    try {
      mkdirSync(join(this.dir, key.slice(0, 2)), { recursive: true, mode: 0o700 });
      fill(tmp);
      renameSync(tmp, file);
    } catch (err) {
      let drop = true;
      try {
        undo?.(tmp);
      } catch {
        drop = false; // a file that could not be moved back stays, rather than be lost
      }
      if (drop) rmQuietly(tmp);
      throw new CcrWriteError(this.dir, err);
    }
  }

  get(key: string): string | undefined {
    if (!KEY_RE.test(key)) return undefined;
    const file = this.pathOf(key);
    try {
      const st = statSync(file);
      if (Date.now() - st.mtimeMs > this.ttlMs) {
        rmSync(file, { force: true });
        return undefined;
      }
      return decode(readFileSync(file, 'utf8'));
    } catch {
      return undefined;
    }
  }

  /** Delete expired originals and abandoned temp files. Returns how many were removed. */
  sweep(now = Date.now()): number {
    let removed = 0;
    let shards: string[];
    try {
      shards = readdirSync(this.dir);
    } catch {
      return 0;
    }
    for (const shard of shards) {
      let files: string[];
      try {
        files = readdirSync(join(this.dir, shard));
      } catch {
        continue;
      }
      for (const f of files) {
        const p = join(this.dir, shard, f);
        try {
          if (now - statSync(p).mtimeMs > this.ttlMs) {
            rmSync(p, { force: true });
            removed++;
          }
        } catch {
          // Another process removed it first.
        }
      }
    }
    return removed;
  }

  private maybeSweep(now: number): void {
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    this.sweep(now);
  }

  private pathOf(key: string): string {
    return join(this.dir, key.slice(0, 2), key);
  }
}

/** Removes a file if it is there (a path under a file that is no folder has nothing to remove). */
function rmQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // ENOTDIR and the like: there is no such file.
  }
}

/**
 * UTF-8 cannot hold lone surrogates (a JSON body may carry them as \\udXXX escapes), so such
 * an original is stored as a JSON string behind a header line; everything else is stored
 * as it is, readable with any pager.
 */
const ESCAPED_HEADER = '\u0000headroom-json\n';
const LONE_SURROGATE_RE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function encode(original: string): string {
  if (!LONE_SURROGATE_RE.test(original) && !original.startsWith(ESCAPED_HEADER)) return original;
  return ESCAPED_HEADER + JSON.stringify(original);
}

function decode(stored: string): string {
  return stored.startsWith(ESCAPED_HEADER) ? (JSON.parse(stored.slice(ESCAPED_HEADER.length)) as string) : stored;
}
