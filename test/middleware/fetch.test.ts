import { afterAll, describe, expect, it } from 'vitest';
import { headroomFetch, type Fetch } from '../../src/middleware/index.js';
import { toolOutputsOf } from '../helpers/fake-upstream.js';
import { chatRequest, tempStore, workloadParts } from './setup.js';

const WORKLOAD = 'p02-sre-postgres-deadlock-crash';
const { toolOutput } = workloadParts(WORKLOAD);
const { store, remove } = tempStore('mw-fetch-unit');
afterAll(remove);

interface Sent {
  url: string;
  method: string;
  headers: Headers;
  body: string;
}

/** A base fetch that records what it is handed and answers a plain chat completion. */
function recorder(): { fetch: Fetch; sent: Sent[] } {
  const sent: Sent[] = [];
  const fetch: Fetch = async (input, init) => {
    const request = new Request(input, init);
    sent.push({ url: request.url, method: request.method, headers: request.headers, body: await request.text() });
    return Response.json({ id: 'c', object: 'chat.completion', created: 0, model: 'gpt-test', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] });
  };
  return { fetch, sent };
}

const body = JSON.stringify(chatRequest(WORKLOAD, false));
const json = { 'content-type': 'application/json' };
const forwardedOutput = (s: Sent): string => toolOutputsOf('openai-chat', JSON.parse(s.body))[0]!;

describe('headroomFetch: what it recognises', () => {
  it('compresses a request given as a Request object', async () => {
    const { fetch, sent } = recorder();
    await headroomFetch({ fetch, store })(new Request('http://upstream.test/v1/chat/completions', { method: 'POST', headers: json, body }));
    expect(forwardedOutput(sent[0]!).length).toBeLessThan(toolOutput.length / 2);
  });

  it('recognises a provider path behind a prefix of the base URL (a gateway)', async () => {
    const { fetch, sent } = recorder();
    await headroomFetch({ fetch, store })('http://gateway.test/openai/v1/chat/completions', { method: 'POST', headers: json, body });
    expect(sent[0]!.url).toBe('http://gateway.test/openai/v1/chat/completions');
    expect(forwardedOutput(sent[0]!).length).toBeLessThan(toolOutput.length / 2);
  });

  it('reads a body given as bytes', async () => {
    const { fetch, sent } = recorder();
    await headroomFetch({ fetch, store })('http://upstream.test/v1/chat/completions', { method: 'POST', headers: json, body: new TextEncoder().encode(body) });
    expect(forwardedOutput(sent[0]!).length).toBeLessThan(toolOutput.length / 2);
  });

  it('keeps x-headroom-session to itself and drops a stale content-length', async () => {
    const { fetch, sent } = recorder();
    await headroomFetch({ fetch, store })('http://upstream.test/v1/chat/completions', { method: 'POST', headers: { ...json, 'x-headroom-session': 'run-7', 'content-length': String(body.length) }, body });
    expect(sent[0]!.headers.get('x-headroom-session')).toBeNull();
    expect(Number(sent[0]!.headers.get('content-length') ?? sent[0]!.body.length)).toBe(Buffer.byteLength(sent[0]!.body));
  });

  it.each([
    ['a GET', 'http://upstream.test/v1/models', { method: 'GET' }],
    ['a path of no provider', 'http://upstream.test/v1/embeddings', { method: 'POST', headers: json, body }],
    ['a body that is not JSON', 'http://upstream.test/v1/chat/completions', { method: 'POST', headers: json, body: 'not json' }],
  ] as const)('passes %s through untouched', async (_name, url, init) => {
    const { fetch, sent } = recorder();
    const given = { ...init };
    await headroomFetch({ fetch, store })(url, given);
    expect(sent[0]!.url).toBe(url);
    expect(sent[0]!.body).toBe('body' in init ? init.body : '');
  });
});
