import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDist, ROOT } from './helpers/build-dist.js';
import { startFakeUpstream, type FakeUpstream } from './helpers/fake-upstream.js';

const CLI = join(ROOT, 'dist/cli.js');
let home: string;
let fake: FakeUpstream;

beforeAll(async () => {
  buildDist();
  home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-cli-proxy-'));
  fake = await startFakeUpstream();
}, 120_000);
afterAll(async () => {
  await fake.close();
  fs.rmSync(home, { recursive: true, force: true });
});

function runSync(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, HEADROOM_HOME: home }, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('headroom proxy (the built CLI)', () => {
  it('serves requests, logs each one, and stops cleanly on SIGTERM with a summary', async () => {
    const child = spawn(process.execPath, [CLI, 'proxy', '--port', '0', '--anthropic-upstream', fake.url], {
      env: { ...process.env, HEADROOM_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed: ${out} ${err}`)), 20_000);
        child.stdout.on('data', () => {
          const m = /headroom proxy (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
      });
      const res = await fetch(`${url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'k' },
        body: JSON.stringify({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.status).toBe(200);
      await res.json();
      expect(((await (await fetch(`${url}/stats`)).json()) as { requests: { total: number } }).requests.total).toBe(1);
      // The same host check as the library's proxy: a rebound name is refused.
      const port = Number(new URL(url).port);
      const rebound = await new Promise<number>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port, path: '/stats', headers: { host: `rebind.attacker.example:${port}` } }, (r) => (r.resume(), resolve(r.statusCode ?? 0))).on('error', reject);
      });
      expect(rebound).toBe(403);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(err).toMatch(/anthropic m: passed through/);
    expect(out).toMatch(/headroom proxy stopped: 1 requests/);
    expect(fs.readdirSync(join(home, 'ledger')).length).toBe(1);
  }, 60_000);

  it.each([
    [['--port', 'abc'], /--port must be a port number/],
    [['--host', '0.0.0.0'], /needs --allow-remote/],
    [['--host', '0.0.0.0', '--allow-remote'], /--allow-remote takes the host names clients use/],
    [['--host', '0.0.0.0', '--allow-remote', 'devbox.lan,10.0.0.5'], /needs a token/],
    [['--allow-remote', 'http://devbox.lan/'], /"http:\/\/devbox.lan\/" is not a host name/],
    [['--anthropic-upstream', 'ftp://x'], /must be an http\(s\) URL/],
    [['--retrieve-tool', 'sometimes'], /--retrieve-tool must be one of/],
    [['--max-body-mb', '-1'], /--max-body-mb must be a positive number/],
  ])('refuses bad settings %j with exit 2 and one line', (args, message) => {
    const r = runSync(['proxy', '--port', '0', ...args]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });

  it('explains itself in --help', () => {
    const r = runSync(['proxy', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/ANTHROPIC_BASE_URL=http:\/\/127\.0\.0\.1:8787 claude/);
  });
});
