import Anthropic from '@anthropic-ai/sdk';
import * as http from 'node:http';
import * as net from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FileCcrStore } from '../../src/compress/ccr-store.js';
import { startProxy } from '../../src/proxy/server.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';

/**
 * Behind a corporate proxy: headroom's upstream calls go through the proxy that HTTP(S)_PROXY
 * names, as the agents' own calls would, and straight to hosts that NO_PROXY lists.
 */

const home = mkdtempSync(join(tmpdir(), 'headroom-env-proxy-'));
const store = new FileCcrStore(join(home, 'ccr'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const request = JSON.parse(readFileSync('fixtures/workloads/p02-sre-postgres-deadlock-crash/request.json', 'utf8')) as Record<string, unknown>;

const PROXY_VARS = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy'];
const saved = Object.fromEntries(PROXY_VARS.map((k) => [k, process.env[k]]));
afterEach(() => {
  for (const k of PROXY_VARS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

function setProxyEnv(vars: Record<string, string>): void {
  for (const k of PROXY_VARS) delete process.env[k];
  Object.assign(process.env, vars);
}

interface ConnectProxy {
  url: string;
  /** `host:port` of each CONNECT tunnel asked for. */
  tunnels: string[];
  close(): Promise<void>;
}

/** A forward proxy on loopback that opens CONNECT tunnels (and refuses anything else). */
async function startConnectProxy(): Promise<ConnectProxy> {
  const tunnels: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const target = req.url ?? '';
    tunnels.push(target);
    const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
    const upstream = net.connect(port, host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => (s === client ? upstream : client).destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function oneRequest(): Promise<{ arrived: number; tunnels: string[]; upstreamHost: string }> {
  const corporate = await startConnectProxy();
  const fake = await startFakeUpstream();
  try {
    process.env.HTTP_PROXY ??= corporate.url;
    process.env.HTTPS_PROXY ??= corporate.url;
    const proxy = await startProxy({ port: 0, upstreams: { anthropic: fake.url, openai: fake.url, gemini: fake.url }, store, ledgerDir: false });
    try {
      const client = new Anthropic({ baseURL: proxy.url, apiKey: 'k', maxRetries: 0 });
      const res = await client.messages.create({ ...request, model: 'claude-test' } as never);
      expect((res as { content: Array<{ text?: string }> }).content[0]!.text).toMatch(/^ok: /);
    } finally {
      await proxy.close();
    }
    return { arrived: fake.modelRequests().length, tunnels: [...corporate.tunnels], upstreamHost: new URL(fake.url).host };
  } finally {
    await fake.close();
    await corporate.close();
  }
}

describe('upstream calls and the environment proxy', () => {
  it('go through the CONNECT proxy that HTTP_PROXY / HTTPS_PROXY name', async () => {
    setProxyEnv({});
    const r = await oneRequest();
    expect(r.arrived).toBe(1);
    expect(r.tunnels).toEqual([r.upstreamHost]);
  });

  it('go straight to a host that NO_PROXY lists', async () => {
    setProxyEnv({ NO_PROXY: 'localhost,127.0.0.1' });
    const r = await oneRequest();
    expect(r.arrived).toBe(1);
    expect(r.tunnels).toEqual([]);
  });
});
