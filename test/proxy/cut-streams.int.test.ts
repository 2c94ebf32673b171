import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileCcrStore } from '../../src/compress/ccr-store.js';
import { startProxy, type RunningProxy } from '../../src/proxy/server.js';
import { startFakeUpstream, type Fault } from '../helpers/fake-upstream.js';
import { agentRecognition } from '../../src/agents/index.js';

// Streams the upstream ends before the response is complete: cleanly after whole events, in
// the middle of an event, or with an error event of its own. The client must get an error in
// the provider's format on a line of its own (never a made-up ending), and the request counts
// as an upstream error.

const home = mkdtempSync(join(tmpdir(), 'headroom-cut-streams-'));
const store = new FileCcrStore(join(home, 'ccr'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** Long enough that each text delta is about a kilobyte, so a cut at byte 1500 falls inside one. */
const LONG = 'The deadlock began when two transactions locked the same rows in opposite order. '.repeat(36);
const MID_EVENT = 1500;

interface Case {
  provider: string;
  path: string;
  body: object;
  headers: Record<string, string>;
  /** What only a complete response carries. */
  terminal: RegExp;
  /** The last event the proxy sends after a cut, as parsed data. */
  errorEvent: (data: unknown[]) => unknown;
  /** The real client reading the stream to its end, where there is one. */
  sdk?: (baseUrl: string) => Promise<unknown>;
}

const anthropicBody = { model: 'claude-fake', max_tokens: 4000, stream: true, messages: [{ role: 'user', content: 'explain the deadlock' }] };
const chatBody = { model: 'gpt-fake', stream: true, messages: [{ role: 'user', content: 'explain the deadlock' }] };
const responsesBody = { model: 'gpt-fake', stream: true, input: 'explain the deadlock' };
const HEADROOM_CUT = expect.stringMatching(/^headroom: the upstream stream ended (in the middle of an event|without its closing event); the response is incomplete$/);

const CASES: Case[] = [
  {
    provider: 'anthropic',
    path: '/v1/messages',
    body: anthropicBody,
    headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' },
    terminal: /message_stop|message_delta/,
    errorEvent: (data) => expect(data.at(-1)).toEqual({ type: 'error', error: { type: 'api_error', message: HEADROOM_CUT } }),
    sdk: (url) => new Anthropic({ baseURL: url, apiKey: 'k', maxRetries: 0 }).messages.stream(anthropicBody as never).finalMessage(),
  },
  {
    provider: 'openai-chat',
    path: '/v1/chat/completions',
    body: chatBody,
    headers: { authorization: 'Bearer k' },
    terminal: /\[DONE\]|"finish_reason":"/,
    errorEvent: (data) => expect(data.at(-1)).toEqual({ error: { message: HEADROOM_CUT, type: 'api_error', param: null, code: null } }),
    sdk: (url) => new OpenAI({ baseURL: `${url}/v1`, apiKey: 'k', maxRetries: 0 }).chat.completions.stream(chatBody as never).finalChatCompletion(),
  },
  {
    provider: 'openai-responses',
    path: '/v1/responses',
    body: responsesBody,
    headers: { authorization: 'Bearer k' },
    terminal: /response\.completed/,
    errorEvent: (data) => {
      expect(data.at(-2)).toMatchObject({ type: 'error', message: HEADROOM_CUT });
      expect(data.at(-1)).toMatchObject({ type: 'response.failed', response: { status: 'failed', error: { message: HEADROOM_CUT } } });
    },
    sdk: (url) => new OpenAI({ baseURL: `${url}/v1`, apiKey: 'k', maxRetries: 0 }).responses.stream(responsesBody as never).finalResponse(),
  },
  {
    provider: 'gemini',
    path: '/v1beta/models/gemini-fake:streamGenerateContent?alt=sse',
    body: { contents: [{ role: 'user', parts: [{ text: 'explain the deadlock' }] }] },
    headers: { 'x-goog-api-key': 'k' },
    terminal: /finishReason/,
    errorEvent: (data) => expect(data.at(-1)).toEqual({ error: { code: 500, message: HEADROOM_CUT, status: 'INTERNAL' } }),
  },
];

async function withProxy(fault: Fault, test: (proxy: RunningProxy) => Promise<void>): Promise<void> {
  const fake = await startFakeUpstream(() => ({ text: LONG, fault }));
  const proxy = await startProxy({ ...agentRecognition, port: 0, upstreams: { anthropic: fake.url, openai: fake.url, gemini: fake.url }, store, ledgerDir: false });
  try {
    await test(proxy);
  } finally {
    await proxy.close();
    await fake.close();
  }
}

/**
 * A stream's events, checked to be well formed: each ends with a blank line and each of its
 * lines is an `event:` name or `data:` carrying whole JSON (no line glued to a cut one).
 */
function wellFormedEvents(text: string): { names: string[]; data: unknown[] } {
  expect(text).toMatch(/(\r\n\r\n|\n\n)$/);
  const names: string[] = [];
  const data: unknown[] = [];
  for (const event of text.split(/\r\n\r\n|\n\n/).slice(0, -1)) {
    for (const line of event.split(/\r\n|\n/)) {
      const m = /^(event|data): (.*)$/.exec(line);
      expect(m, `a line that is neither event: nor data: ${JSON.stringify(line)}`).not.toBeNull();
      if (m![1] === 'event') names.push(m![2]!);
      else data.push(JSON.parse(m![2]!));
    }
  }
  return { names, data };
}

async function post(proxy: RunningProxy, c: Case): Promise<string> {
  const res = await fetch(`${proxy.url}${c.path}`, { method: 'POST', body: JSON.stringify(c.body), headers: { 'content-type': 'application/json', ...c.headers } });
  expect(res.status).toBe(200);
  return res.text();
}

describe.each(CASES)('a cut $provider stream', (c) => {
  it.each<[string, Fault]>([
    ['after whole events', { endAfterEvents: 2 }],
    ['in the middle of an event', { endAfterBytes: MID_EVENT }],
  ])('ends %s with an error event of its own, counted as an upstream error', async (_when, fault) => {
    await withProxy(fault, async (proxy) => {
      const text = await post(proxy, c);
      expect(text).not.toMatch(c.terminal);
      c.errorEvent(wellFormedEvents(text).data);
      expect(proxy.stats().requests.upstreamErrors).toBe(1);
      if (c.sdk) {
        await expect(c.sdk(proxy.url)).rejects.toThrow(/headroom: the upstream stream ended/);
        expect(proxy.stats().requests.upstreamErrors).toBe(2);
      }
    });
  });

  it("passes the upstream's own error event on and adds nothing after it", async () => {
    await withProxy({ errorEventAfterEvents: 2 }, async (proxy) => {
      const text = await post(proxy, c);
      expect(text).not.toMatch(c.terminal);
      expect(text).not.toContain('headroom:');
      const { data } = wellFormedEvents(text);
      expect(JSON.stringify(data.at(-1))).toMatch(/Overloaded|overloaded|server had an error/);
      expect(proxy.stats().requests.upstreamErrors).toBe(1);
      if (c.sdk) await expect(c.sdk(proxy.url)).rejects.toThrow(/Overloaded|overloaded|server had an error/);
    });
  });
});

describe('a stream the upstream ends mid-event', () => {
  it('is cut inside an event in these tests (the case the proxy must not glue to)', async () => {
    const fake = await startFakeUpstream(() => ({ text: LONG }));
    try {
      for (const c of CASES) {
        const res = await fetch(`${fake.url}${c.path}`, { method: 'POST', body: JSON.stringify(c.body), headers: { 'content-type': 'application/json', ...c.headers } });
        const text = await res.text();
        const before = Buffer.from(text).subarray(0, MID_EVENT).toString('latin1');
        expect([c.provider, /[\r\n]$/.test(before), text.length > MID_EVENT]).toEqual([c.provider, false, true]);
      }
    } finally {
      await fake.close();
    }
  });
});
