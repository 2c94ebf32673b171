import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CcrWriteError, ccrKey, FileCcrStore, KEY_RE } from '../../src/compress/ccr-store.js';
import { buildDist, ROOT } from '../helpers/build-dist.js';

let home: string;
let dir: string;
beforeEach(() => {
  home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-ccr-'));
  dir = join(home, 'ccr');
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

const fileOf = (key: string) => join(dir, key.slice(0, 2), key);
const backdate = (file: string, ms: number) => {
  const t = new Date(Date.now() - ms);
  fs.utimesSync(file, t, t);
};
const allFiles = (d: string) => (fs.readdirSync(d, { recursive: true }) as string[]).filter((f) => fs.statSync(join(d, f)).isFile());

describe('FileCcrStore', () => {
  it.each([
    ['ascii', 'hello world\n'],
    ['empty', ''],
    ['unicode', 'héllo — 世界 🚀\r\n\ttabs and "quotes"\u0000nul'],
    ['large', 'line of a big log output 0123456789\n'.repeat(6000)],
  ])('round-trips %s text byte-for-byte', (_name, text) => {
    const store = new FileCcrStore(dir);
    const key = store.put(text);
    expect(key).toMatch(KEY_RE);
    expect(key).toBe(ccrKey(text));
    expect(store.get(key)).toBe(text);
    expect(fs.readFileSync(fileOf(key)).equals(Buffer.from(text, 'utf8'))).toBe(true);
    expect(new FileCcrStore(dir).get(key)).toBe(text); // another instance sees it too
  });

  it('gives the same text the same key, and different texts different keys', () => {
    const store = new FileCcrStore(dir);
    expect(store.put('abc')).toBe(store.put('abc'));
    expect(store.put('abc')).not.toBe(store.put('abd'));
    expect(allFiles(dir)).toHaveLength(2);
  });

  it('writes files 0600 in directories 0700', () => {
    const key = new FileCcrStore(dir).put('secret tool output');
    expect(fs.statSync(fileOf(key)).mode & 0o777).toBe(0o600);
    expect(fs.statSync(join(dir, key.slice(0, 2))).mode & 0o777).toBe(0o700);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
  });

  it.each(['0123456789abcdef', 'xyz', '', '0123456789ABCDEF', '0123456789abcdef0', '../../etc/passwd', '0123456789abcde'])(
    'get(%j) of an unknown or malformed key is undefined',
    (key) => {
      const store = new FileCcrStore(dir);
      store.put('something else');
      expect(store.get(key)).toBeUndefined();
    },
  );

  it('expires an entry older than the TTL: get is undefined and the file is removed', () => {
    const store = new FileCcrStore(dir, 60_000);
    const key = store.put('short-lived');
    backdate(fileOf(key), 120_000);
    expect(store.get(key)).toBeUndefined();
    expect(fs.existsSync(fileOf(key))).toBe(false);
  });

  it('sweep() removes expired entries and abandoned temp files, keeps fresh ones', () => {
    const store = new FileCcrStore(dir, 60_000);
    const old = store.put('old entry');
    const fresh = store.put('fresh entry');
    const tmp = `${fileOf(old)}.99999.1.0.tmp`;
    fs.writeFileSync(tmp, 'partial');
    backdate(fileOf(old), 120_000);
    backdate(tmp, 120_000);
    expect(store.sweep()).toBe(2);
    expect(fs.existsSync(fileOf(old))).toBe(false);
    expect(fs.existsSync(tmp)).toBe(false);
    expect(store.get(fresh)).toBe('fresh entry');
    expect(store.sweep()).toBe(0);
  });

  it('re-putting a key refreshes its time to live', () => {
    const store = new FileCcrStore(dir, 60_000);
    const key = store.put('kept alive');
    backdate(fileOf(key), 120_000);
    const before = fs.statSync(fileOf(key)).mtimeMs;
    expect(store.put('kept alive')).toBe(key);
    expect(fs.statSync(fileOf(key)).mtimeMs).toBeGreaterThan(before);
    expect(store.get(key)).toBe('kept alive');
  });
});

describe('FileCcrStore across processes', () => {
  beforeAll(buildDist, 120_000);

  function original(i: number, tag: string): string {
    const big = i % 10 === 0; // 20 of the 200 shared originals are ~200 KB
    const line = `${tag} #${i} ü€😀 ${'x'.repeat(i % 37)}\n`;
    return big ? `${tag}-${i}\n` + `${i}: 2024-05-01T12:00:00Z ERROR something failed ${'y'.repeat(40)}\n`.repeat(2600) : line.repeat(1 + (i % 50));
  }

  it('a write the file system refuses (a file size limit, as a full disk) throws CcrWriteError and leaves no temp file', () => {
    const moduleUrl = pathToFileURL(join(ROOT, 'dist/compress/ccr-store.js')).href;
    const script = `
      import { FileCcrStore } from ${JSON.stringify(moduleUrl)};
      const store = new FileCcrStore(process.argv[1]);
      try {
        store.put('a line of output\\n'.repeat(500));
        console.log(JSON.stringify({ stored: true }));
      } catch (err) {
        console.log(JSON.stringify({ name: err.name, code: err.code, cause: err.cause?.code }));
      }
    `;
    // The kernel refuses every byte past the size limit (0): open() works, write() fails, as on a full disk.
    const r = spawnSync('sh', ['-c', 'ulimit -f 0 && exec "$0" --input-type=module -e "$1" "$2"', process.execPath, script, dir], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ name: 'CcrWriteError', code: 'CCR_WRITE', cause: 'EFBIG' });
    expect(allFiles(dir)).toEqual([]);
  });

  it('a file where a shard folder should be: put throws CcrWriteError', () => {
    const store = new FileCcrStore(dir);
    const text = 'some original\n'.repeat(10);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(join(dir, ccrKey(text).slice(0, 2)), 'not a folder');
    expect(() => store.put(text)).toThrow(expect.objectContaining({ name: 'CcrWriteError', code: 'CCR_WRITE' }));
    expect(store.get(ccrKey(text))).toBeUndefined();
  });

  it('putFile that cannot rename into place gives the moved file back and leaves no temp file', () => {
    const store = new FileCcrStore(dir);
    const path = join(home, 'spilled.txt');
    fs.writeFileSync(path, 'big output\n');
    const sha = 'ab'.repeat(32);
    // A folder (with something in it) where the key's file should go: the final rename fails.
    fs.mkdirSync(join(fileOf(sha.slice(0, 16)), 'x'), { recursive: true });
    expect(() => store.putFile(path, sha)).toThrow(CcrWriteError);
    expect(fs.readFileSync(path, 'utf8')).toBe('big output\n');
    expect(allFiles(dir)).toEqual([]);
  });

  it('two processes putting the same 200 originals at once leave every one intact', async () => {
    const shared = Array.from({ length: 200 }, (_, i) => original(i, 'shared'));
    const own = [0, 1].map((w) => Array.from({ length: 100 }, (_, i) => original(i, `own-${w}`)));
    const moduleUrl = pathToFileURL(join(ROOT, 'dist/compress/ccr-store.js')).href;
    const script = `
      import { readFileSync, writeFileSync, existsSync } from 'node:fs';
      import { FileCcrStore } from ${JSON.stringify(moduleUrl)};
      const [input, ready, go] = process.argv.slice(1);
      const texts = JSON.parse(readFileSync(input, 'utf8'));
      const store = new FileCcrStore();
      writeFileSync(ready, '');
      while (!existsSync(go)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
      process.stdout.write(JSON.stringify(texts.map((t) => store.put(t))));
    `;
    const children = [0, 1].map((w) => {
      const input = join(home, `input-${w}.json`);
      fs.writeFileSync(input, JSON.stringify([...shared, ...own[w]!]));
      const child = spawn(process.execPath, ['--input-type=module', '-e', script, input, join(home, `ready-${w}`), join(home, 'go')], {
        env: { ...process.env, HEADROOM_HOME: home },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      return new Promise<string[]>((ok, fail) =>
        child.on('close', (code) => (code === 0 ? ok(JSON.parse(out) as string[]) : fail(new Error(`child ${w} exited ${code}: ${err}`)))),
      );
    });
    while (!fs.existsSync(join(home, 'ready-0')) || !fs.existsSync(join(home, 'ready-1'))) await new Promise((r) => setTimeout(r, 5));
    fs.writeFileSync(join(home, 'go'), '');
    const keys = await Promise.all(children);

    const store = new FileCcrStore(dir);
    [0, 1].forEach((w) => {
      const texts = [...shared, ...own[w]!];
      expect(keys[w]).toEqual(texts.map(ccrKey));
      for (const t of texts) {
        const key = ccrKey(t);
        expect(store.get(key)).toBe(t);
        expect(fs.readFileSync(fileOf(key)).equals(Buffer.from(t, 'utf8'))).toBe(true);
      }
    });
    const files = allFiles(dir);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(files).toHaveLength(400);
  });
});
