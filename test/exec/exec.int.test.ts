import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import * as readline from 'node:readline';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildDist, ROOT } from '../helpers/build-dist.js';
import { workloadOutput } from '../helpers/source-compare.js';
import { needleInView } from '../../src/bench/needles.js';

const CLI = join(ROOT, 'dist/cli.js');
let home: string;
let dir: string;
beforeAll(() => buildDist(), 120_000);
beforeEach(() => {
  home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-exec-home-'));
  dir = fs.mkdtempSync(join(os.tmpdir(), 'headroom-exec-cwd-'));
});
afterEach(() => {
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(dir, { recursive: true, force: true });
});

function exec(args: string[], env: Record<string, string> = {}, input?: string) {
  const r = spawnSync(process.execPath, [CLI, 'exec', ...args], { cwd: dir, env: { ...process.env, HEADROOM_HOME: home, ...env }, input: input ?? '', maxBuffer: 512 * 1024 * 1024 });
  return { code: r.status, out: r.stdout, err: r.stderr.toString('utf8') };
}

describe('headroom exec', () => {
  it('small output is printed unchanged, stderr in order with stdout, and the exit code is the command\'s', () => {
    const r = exec(['--', 'echo one; echo two >&2; echo three; exit 7']);
    expect(r.code).toBe(7);
    expect(r.out.toString()).toBe('one\ntwo\nthree\n');
  });

  it('a program with arguments runs without a shell', () => {
    const r = exec(['--', 'printf', '%s|', 'a b', '$HOME']);
    expect(r.out.toString()).toBe('a b|$HOME|');
  });

  it('redirections and pipes mean what they say: the file gets the whole output', () => {
    const r = exec(['--', 'seq 1 200000 > all.txt && wc -l < all.txt | tr -d " "']);
    expect(r.code).toBe(0);
    expect(r.out.toString()).toBe('200000\n');
    expect(fs.readFileSync(join(dir, 'all.txt'), 'utf8').split('\n')).toHaveLength(200_001);
  });

  it('a signal ends it with 128 + the signal number', () => {
    expect(exec(['--', 'kill -TERM $$']).code).toBe(143);
    expect(exec(['--', 'kill -KILL $$']).code).toBe(137);
  });

  it('SIGTERM sent to headroom reaches the command; a SIGINT to headroom alone does not end it', async () => {
    // The command notes each signal it gets (printed by headroom when it ends) and says it is
    // ready on a FIFO once its traps are set: the signals go only after that line.
    const fifo = join(dir, 'ready');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const script = `trap 'echo got INT' INT; trap 'echo got TERM; kill $p; exit 143' TERM; sleep 30 & p=$!; echo ready > ready; while kill -0 $p 2>/dev/null; do wait $p; done`;
    const child = spawn(process.execPath, [CLI, 'exec', '--', script], { cwd: dir, env: { ...process.env, HEADROOM_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const [line] = (await once(readline.createInterface({ input: fs.createReadStream(fifo) }), 'line')) as [string];
    expect(line).toBe('ready');
    child.kill('SIGINT');
    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 143, signal: null });
    expect(out).toBe('got TERM\n');
  });

  it('binary output passes through byte for byte, however large', () => {
    const bytes = Buffer.alloc(300_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 256;
    fs.writeFileSync(join(dir, 'blob.bin'), bytes);
    const r = exec(['--', 'cat blob.bin']);
    expect(r.code).toBe(0);
    expect(Buffer.compare(r.out, bytes)).toBe(0);
  });

  it('a big real log is compressed with the query, keeps the needles, and the original comes back with headroom retrieve', () => {
    const { output, question, needles } = workloadOutput('p02-sre-postgres-deadlock-crash');
    fs.writeFileSync(join(dir, 'postgres.log'), output);
    const r = exec(['--query', question, '--', 'cat postgres.log']);
    const text = r.out.toString();
    expect(r.code).toBe(0);
    expect(text.length).toBeLessThan(output.length / 4);
    for (const n of needles) expect(needleInView(n, text), n).toBe(true);
    const key = /headroom retrieve ([0-9a-f]{16})/.exec(text)![1]!;
    const back = spawnSync(process.execPath, [CLI, 'retrieve', key], { env: { ...process.env, HEADROOM_HOME: home }, maxBuffer: 64 * 1024 * 1024 });
    expect(back.stdout.toString()).toBe(output.endsWith('\n') ? output : `${output}\n`);
  });

  it('--min-tokens raises the bar; HEADROOM_QUERY and the wrapped session\'s query file give the query', () => {
    const { output } = workloadOutput('p06-test-failure-express-cookie');
    fs.writeFileSync(join(dir, 'test.log'), output);
    expect(exec(['--min-tokens', '1000000', '--', 'cat test.log']).out.toString()).toBe(output);
    const session = join(home, 'session');
    fs.mkdirSync(session);
    fs.writeFileSync(join(session, 'query.txt'), 'which cookie test fails?');
    const r = exec(['--', 'cat test.log'], { HEADROOM_SESSION_DIR: session });
    expect(r.out.toString()).toContain('--query "which cookie test fails?"');
    const log = fs.readFileSync(join(session, 'source.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { by: string; tokensBefore: number; tokensAfter: number });
    expect(log).toHaveLength(1);
    expect(log[0]!.by).toBe('exec');
    expect(log[0]!.tokensAfter).toBeLessThan(log[0]!.tokensBefore);
  });

  it('a command waiting on stdin gets what is piped in, and --timeout stops one that waits forever', async () => {
    expect(exec(['--', 'cat'], {}, 'from stdin\n').out.toString()).toBe('from stdin\n');
    const child = spawn(process.execPath, [CLI, 'exec', '--timeout', '1', '--', 'cat'], { cwd: dir, env: { ...process.env, HEADROOM_HOME: home }, stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.stdin.destroy();
    expect(code).toBe(143);
    expect(err).toContain('ran longer than 1 s');
  });

  it('100 MB of output is digested in bounded memory and stored whole', async () => {
    const script = 'for i in $(seq 1 20); do yes "INFO request served in 12ms by worker $i, nothing to see" | head -c 5000000; echo; echo "FATAL: disk quota exceeded on /var/lib/data (worker $i)"; done';
    const child = spawn(process.execPath, [CLI, 'exec', '--', script], { cwd: dir, env: { ...process.env, HEADROOM_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    let peakKb = 0;
    const poll = setInterval(() => {
      try {
        const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        // exited
      }
    }, 20);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearInterval(poll);
    expect(code).toBe(0);
    expect(out.length).toBeLessThan(200_000);
    expect(out.match(/FATAL: disk quota exceeded/g)).toHaveLength(20);
    const key = /headroom retrieve ([0-9a-f]{16})/.exec(out)![1]!;
    const stored = join(home, 'ccr', key.slice(0, 2), key);
    expect(fs.statSync(stored).size).toBeGreaterThan(100_000_000);
    // The output is 100 MB; headroom holds an 8 MB buffer at most, plus Node itself.
    if (os.platform() === 'linux') expect(peakKb).toBeLessThan(250 * 1024);
    expect(fs.readdirSync(join(home, 'tmp'))).toEqual([]);
  }, 120_000);

  it('no command is a usage error', () => {
    const r = exec([]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('command');
  });

  it('--max-chars keeps a compressed output under the limit; HEADROOM_EXEC_ATTACH_TTY=1 on a terminal runs the command attached, its output unchanged', async () => {
    const big = `for i in $(seq 1 6000); do echo "2026-11-21T10:00:00Z INFO worker-$((i % 7)) request $i served in $((i % 13)) ms"; done; echo '2026-11-21T10:00:01Z FATAL db: disk full on /var/lib/db'; seq 1 3000 | sed 's/^/2026-11-21T10:00:02Z INFO retry /'`;
    const capped = exec(['--max-chars', '3000', '--', big]);
    const text = capped.out.toString();
    expect(text.length).toBeLessThanOrEqual(3000 + 300);
    expect(text).toContain('FATAL db: disk full on /var/lib/db');
    expect(text).toMatch(/headroom retrieve [0-9a-f]{16}/);

    const { runInOuterPty } = await import('../helpers/pty-run.js');
    const run = runInOuterPty(process.execPath, [CLI, 'exec', '--', 'tty; seq 1 30000 | tail -1'], { env: { ...process.env, HEADROOM_HOME: home, HEADROOM_EXEC_ATTACH_TTY: '1' }, cwd: dir });
    try {
      expect((await run.exited).exitCode).toBe(0);
      await run.waitFor(/\/dev\/pts\/\d+\r?\n30000/);
      expect(run.output()).not.toContain('headroom retrieve');
    } finally {
      run.dispose();
    }
  }, 60_000);
});
