import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import * as http from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileCcrStore } from '../../src/compress/ccr-store.js';
import { startProxy, type ProxyOptions, type RunningProxy } from '../../src/proxy/server.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { agentRecognition } from '../../src/agents/index.js';

/** Who calls the proxy: clients that name themselves, and what the proxy asks of every caller. */

const home = mkdtempSync(join(tmpdir(), 'headroom-clients-'));
const store = new FileCcrStore(join(home, 'ccr'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const request = JSON.parse(readFileSync('fixtures/workloads/p02-sre-postgres-deadlock-crash/request.json', 'utf8')) as Record<string, unknown>;
const toolOutputOf = (body: unknown): string => {
  const messages = (body as { messages: Array<{ content: Array<{ type: string; content?: string }> }> }).messages;
  return messages.at(-1)!.content.find((b) => b.type === 'tool_result')!.content!;
};

async function withProxy(test: (t: { fake: FakeUpstream; proxy: RunningProxy }) => Promise<void>, options: ProxyOptions = {}): Promise<void> {
  const fake = await startFakeUpstream();
  const proxy = await startProxy({ ...agentRecognition, port: 0, upstreams: { anthropic: fake.url, openai: fake.url, gemini: fake.url }, store, ledgerDir: false, ...options });
  try {
    await test({ fake, proxy });
  } finally {
    await proxy.close();
    await fake.close();
  }
}

describe('clients that name themselves', () => {
  it('compresses for an agent name headroom does not know, with no session header, and counts it under that name', async () => {
    await withProxy(async ({ fake, proxy }) => {
      const client = new Anthropic({ baseURL: proxy.url, apiKey: 'k', maxRetries: 0, defaultHeaders: { 'x-headroom-agent': 'my-bot' } });
      const res = await client.messages.create({ ...request, model: 'claude-test' } as never).withResponse();
      expect(Number(res.response.headers.get('x-headroom-tokens-saved'))).toBeGreaterThan(0);
      expect(toolOutputOf(fake.modelRequests()[0]!.json).length).toBeLessThan(toolOutputOf(request).length / 2);
      expect(proxy.stats().byAgent['my-bot']).toMatchObject({ requests: 1 });
    });
  });

  it("knows an agent and its conversation only by the caller's identify option", async () => {
    const seen: Array<{ claimed: string | undefined; ua: unknown }> = [];
    const identify: ProxyOptions['identify'] = (headers, claimed) => {
      seen.push({ claimed, ua: headers['user-agent'] });
      return { agent: 'robot', session: 'robot-7' };
    };
    await withProxy(
      async ({ proxy }) => {
        const client = new Anthropic({ baseURL: proxy.url, apiKey: 'k', maxRetries: 0, defaultHeaders: { 'user-agent': 'claude-cli/2.0.0' } });
        await client.messages.create({ ...request, model: 'claude-test' } as never);
        await client.messages.create({ ...request, model: 'claude-test', system: 'another start' } as never);
        expect(seen).toEqual([{ claimed: undefined, ua: 'claude-cli/2.0.0' }, { claimed: undefined, ua: 'claude-cli/2.0.0' }]);
        expect(Object.keys(proxy.stats().byAgent)).toEqual(['robot']);
        // Two different conversation starts, one conversation: the id identify gave.
        expect(proxy.stats().sessions).toBe(1);
      },
      { identify },
    );
  });

  it('without an identify option knows a request only by its x-headroom-agent label', async () => {
    await withProxy(
      async ({ proxy }) => {
        const client = new Anthropic({ baseURL: proxy.url, apiKey: 'k', maxRetries: 0, defaultHeaders: { 'user-agent': 'claude-cli/2.0.0', 'x-claude-code-session-id': 's' } });
        await client.messages.create({ ...request, model: 'claude-test' } as never);
        expect(Object.keys(proxy.stats().byAgent)).toEqual(['unknown']);
      },
      { identify: undefined, mainConversation: undefined },
    );
  });
});

interface Raw {
  status: number;
  text: string;
}

/** An HTTP request to the proxy with headers fetch would not let a test set (Host). */
function raw(proxy: RunningProxy, path: string, headers: Record<string, string>, body?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: proxy.port, path, method: body === undefined ? 'GET' : 'POST', headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const anthropicBody = JSON.stringify({ model: 'claude-fake', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
const chatBody = JSON.stringify({ model: 'gpt-fake', messages: [{ role: 'user', content: 'hi' }] });
const OPS = ['/livez', '/readyz', '/health', '/stats', '/metrics'];

describe('the hosts and origins the proxy answers', () => {
  it('refuses a rebound host name on every path, in the provider shape on provider routes, before anything goes upstream', async () => {
    await withProxy(async ({ fake, proxy }) => {
      const host = `rebind.attacker.example:${proxy.port}`;
      const res = await raw(proxy, '/v1/messages', { host, 'x-api-key': 'k', 'anthropic-version': '2023-06-01' }, anthropicBody);
      expect(res.status).toBe(403);
      expect(JSON.parse(res.text)).toEqual({ type: 'error', error: { type: 'permission_error', message: expect.stringContaining(`refused a request for host "${host}"`) } });
      const chat = await raw(proxy, '/v1/chat/completions', { host, authorization: 'Bearer k' }, chatBody);
      expect(chat.status).toBe(403);
      expect(JSON.parse(chat.text)).toMatchObject({ error: { message: expect.stringContaining('refused') } });
      for (const path of [...OPS, '/v1/models', '/']) {
        const other = await raw(proxy, path, { host });
        expect([path, other.status]).toEqual([path, 403]);
        expect(JSON.parse(other.text)).toMatchObject({ error: { type: 'permission_error' } });
      }
      expect(fake.requests).toEqual([]);
      expect(proxy.stats().requests.rejected).toBe(2 + OPS.length + 2);
      expect(proxy.stats().requests.total).toBe(0);
    });
  });

  it('refuses a host named without its port, or with another port, and a request with no usable Host', async () => {
    await withProxy(async ({ fake, proxy }) => {
      for (const host of ['127.0.0.1', 'localhost:1', `127.0.0.1:${proxy.port}@evil.example`, `127.0.0.2:${proxy.port}`]) {
        expect([host, (await raw(proxy, '/v1/messages', { host }, anthropicBody)).status]).toEqual([host, 403]);
      }
      expect(fake.requests).toEqual([]);
    });
  });

  it('answers the loopback names with its port, in any case', async () => {
    await withProxy(async ({ proxy }) => {
      for (const host of [`127.0.0.1:${proxy.port}`, `localhost:${proxy.port}`, `LocalHost:${proxy.port}`, `[::1]:${proxy.port}`]) {
        const res = await raw(proxy, '/v1/messages', { host, 'x-api-key': 'k', 'anthropic-version': '2023-06-01' }, anthropicBody);
        expect([host, res.status]).toEqual([host, 200]);
      }
    });
  });

  it('refuses requests from web pages of other origins, and answers its own origin', async () => {
    await withProxy(async ({ fake, proxy }) => {
      const host = `127.0.0.1:${proxy.port}`;
      for (const origin of ['http://evil.example', 'null', `http://localhost:${proxy.port + 1}`, `https://127.0.0.1`]) {
        const res = await raw(proxy, '/v1/chat/completions', { host, origin, authorization: 'Bearer k' }, chatBody);
        expect([origin, res.status]).toEqual([origin, 403]);
        expect(JSON.parse(res.text)).toMatchObject({ error: { message: expect.stringContaining(`refused a request from the web page at "${origin}"`) } });
      }
      expect((await raw(proxy, '/stats', { host, origin: 'http://evil.example' })).status).toBe(403);
      expect(fake.requests).toEqual([]);
      expect(proxy.stats().requests.rejected).toBe(5);
      const own = await raw(proxy, '/v1/chat/completions', { host, origin: `http://localhost:${proxy.port}`, authorization: 'Bearer k' }, chatBody);
      expect(own.status).toBe(200);
    });
  });

  it('answers the hosts given in allowRemote, with the proxy port or the one named', async () => {
    await withProxy(
      async ({ proxy }) => {
        const ok = [`devbox.lan:${proxy.port}`, 'DEVBOX.lan:' + proxy.port, 'tls.example', 'tls.example:443', `10.0.0.5:${proxy.port}`];
        for (const host of ok) expect([host, (await raw(proxy, '/livez', { host })).status]).toEqual([host, 200]);
        expect((await raw(proxy, '/livez', { host: 'devbox.lan:443', origin: 'https://tls.example' })).status).toBe(403);
        expect((await raw(proxy, '/livez', { host: 'tls.example', origin: 'https://tls.example' })).status).toBe(200);
        for (const host of ['devbox.lan', 'tls.example:' + proxy.port, 'other.lan:' + proxy.port]) {
          expect([host, (await raw(proxy, '/livez', { host })).status]).toEqual([host, 403]);
        }
      },
      { allowRemote: ['devbox.lan', 'tls.example:443', '10.0.0.5'] },
    );
  });

  it('serves the real SDK clients at 127.0.0.1 and localhost', async () => {
    await withProxy(async ({ proxy }) => {
      for (const base of [`http://127.0.0.1:${proxy.port}`, `http://localhost:${proxy.port}`]) {
        const anthropic = new Anthropic({ baseURL: base, apiKey: 'k', maxRetries: 0 });
        const message = await anthropic.messages.stream({ model: 'claude-fake', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
        expect(message.stop_reason).toBe('end_turn');
        const openai = new OpenAI({ baseURL: `${base}/v1`, apiKey: 'k', maxRetries: 0 });
        const chat = await openai.chat.completions.create({ model: 'gpt-fake', messages: [{ role: 'user', content: 'hi' }] });
        expect(chat.choices[0]!.finish_reason).toBe('stop');
      }
      expect(proxy.stats().requests).toMatchObject({ total: 4, rejected: 0 });
    });
  });

  it('refuses allowRemote given as a switch, and entries that are not hosts', async () => {
    await expect(startProxy({ ...agentRecognition, port: 0, allowRemote: true as never })).rejects.toThrow(/a list/);
    await expect(startProxy({ ...agentRecognition, port: 0, allowRemote: ['http://devbox.lan/'] })).rejects.toThrow(/not a host name/);
    await expect(startProxy({ ...agentRecognition, host: '0.0.0.0', port: 0, allowRemote: [] })).rejects.toThrow(/--allow-remote with the host names/);
  });
});

describe('the token', () => {
  it('leaves only /livez open: the other operations endpoints and every route need it', async () => {
    await withProxy(
      async ({ fake, proxy }) => {
        const host = `127.0.0.1:${proxy.port}`;
        expect((await raw(proxy, '/livez', { host })).status).toBe(200);
        for (const path of OPS.slice(1)) {
          const res = await raw(proxy, path, { host });
          expect([path, res.status]).toEqual([path, 401]);
          expect(JSON.parse(res.text)).toEqual({ type: 'error', error: { type: 'authentication_error', message: 'headroom: missing or wrong x-headroom-token' } });
          expect((await raw(proxy, path, { host, 'x-headroom-token': 'wrong' })).status).toBe(401);
          expect([path, (await raw(proxy, path, { host, 'x-headroom-token': 'T' })).status]).toEqual([path, 200]);
        }
        const messages = await raw(proxy, '/v1/messages', { host, 'x-api-key': 'k' }, anthropicBody);
        expect(messages.status).toBe(401);
        expect(JSON.parse(messages.text)).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
        expect(fake.requests).toEqual([]);
        expect(proxy.stats().requests.rejected).toBe(OPS.slice(1).length * 2 + 1);
        // The host and origin checks come first, even for /livez.
        expect((await raw(proxy, '/livez', { host: `rebind.attacker.example:${proxy.port}`, 'x-headroom-token': 'T' })).status).toBe(403);
      },
      { token: 'T' },
    );
  });
});
