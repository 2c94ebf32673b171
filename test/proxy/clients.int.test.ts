import Anthropic from '@anthropic-ai/sdk';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileCcrStore } from '../../src/compress/ccr-store.js';
import { startProxy, type ProxyOptions, type RunningProxy } from '../../src/proxy/server.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';

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
  const proxy = await startProxy({ port: 0, upstreams: { anthropic: fake.url, openai: fake.url, gemini: fake.url }, store, ledgerDir: false, ...options });
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
});
