import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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

/** `headroom proxy --port 0 ARGS` (after a shell prefix such as a ulimit, when given); its URL once it prints it. */
function startProxy(args: string[], env: Record<string, string> = {}, shellPrefix = '') {
  const child = spawn('sh', ['-c', `${shellPrefix}exec "$0" "$@"`, process.execPath, CLI, 'proxy', '--port', '0', ...args], {
    env: { ...process.env, HEADROOM_HOME: home, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed: ${out} ${err}`)), 20_000);
    child.stdout.on('data', () => {
      const m = /headroom proxy (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
  return { child, url, exited, out: () => out, err: () => err };
}

function runSync(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, HEADROOM_HOME: home }, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('headroom proxy (the built CLI)', () => {
  it('serves requests, logs each one, and stops cleanly on SIGTERM with a summary', async () => {
    const proxy = startProxy(['--anthropic-upstream', fake.url]);
    try {
      const url = await proxy.url;
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
      proxy.child.kill('SIGTERM');
    }
    expect(await proxy.exited).toBe(0);
    expect(proxy.err()).toMatch(/anthropic m: passed through/);
    expect(proxy.out()).toMatch(/headroom proxy stopped: 1 request, 0 tool-output tokens saved/);
    expect(fs.readdirSync(join(home, 'ledger')).length).toBe(1);
  }, 60_000);

  it('a store write that fails (a file size limit, as a full disk) forwards the original, counted as failed open, no temp file left', async () => {
    const ccrHome = fs.mkdtempSync(join(os.tmpdir(), 'headroom-cli-proxy-full-'));
    // The kernel refuses every byte headroom writes to a file (open() works, write() fails with EFBIG).
    const proxy = startProxy(['--anthropic-upstream', fake.url, '--no-ledger'], { HEADROOM_HOME: ccrHome }, 'ulimit -f 0 && ');
    try {
      const body = JSON.parse(fs.readFileSync(join(ROOT, 'fixtures/workloads/p01-code-search-fastify-onsend/request.json'), 'utf8')) as Anthropic.MessageCreateParamsNonStreaming;
      const original = ((body.messages[2]!.content as Anthropic.ToolResultBlockParam[])[0]!.content as string);
      const client = new Anthropic({ baseURL: await proxy.url, apiKey: 'k', maxRetries: 0 });
      const before = fake.modelRequests().length;
      await client.messages.create({ ...body, stream: false });
      const sent = fake.modelRequests().slice(before)[0]!.json as { messages: Array<{ content: Array<{ content?: string }> }> };
      expect(sent.messages[2]!.content[0]!.content).toBe(original);
      const stats = (await (await fetch(`${await proxy.url}/stats`)).json()) as { requests: { failedOpen: number } };
      expect(stats.requests.failedOpen).toBe(1);
      expect(proxy.err()).toMatch(/anthropic: the original could not be stored for retrieval \(cannot store an original in .*EFBIG/);
      // The request's log line is written when it has finished, which can be just after the answer reached the client.
      await vi.waitFor(() => expect(proxy.err()).toMatch(/claude-sonnet-4-5: failed open/), { timeout: 5000, interval: 50 });
      const files = (fs.readdirSync(ccrHome, { recursive: true }) as string[]).filter((f) => fs.statSync(join(ccrHome, f)).isFile());
      expect(files).toEqual([]);
    } finally {
      proxy.child.kill('SIGTERM');
      await proxy.exited;
      fs.rmSync(ccrHome, { recursive: true, force: true });
    }
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
