import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileCcrStore } from '../../src/compress/ccr-store.js';
import { startProxy, type ProxyOptions, type RunningProxy } from '../../src/proxy/server.js';
import { scriptSequence, startFakeUpstream, type FakeUpstream, type Script } from '../helpers/fake-upstream.js';
import { agentRecognition } from '../../src/agents/index.js';

const home = mkdtempSync(join(tmpdir(), 'headroom-faults-'));
const store = new FileCcrStore(join(home, 'ccr'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const chatBody = (stream: boolean): object => ({ model: 'gpt-fake', stream, messages: [{ role: 'user', content: 'say something long' }] });
const responsesBody = (stream: boolean): object => ({ model: 'gpt-fake', stream, input: 'say something long' });
const anthropicBody = { model: 'claude-fake', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] };
const geminiBody = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };

interface Setup {
  fake: FakeUpstream;
  proxy: RunningProxy;
  openai: OpenAI;
}

/** One proxy in front of one fake upstream that serves all three providers. */
async function withSetup(script: Script | undefined, test: (t: Setup) => Promise<void>, options: ProxyOptions = {}): Promise<void> {
  const fake = await startFakeUpstream(script);
  const proxy = await startProxy({ ...agentRecognition, port: 0, upstreams: { anthropic: fake.url, openai: fake.url, gemini: fake.url }, store, ledgerDir: false, ...options });
  const openai = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'test-key', maxRetries: 0 });
  try {
    await test({ fake, proxy, openai });
  } finally {
    await proxy.close();
    await fake.close();
  }
}

async function expectHealthy(proxy: RunningProxy): Promise<void> {
  const res = await fetch(`${proxy.url}/livez`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: 'ok' });
}

/** A provider route, the body to post there and the error shape a proxy-made error must have. */
interface RouteCase {
  name: string;
  path: string;
  body: object;
  headers: Record<string, string>;
  shape: (status: number) => object;
}

