import Anthropic from '@anthropic-ai/sdk';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileCcrStore } from '../../src/compress/ccr-store.js';
import { keysInText } from '../../src/compress/marker.js';
import { startProxy, type RunningProxy } from '../../src/proxy/server.js';
import { scriptSequence, startFakeUpstream, type FakeUpstream, type Script } from '../helpers/fake-upstream.js';
import { agentRecognition } from '../../src/agents/index.js';

const workload = (id: string): { request: Record<string, unknown>; toolOutput: string } => {
  const request: Record<string, unknown> = { ...(JSON.parse(readFileSync(join('fixtures/workloads', id, 'request.json'), 'utf8')) as Record<string, unknown>), model: 'claude-test' };
  const messages = request.messages as Array<{ content: Array<{ type: string; content?: string }> }>;
  const toolOutput = messages.at(-1)!.content.find((b) => b.type === 'tool_result')!.content!;
  return { request, toolOutput };
};

const home = mkdtempSync(join(tmpdir(), 'headroom-proxy-'));
const store = new FileCcrStore(join(home, 'ccr'));

/** A proxy in front of a fresh fake upstream running `script`. */
async function setup(script?: Script): Promise<{ fake: FakeUpstream; proxy: RunningProxy; client: Anthropic; close: () => Promise<void> }> {
  const fake = await startFakeUpstream(script);
  const proxy = await startProxy({ ...agentRecognition, port: 0, upstreams: { anthropic: fake.url }, store, ledgerDir: join(home, 'ledger') });
  const client = new Anthropic({ baseURL: proxy.url, apiKey: 'test-key', maxRetries: 0 });
  return { fake, proxy, client, close: async () => (await proxy.close(), await fake.close()) };
}

