import Anthropic from '@anthropic-ai/sdk';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { agentRecognition } from '../../src/agents/index.js';
import { FileCcrStore } from '../../src/compress/ccr-store.js';
import { ledgerRecordOf } from '../../src/proxy/ledger.js';
import { startProxy, type ProxyEvent, type RequestEvent, type RequestSummary } from '../../src/proxy/server.js';
import { startFakeUpstream } from '../helpers/fake-upstream.js';

// One request's events, as every listener hears them: the real Anthropic SDK through the proxy
// to the fake upstream; the stats, the ledger line and the events tell the same story.

const home = mkdtempSync(join(tmpdir(), 'headroom-events-'));
const store = new FileCcrStore(join(home, 'ccr'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const request = JSON.parse(readFileSync('fixtures/workloads/p02-sre-postgres-deadlock-crash/request.json', 'utf8')) as Record<string, unknown>;
const USAGE = { input: 1234, output: 56, cacheRead: 700, cacheWrite: 80 };

async function until<T>(get: () => T | undefined): Promise<T> {
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the event stream of one request', () => {
  it.each([false, true])('reports a compressed request in order, with the provider usage, and stats and ledger follow it (stream: %s)', async (stream) => {
    const fake = await startFakeUpstream(() => ({ text: 'done', usage: USAGE }));
    const ledgerDir = join(home, `ledger-${stream}`);
    const heard: ProxyEvent[] = [];
    const proxy = await startProxy({ ...agentRecognition, port: 0, upstreams: { anthropic: fake.url }, store, ledgerDir, onEvent: (e) => heard.push(e) });
    const later: ProxyEvent[] = [];
    const stop = proxy.events.on((e) => later.push(e));
    let closed = false;
    try {
      const client = new Anthropic({ baseURL: proxy.url, apiKey: 'k', maxRetries: 0, defaultHeaders: { 'x-headroom-agent': 'my-bot' } });
      if (stream) await client.messages.stream({ ...request, model: 'claude-test' } as never).finalMessage();
      else await client.messages.create({ ...request, model: 'claude-test' } as never);
      const summary = await until(() => heard.find((e): e is Extract<RequestEvent, { type: 'finished' }> => e.type === 'finished')?.summary);

      const mine = heard.filter((e): e is RequestEvent => 'requestId' in e);
      expect(new Set(mine.map((e) => e.requestId)).size).toBe(1);
      expect(mine.map((e) => e.type)).toEqual(['request-received', 'query', 'forwarded', 'compressed', 'upstream-response', 'usage', 'finished']);
      expect(later.map((e) => e.type)).toEqual(heard.map((e) => e.type));
      expect(mine.find((e) => e.type === 'usage')).toMatchObject({ round: 0, usage: USAGE });
      expect(mine.find((e) => e.type === 'forwarded')).toMatchObject({ rewritten: true });

      expect(summary).toMatchObject<Partial<RequestSummary>>({ provider: 'anthropic', model: 'claude-test', agent: 'my-bot', status: 200, compressed: true, upstreamError: false, usage: USAGE });
      expect(summary.tokensBefore).toBeGreaterThan(summary.tokensAfter);
      const stats = proxy.stats();
      expect(stats.requests).toMatchObject({ total: 1, compressed: 1 });
      expect(stats.tokens).toEqual({ before: summary.tokensBefore, after: summary.tokensAfter, saved: summary.tokensBefore - summary.tokensAfter });
      expect(stats.usage).toEqual({ inputTokens: 1234, outputTokens: 56, cacheReadTokens: 700, cacheWriteTokens: 80 });

      await proxy.close();
      closed = true;
      const lines = readdirSync(ledgerDir).filter((f) => f.endsWith('.jsonl')).flatMap((f) => readFileSync(join(ledgerDir, f), 'utf8').trim().split('\n'));
      expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([ledgerRecordOf(summary, undefined)]);
    } finally {
      stop();
      if (!closed) await proxy.close();
      await fake.close();
    }
  });

  it('answers the client when a listener throws, and says so in a log event', async () => {
    const fake = await startFakeUpstream(() => ({ text: 'answered' }));
    const logs: string[] = [];
    const proxy = await startProxy({
      ...agentRecognition,
      port: 0,
      upstreams: { anthropic: fake.url },
      store,
      ledgerDir: false,
      onEvent: (e) => {
        if (e.type === 'log') logs.push(e.line);
        if (e.type === 'upstream-response') throw new Error('listener broke');
      },
    });
    try {
      const client = new Anthropic({ baseURL: proxy.url, apiKey: 'k', maxRetries: 0 });
      const answer = await client.messages.create({ ...request, model: 'claude-test' } as never);
      expect(answer.content).toEqual([{ type: 'text', text: 'answered' }]);
      await until(() => (proxy.stats().requests.total === 1 ? true : undefined));
      expect(logs).toEqual(['a listener of upstream-response events failed: listener broke']);
    } finally {
      await proxy.close();
      await fake.close();
    }
  });

  it('reports a refused request as a rejected event, counted in the stats', async () => {
    const heard: ProxyEvent[] = [];
    const proxy = await startProxy({ port: 0, token: 'secret', ledgerDir: false, store, onEvent: (e) => heard.push(e) });
    try {
      const res = await fetch(`${proxy.url}/v1/messages`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
      expect(res.status).toBe(401);
      expect(heard).toEqual([{ type: 'rejected', status: 401, reason: 'headroom: missing or wrong x-headroom-token' }]);
      expect(proxy.stats().requests.rejected).toBe(1);
    } finally {
      await proxy.close();
    }
  });
});

describe('the query event', () => {
  it('comes from main-conversation requests only: a side call (no tools) finishing last does not replace the session query', async () => {
    const fake = await startFakeUpstream(() => ({ text: 'done' }));
    const heard: ProxyEvent[] = [];
    // Claude Code's rule: its main conversation declares tools; a title or summary call does not.
    const proxy = await startProxy({ ...agentRecognition, port: 0, upstreams: { anthropic: fake.url }, store, ledgerDir: false, agent: 'claude', onEvent: (e) => heard.push(e) });
    try {
      const client = new Anthropic({ baseURL: proxy.url, apiKey: 'k', maxRetries: 0 });
      await client.messages.create({ ...request, model: 'claude-test' } as never);
      const { tools: _tools, ...sideCall } = request;
      const side = { ...sideCall, model: 'claude-test', messages: [{ role: 'user', content: 'Write a five-word title for this conversation about a deadlock.' }] };
      await client.messages.create(side as never);
      await until(() => (heard.filter((e) => e.type === 'finished').length === 2 ? true : undefined));
      const queries = heard.flatMap((e) => (e.type === 'query' ? [e.query] : []));
      expect(queries).toHaveLength(1);
      expect(queries[0]).not.toMatch(/title/);
    } finally {
      await proxy.close();
      await fake.close();
    }
  });
});