const routes: RouteCase[] = [
  { name: 'anthropic', path: '/v1/messages', body: anthropicBody, headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' }, shape: (status: number) => ({ type: 'error', error: { type: status === 504 ? expect.any(String) : 'api_error', message: expect.any(String) } }) },
  { name: 'openai-chat', path: '/v1/chat/completions', body: chatBody(false), headers: { authorization: 'Bearer k' }, shape: () => ({ error: { type: 'server_error' } }) },
  { name: 'openai-responses', path: '/v1/responses', body: responsesBody(true), headers: { authorization: 'Bearer k' }, shape: () => ({ error: { type: 'server_error' } }) },
  { name: 'gemini', path: '/v1beta/models/gemini-fake:streamGenerateContent?alt=sse', body: geminiBody, headers: { 'x-goog-api-key': 'k' }, shape: (status: number) => ({ error: { code: status, status: status === 504 ? 'DEADLINE_EXCEEDED' : 'UNAVAILABLE' } }) },
];

function post(proxy: RunningProxy, path: string, body: object | string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${proxy.url}${path}`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
}

describe('upstream errors', () => {
  it('relays an upstream 500 with its status, body and headers, streamed or not', async () => {
    const body = '{"error":{"message":"The server had an error while processing your request.","type":"server_error"}}\n';
    const script = scriptSequence({ error: { status: 500, body, headers: { 'x-request-id': 'req_500', 'content-type': 'application/json' } } });
    await withSetup(script, async (t) => {
      for (const stream of [false, true]) {
        const res = await post(t.proxy, '/v1/chat/completions', chatBody(stream), { authorization: 'Bearer k' });
        expect(res.status).toBe(500);
        expect(res.headers.get('x-request-id')).toBe('req_500');
        expect(await res.text()).toBe(body);
      }
      await expect(t.openai.chat.completions.create(chatBody(false) as never)).rejects.toMatchObject({ status: 500, error: { type: 'server_error' } });
      expect(t.proxy.stats().requests.upstreamErrors).toBe(3);
      await expectHealthy(t.proxy);
    });
  });

  it('relays a Gemini 503 body unchanged', async () => {
    const error = { error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } };
    await withSetup(scriptSequence({ error: { status: 503, body: error } }), async (t) => {
      const res = await post(t.proxy, '/v1beta/models/gemini-fake:generateContent', geminiBody, { 'x-goog-api-key': 'k' });
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual(error);
    });
  });

  it.each(routes)('answers 502 in the $name error shape when the upstream is down', async ({ path, body, headers, shape }) => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const down = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const proxy = await startProxy({ ...agentRecognition, port: 0, upstreams: { anthropic: down, openai: down, gemini: down }, store, ledgerDir: false });
    try {
      const res = await post(proxy, path, body, headers);
      expect(res.status).toBe(502);
      const json = (await res.json()) as { error: { message: string } };
      expect(json).toMatchObject(shape(502));
      expect(json.error.message).toMatch(/headroom: the upstream .* failed/);
      await expectHealthy(proxy);
    } finally {
      await proxy.close();
    }
  });

  // Each waits out a real (coarse-grained) undici timeout, so they run side by side.
  it.concurrent.each(routes)('answers 504 in the $name error shape when the upstream never answers', async ({ path, body, headers, shape }) => {
    await withSetup(
      scriptSequence({ fault: { hang: true } }),
      async (t) => {
        const started = performance.now();
        const res = await post(t.proxy, path, body, headers);
        expect(res.status).toBe(504);
        expect(await res.json()).toMatchObject(shape(504));
        expect(performance.now() - started).toBeLessThan(10_000);
        await expectHealthy(t.proxy);
      },
      { upstreamTimeoutMs: 250 },
    );
  });
});

describe('error types', () => {
  it('answers an Anthropic 504 with the documented timeout_error type', async () => {
    await withSetup(
      scriptSequence({ fault: { hang: true } }),
      async (t) => {
        const res = await post(t.proxy, '/v1/messages', anthropicBody, { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' });
        expect(res.status).toBe(504);
        expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'timeout_error' } });
      },
      { upstreamTimeoutMs: 250 },
    );
  });
});

describe('streams that break', () => {
  const long = 'The deadlock began when two transactions locked the same rows in opposite order. '.repeat(4);

  it('ends a Chat Completions stream with an error the SDK raises when the upstream resets, and stays healthy', async () => {
    await withSetup(scriptSequence({ text: long, fault: { resetAfterEvents: 2 } }, 'recovered'), async (t) => {
      const stream = t.openai.chat.completions.stream(chatBody(true) as never);
      const seen: string[] = [];
      stream.on('content', (delta) => seen.push(delta));
      await expect(stream.finalChatCompletion()).rejects.toThrow(/headroom: the upstream stream failed/);
      expect(seen.join('')).toBe(long.slice(0, Math.ceil(long.length / 3)));
      await expectHealthy(t.proxy);
      const next = await t.openai.chat.completions.create(chatBody(false) as never);
      expect(next.choices[0]!.message.content).toBe('recovered');
      expect(t.proxy.stats().requests).toMatchObject({ total: 2, upstreamErrors: 1 });
    });
  });

  it('ends a Responses stream with an error event the SDK raises when the upstream resets', async () => {
    await withSetup(scriptSequence({ text: long, fault: { resetAfterEvents: 4 } }, 'recovered'), async (t) => {
      const stream = t.openai.responses.stream(responsesBody(true) as never);
      await expect(stream.finalResponse()).rejects.toThrow(/headroom: the upstream stream failed/);
      const next = await t.openai.responses.create(responsesBody(false) as never);
      expect(next.output_text).toBe('recovered');
    });
  });

  it('ends an Anthropic stream with an error the SDK raises when the upstream resets', async () => {
    await withSetup(scriptSequence({ text: long, fault: { resetAfterBytes: 700 } }), async (t) => {
      const client = new Anthropic({ baseURL: t.proxy.url, apiKey: 'k', maxRetries: 0 });
      await expect(client.messages.stream({ ...anthropicBody, stream: true } as never).finalMessage()).rejects.toThrow();
      await expectHealthy(t.proxy);
    });
  });

  it('ends a stream with an error when the upstream stalls past the timeout between events', async () => {
    await withSetup(
      scriptSequence({ text: long, fault: { delayBetweenEventsMs: 2500 } }),
      async (t) => {
        await expect(t.openai.chat.completions.stream(chatBody(true) as never).finalChatCompletion()).rejects.toThrow(/headroom: the upstream stream failed/);
        await expectHealthy(t.proxy);
      },
      { upstreamTimeoutMs: 250 },
    );
  });

  it('waits for a slow upstream', async () => {
    await withSetup(scriptSequence({ text: 'slow but sure', fault: { delayHeadersMs: 300, delayBetweenEventsMs: 30 } }), async (t) => {
      const final = await t.openai.chat.completions.stream(chatBody(true) as never).finalChatCompletion();
      expect(final.choices[0]!.message.content).toBe('slow but sure');
      const res = await post(t.proxy, '/v1beta/models/gemini-fake:generateContent', geminiBody, { 'x-goog-api-key': 'k' });
      expect(res.status).toBe(200);
    });
  });
});

/**
 * An upstream that stalls on its first request, before its headers or after the first event
 * of a Chat Completions stream, reporting when the proxy closes that request; it answers
 * later requests in full.
 */
async function startStallingUpstream(
  stall: 'before-headers' | 'mid-stream',
): Promise<{ url: string; received: Promise<void>; closed: Promise<number>; close: () => Promise<void> }> {
  let reportReceived: () => void = () => undefined;
  const received = new Promise<void>((resolve) => (reportReceived = resolve));
  let reportClosed: (at: number) => void = () => undefined;
  const closed = new Promise<number>((resolve) => (reportClosed = resolve));
  let calls = 0;
  const chunk = (delta: object, finish: string | null = null): string =>
    `data: ${JSON.stringify({ id: 'chatcmpl-stall', object: 'chat.completion.chunk', created: 1, model: 'gpt-fake', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  const server = http.createServer((req, res) => {
    req.resume();
    const first = calls++ === 0;
    if (first) {
      reportReceived();
      res.on('close', () => reportClosed(performance.now()));
    }
    if (first && stall === 'before-headers') return;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(chunk({ role: 'assistant', content: 'first words' }));
    if (!first) res.end(chunk({}, 'stop') + 'data: [DONE]\n\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    closed,
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

describe('clients that leave', () => {
  it('aborts the upstream request when the client aborts mid-stream', async () => {
    const upstream = await startStallingUpstream('mid-stream');
    const proxy = await startProxy({ ...agentRecognition, port: 0, upstreams: { openai: upstream.url }, store, ledgerDir: false });
    try {
      const abort = new AbortController();
      const res = await fetch(`${proxy.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify(chatBody(true)), headers: { 'content-type': 'application/json' }, signal: abort.signal });
      const reader = res.body!.getReader();
      const first = await reader.read();
      expect(new TextDecoder().decode(first.value)).toContain('first words');
      const abortedAt = performance.now();
      abort.abort();
      expect((await closedWithin(upstream.closed, 2000)) - abortedAt).toBeLessThan(2000);
      await expectHealthy(proxy);
      const next = await new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'k', maxRetries: 0 }).chat.completions.stream(chatBody(true) as never).finalChatCompletion();
      expect(next.choices[0]!.message.content).toBe('first words');
      expect(proxy.stats().requests.total).toBe(2);
    } finally {
      await proxy.close();
      await upstream.close();
    }
  });

  it('aborts the upstream request when the client gives up before the upstream answers', async () => {
    const upstream = await startStallingUpstream('before-headers');
    const proxy = await startProxy({ ...agentRecognition, port: 0, upstreams: { openai: upstream.url }, store, ledgerDir: false });
    try {
      const abort = new AbortController();
      const pending = fetch(`${proxy.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify(chatBody(false)), headers: { 'content-type': 'application/json' }, signal: abort.signal });
      await upstream.received;
      abort.abort();
      await expect(pending).rejects.toThrow();
      await closedWithin(upstream.closed, 2000);
      await expectHealthy(proxy);
      const next = await new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'k', maxRetries: 0 }).chat.completions.stream(chatBody(true) as never).finalChatCompletion();
      expect(next.choices[0]!.message.content).toBe('first words');
    } finally {
      await proxy.close();
      await upstream.close();
    }
  });
});

function closedWithin(closed: Promise<number>, ms: number): Promise<number> {
  const timeout = new Promise<number>((_, reject) => setTimeout(() => reject(new Error('the proxy did not close the upstream request')), ms).unref());
  return Promise.race([closed, timeout]);
}

/** A request through node:http, where headers fetch refuses (hop-by-hop, chunked bodies) can be set. */
function rawRequest(url: string, path: string, headers: http.OutgoingHttpHeaders, chunks: string[]): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${path}`, { method: 'POST', headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString('utf8') }));
    });
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe('request headers', () => {
  it('strips x-headroom-* headers and passes credentials and provider headers unchanged', async () => {
    await withSetup(
      undefined,
      async (t) => {
        const own = { 'x-headroom-token': 'secret', 'x-headroom-session': 's-1', 'x-headroom-query': 'why', 'x-headroom-agent': 'claude' };
        const cases: Array<{ path: string; body: object | undefined; headers: Record<string, string> }> = [
          { path: '/v1/messages', body: anthropicBody, headers: { 'x-api-key': 'sk-ant-1', 'anthropic-version': '2023-06-01', 'anthropic-beta': 'prompt-caching-2024-07-31,interleaved-thinking-2025-05-14' } },
          { path: '/v1/chat/completions', body: chatBody(false), headers: { authorization: 'Bearer sk-openai-1', 'openai-organization': 'org-1' } },
          { path: '/v1beta/models/gemini-fake:generateContent', body: geminiBody, headers: { 'x-goog-api-key': 'AIza-1', 'x-goog-api-client': 'google-genai-sdk/1.30.0' } },
          // Unrouted requests (model listings) go upstream the same way.
          { path: '/v1/models', body: undefined, headers: { authorization: 'Bearer sk-openai-2' } },
        ];
        for (const c of cases) {
          const res = await fetch(`${t.proxy.url}${c.path}`, {
            method: c.body ? 'POST' : 'GET',
            ...(c.body ? { body: JSON.stringify(c.body) } : {}),
            headers: { 'content-type': 'application/json', 'x-custom-header': 'kept', ...own, ...c.headers },
          });
          expect(res.status).toBe(200);
          await res.arrayBuffer();
          const seen = t.fake.requests.at(-1)!;
          expect(seen.url).toBe(c.path);
          expect(Object.keys(seen.headers).filter((h) => h.startsWith('x-headroom-'))).toEqual([]);
          expect(seen.headers).toMatchObject({ ...c.headers, 'x-custom-header': 'kept' });
        }
      },
      { token: 'secret' },
    );
  });

  it('does not forward hop-by-hop headers, and recomputes the length of a chunked body', async () => {
    await withSetup(undefined, async (t) => {
      const body = JSON.stringify(chatBody(false));
      const res = await rawRequest(
        t.proxy.url,
        '/v1/chat/completions',
        {
          'content-type': 'application/json',
          authorization: 'Bearer k',
          connection: 'keep-alive, x-hop-only',
          'keep-alive': 'timeout=7',
          'x-hop-only': 'for the proxy',
          te: 'trailers',
          'transfer-encoding': 'chunked',
        },
        [body.slice(0, 10), body.slice(10)],
      );
      expect(res.status).toBe(200);
      const seen = t.fake.modelRequests()[0]!;
      expect(seen.body).toBe(body);
      for (const name of ['keep-alive', 'x-hop-only', 'te', 'transfer-encoding']) expect(seen.headers[name], name).toBeUndefined();
      expect(String(seen.headers.connection ?? '')).not.toContain('x-hop-only');
      expect(seen.headers['content-length']).toBe(String(Buffer.byteLength(body)));
      // The fake's own keep-alive terms (timeout=1) stay between it and the proxy.
      expect(res.headers['keep-alive']).not.toBe('timeout=1');
    });
  });
});

describe('request size limit', () => {
  it('answers 413 in each provider shape for a body over maxBodyBytes, declared or chunked', async () => {
    await withSetup(
      undefined,
      async (t) => {
        const big = { model: 'gpt-fake', messages: [{ role: 'user', content: 'x'.repeat(5000) }] };
        await expect(t.openai.chat.completions.create(big as never)).rejects.toMatchObject({ status: 413, error: { type: 'invalid_request_error' } });
        const responses = await post(t.proxy, '/v1/responses', { model: 'gpt-fake', input: 'x'.repeat(5000) }, { authorization: 'Bearer k' });
        expect(responses.status).toBe(413);
        expect(await responses.json()).toMatchObject({ error: { code: 'request_too_large' } });
        const text = JSON.stringify({ contents: [{ parts: [{ text: 'x'.repeat(5000) }] }] });
        const chunked = await rawRequest(t.proxy.url, '/v1beta/models/gemini-fake:generateContent', { 'content-type': 'application/json', 'x-goog-api-key': 'k', 'transfer-encoding': 'chunked' }, [text.slice(0, 900), text.slice(900)]);
        expect(chunked.status).toBe(413);
        expect(JSON.parse(chunked.body)).toMatchObject({ error: { code: 413, status: 'INVALID_ARGUMENT' } });
        expect(t.fake.modelRequests()).toHaveLength(0);
        expect(t.proxy.stats().requests.rejected).toBe(3);
        // A request under the limit still goes through.
        const small = await t.openai.chat.completions.create(chatBody(false) as never);
        expect(small.choices[0]!.message.content).toMatch(/^ok/);
      },
      { maxBodyBytes: 1000 },
    );
  });
});