function post(url: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/v1/messages`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-api-key': 'k', 'anthropic-version': '2023-06-01', ...headers } });
}

afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('anthropic through the proxy', () => {
  const { request, toolOutput } = workload('p02-sre-postgres-deadlock-crash');

  it('compresses a large tool output with the real SDK, keeps the rest identical and reports tokens', async () => {
    const t = await setup();
    try {
      const res = await t.client.messages.create(request as never).withResponse();
      expect(res.data.content[0]).toMatchObject({ type: 'text' });
      expect(Number(res.response.headers.get('x-headroom-tokens-before'))).toBeGreaterThan(Number(res.response.headers.get('x-headroom-tokens-after')));
      const sent = t.fake.modelRequests()[0]!.json as typeof request;
      const messages = sent.messages as Array<{ content: Array<{ type: string; content?: string }> }>;
      const forwarded = messages.at(-1)!.content.find((b) => b.type === 'tool_result')!.content!;
      expect(forwarded.length).toBeLessThan(toolOutput.length / 2);
      expect(keysInText(forwarded).length).toBeGreaterThan(0);
      // Everything but the tool output and the added retrieve tool is as the client sent it.
      expect(sent.system).toEqual(request.system);
      expect(messages.slice(0, -1)).toEqual((request.messages as unknown[]).slice(0, -1));
      expect((sent.tools as Array<{ name: string }>).map((x) => x.name)).toEqual([...(request.tools as Array<{ name: string }>).map((x) => x.name), 'headroom_retrieve']);
    } finally {
      await t.close();
    }
  });

  it('forwards a request with nothing to compress byte for byte', async () => {
    const t = await setup();
    try {
      const raw = JSON.stringify({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi  \u00e9' }] }, null, 1);
      const res = await post(t.proxy.url, raw);
      expect(res.status).toBe(200);
      await res.json();
      expect(t.fake.modelRequests()[0]!.body).toBe(raw);
      expect(res.headers.get('x-headroom-tokens-saved')).toBe('0');
    } finally {
      await t.close();
    }
  });

  it('with --retrieve-tool when-compressed, a request with tools and nothing to compress goes byte for byte', async () => {
    const fake = await startFakeUpstream();
    const proxy = await startProxy({ ...agentRecognition, port: 0, upstreams: { anthropic: fake.url }, store, ledgerDir: false, retrieveTool: 'when-compressed' });
    try {
      const small = { model: 'm', max_tokens: 10, tools: [{ name: 'Bash', input_schema: { type: 'object' } }], messages: [{ role: 'user', content: 'hi' }] };
      const raw = JSON.stringify(small, null, 2);
      await (await post(proxy.url, raw)).json();
      expect(fake.modelRequests()[0]!.body).toBe(raw);
      // The default mode adds the tool from the first request, so the cached prefix never changes.
      const always = await startProxy({ ...agentRecognition, port: 0, upstreams: { anthropic: fake.url }, store, ledgerDir: false });
      await (await post(always.url, raw)).json();
      await always.close();
      expect((fake.modelRequests()[1]!.json as { tools: Array<{ name: string }> }).tools.map((t) => t.name)).toEqual(['Bash', 'headroom_retrieve']);
    } finally {
      await proxy.close();
      await fake.close();
    }
  });

  it('streams with the real SDK', async () => {
    const t = await setup();
    try {
      const stream = t.client.messages.stream({ ...(request as object), stream: true } as never);
      const final = await stream.finalMessage();
      expect(final.content[0]).toMatchObject({ type: 'text' });
      expect((final.content[0] as { text: string }).text).toMatch(/^ok: 1 tool outputs/);
    } finally {
      await t.close();
    }
  });

  it('answers a retrieve-only call itself and splices the continuation into one stream', async () => {
    let key = '';
    const t = await setup((call) => {
      if (call.index === 0) {
        key = keysInText(call.toolOutputs.at(-1)!)[0]!;
        return { text: 'Let me look. ', toolCalls: [{ name: 'headroom_retrieve', input: { key, query: 'deadlock' }, id: 'toolu_r1' }] };
      }
      return { text: `found ${call.toolOutputs.at(-1)!.includes('deadlock') ? 'it' : 'nothing'}` };
    });
    try {
      const stream = t.client.messages.stream({ ...(request as object), stream: true } as never);
      const final = await stream.finalMessage();
      expect(final.content.map((b) => b.type)).toEqual(['text', 'text']);
      expect(final.content.map((b) => (b as { text: string }).text).join('')).toBe('Let me look. found it');
      expect(final.stop_reason).toBe('end_turn');
      const second = t.fake.modelRequests()[1]!.json as { messages: Array<{ role: string; content: unknown }> };
      expect(second.messages.at(-2)!.role).toBe('assistant');
      expect(JSON.stringify(second.messages.at(-1)!.content)).toContain('toolu_r1');
      expect(t.proxy.stats().retrievals.calls).toBe(1);
    } finally {
      await t.close();
    }
  });

  it('answers a retrieve call in a non-streamed response and merges the rounds', async () => {
    const t = await setup((call) =>
      call.index === 0 ? { toolCalls: [{ name: 'headroom_retrieve', input: { key: '0000000000000000' } }] } : { text: `answer: ${call.toolOutputs.at(-1)!.slice(0, 40)}` },
    );
    try {
      const msg = await t.client.messages.create(request as never);
      expect(msg.content).toHaveLength(1);
      expect((msg.content[0] as { text: string }).text).toMatch(/^answer: headroom_retrieve: no original is stored/);
      expect(msg.stop_reason).toBe('end_turn');
      expect(t.proxy.stats().retrievals.unknownKeys).toBe(1);
    } finally {
      await t.close();
    }
  });

  it('hides a retrieve call mixed with a client tool call and passes the client call through', async () => {
    const t = await setup(
      scriptSequence({ toolCalls: [{ name: 'headroom_retrieve', input: { key: '0000000000000000' } }, { name: 'Bash', input: { command: 'ls' } }] }),
    );
    try {
      const stream = t.client.messages.stream({ ...(request as object), stream: true } as never);
      const final = await stream.finalMessage();
      expect(final.content.map((b) => (b.type === 'tool_use' ? b.name : b.type))).toEqual(['Bash']);
      expect(final.stop_reason).toBe('tool_use');
      expect(t.fake.modelRequests()).toHaveLength(1);
    } finally {
      await t.close();
    }
  });

  it('replays identical compressed bytes across turns so each forwarded request extends the last', async () => {
    const t = await setup();
    try {
      const turn1 = JSON.stringify(request);
      const messages = [...(request.messages as unknown[]), { role: 'assistant', content: [{ type: 'text', text: 'Looking.' }] }, { role: 'user', content: 'and the next step?' }];
      const turn2 = JSON.stringify({ ...request, messages });
      const headers = { 'x-claude-code-session-id': 'session-a' };
      await (await post(t.proxy.url, turn1, headers)).json();
      await (await post(t.proxy.url, turn2, headers)).json();
      const [f1, f2] = t.fake.modelRequests().map((r) => r.body) as [string, string];
      const lcp = (a: string, b: string): number => {
        let i = 0;
        while (i < a.length && a[i] === b[i]) i++;
        return i;
      };
      // The forwarded pair diverges exactly where the client's pair does.
      expect(f1.length - lcp(f1, f2)).toBe(turn1.length - lcp(turn1, turn2));
      expect(f1.length).toBeLessThan(turn1.length);
    } finally {
      await t.close();
    }
  });

  it('relays upstream errors, resets and outages faithfully', async () => {
    const t = await setup(
      scriptSequence(
        { error: { status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'busy' } } } },
        { text: 'x'.repeat(200), fault: { resetAfterEvents: 3 } },
      ),
    );
    try {
      await expect(t.client.messages.create(request as never)).rejects.toMatchObject({ status: 529 });
      const stream = t.client.messages.stream({ ...(request as object), stream: true } as never);
      await expect(stream.finalMessage()).rejects.toThrow();
      await t.fake.close();
      const res = await post(t.proxy.url, JSON.stringify(request));
      expect(res.status).toBe(502);
      expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'api_error' } });
      expect((await fetch(`${t.proxy.url}/livez`)).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('decodes gzip and br upstream bodies', async () => {
    const t = await setup(scriptSequence({ text: 'zipped', encoding: 'gzip' }, { text: 'brotli', encoding: 'br' }));
    try {
      const a = await t.client.messages.create(request as never);
      expect((a.content[0] as { text: string }).text).toBe('zipped');
      const b = await t.client.messages.stream({ ...(request as object), stream: true } as never).finalMessage();
      expect((b.content[0] as { text: string }).text).toBe('brotli');
    } finally {
      await t.close();
    }
  });

  it('serves health, stats and metrics, and writes a ledger without content or keys', async () => {
    const t = await setup();
    try {
      await t.client.messages.create(request as never);
      const health = (await (await fetch(`${t.proxy.url}/health`)).json()) as { version: string; pid: number };
      expect(health.pid).toBe(process.pid);
      const stats = (await (await fetch(`${t.proxy.url}/stats`)).json()) as { tokens: { saved: number }; byProvider: Record<string, unknown> };
      expect(stats.tokens.saved).toBeGreaterThan(0);
      expect(Object.keys(stats.byProvider)).toEqual(['anthropic']);
      expect(await (await fetch(`${t.proxy.url}/metrics`)).text()).toMatch(/^headroom_tokens_saved_total\{agent="unknown"\} [1-9]/m);
    } finally {
      await t.close();
    }
    const files = readdirSync(join(home, 'ledger'));
    const ledger = files.map((f) => readFileSync(join(home, 'ledger', f), 'utf8')).join('');
    expect(ledger).toContain('"provider":"anthropic"');
    expect(ledger).not.toContain('test-key');
    expect(ledger).not.toContain('deadlock');
  });
});

describe('proxy bad input', () => {
  let t: Awaited<ReturnType<typeof setup>>;
  beforeAll(async () => {
    t = await setup();
  });
  afterAll(() => t.close());

  it('passes invalid JSON and other content types through to the upstream', async () => {
    const res = await post(t.proxy.url, '{"model": oops');
    expect(res.status).toBe(200);
    expect(t.fake.requests.at(-1)!.body).toBe('{"model": oops');
    const text = await fetch(`${t.proxy.url}/v1/messages`, { method: 'POST', body: 'plain', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBeLessThan(600);
  });

  it('refuses bodies over the limit with a 413 in the provider error shape', async () => {
    const small = await startProxy({ ...agentRecognition, port: 0, upstreams: { anthropic: t.fake.url }, maxBodyBytes: 1000, ledgerDir: false, store });
    try {
      const res = await post(small.url, JSON.stringify({ messages: [{ role: 'user', content: 'x'.repeat(5000) }] }));
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'request_too_large' } });
    } finally {
      await small.close();
    }
  });

  it('passes unknown routes and probes through untouched', async () => {
    expect((await fetch(`${t.proxy.url}/`, { method: 'HEAD' })).status).toBe(200);
    const models = await fetch(`${t.proxy.url}/v1/models`, { headers: { 'x-api-key': 'k' } });
    expect(models.status).toBe(200);
  });

  it('refuses a non-loopback host without --allow-remote and a token', async () => {
    await expect(startProxy({ ...agentRecognition, host: '0.0.0.0', port: 0 })).rejects.toThrow(/allow-remote/);
    await expect(startProxy({ ...agentRecognition, host: '0.0.0.0', port: 0, allowRemote: ['devbox.lan'] })).rejects.toThrow(/token/);
  });
});
