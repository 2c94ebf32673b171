import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FileCcrStore } from '../../src/compress/ccr-store.js';
import { keysInText } from '../../src/compress/marker.js';
import { startProxy, type RunningProxy } from '../../src/proxy/server.js';
import { startFakeUpstream, toolOutputsOf, type FakeUpstream, type ModelCall, type Script } from '../helpers/fake-upstream.js';

// Codex's Responses WebSocket transport through the proxy, with a `ws` client speaking the
// frames Codex sends, to the fake upstream over WebSocket and over HTTP only.

let fake: FakeUpstream | undefined;
let proxy: RunningProxy | undefined;
let dir: string | undefined;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  await proxy?.close();
  await fake?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  proxy = fake = dir = undefined;
});

const LOG = Array.from({ length: 300 }, (_, i) => (i === 150 ? '2026-03-01T12:03:20Z ERROR payment-api: connection pool exhausted (order 4711)' : `2026-03-01T12:00:${String(i % 60).padStart(2, '0')}Z INFO worker-${i % 8} handled request ${i} in 12ms`)).join('\n');

async function setup(script: Script, opts: { websocket: boolean; token?: string }): Promise<{ fake: FakeUpstream; proxy: RunningProxy; store: FileCcrStore }> {
  dir = fs.mkdtempSync(join(os.tmpdir(), 'headroom-ws-'));
  const store = new FileCcrStore(join(dir, 'ccr'));
  fake = await startFakeUpstream(script, { websocket: opts.websocket });
  proxy = await startProxy({ port: 0, upstreams: { openai: fake.url }, store, ledgerDir: false, ...(opts.token ? { token: opts.token } : {}) });
  return { fake, proxy, store };
}

function connect(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/responses`, { headers: { authorization: 'Bearer dummy', 'session-id': 'ws-test', ...headers } });
  sockets.push(ws);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** The status an upgrade is refused with. */
function refusedWith(url: string, headers: Record<string, string>): Promise<number> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/responses`, { headers });
  sockets.push(ws);
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('open', () => reject(new Error('the upgrade was accepted')));
    ws.once('error', () => undefined);
  });
}

/** Sends one frame and collects the events answering it, up to the one that ends it. */
function exchange(ws: WebSocket, frame: object): Promise<Array<Record<string, unknown>>> {
  const events: Array<Record<string, unknown>> = [];
  return new Promise((resolve, reject) => {
    const onMessage = (data: WebSocket.RawData): void => {
      const e = JSON.parse(data.toString()) as Record<string, unknown>;
      events.push(e);
      if (['response.completed', 'response.failed', 'error'].includes(String(e.type))) {
        ws.off('message', onMessage);
        resolve(events);
      }
    };
    ws.on('message', onMessage);
    ws.once('close', () => reject(new Error(`closed after ${events.length} events`)));
    ws.send(JSON.stringify(frame));
  });
}

const create = (input: unknown[], extra: object = {}): object => ({
  type: 'response.create', model: 'gpt-fake', instructions: 'be brief', input,
  tools: [{ type: 'function', name: 'shell', parameters: { type: 'object', properties: {} } }],
  tool_choice: 'auto', parallel_tool_calls: false, store: false, stream: true, include: [], ...extra,
});
const user = (text: string): object => ({ type: 'message', role: 'user', content: [{ type: 'input_text', text }] });
const shellCall = { type: 'function_call', call_id: 'call_1', name: 'shell', arguments: '{}' };
const shellOutput = { type: 'function_call_output', call_id: 'call_1', output: LOG };

const answerWithOutput: Script = (call: ModelCall) => (call.toolOutputs.length === 0 ? 'no output yet' : `saw ${call.toolOutputs.at(-1)!.length} chars`);

describe.each([true, false])('a WebSocket client, upstream over WebSocket: %s', (websocket) => {
  it('a response.create frame is compressed like the HTTP body and its events come back as frames', async () => {
    const t = await setup(answerWithOutput, { websocket });
    const ws = await connect(t.proxy.url);
    const events = await exchange(ws, create([user('check the log'), shellCall, shellOutput]));
    expect(events[0]!.type).toBe('response.created');
    expect(events.at(-1)!.type).toBe('response.completed');
    const [sent] = t.fake.modelRequests();
    expect(sent!.transport).toBe(websocket ? 'websocket' : undefined);
    expect(t.fake.websocketUpgrades).toHaveLength(websocket ? 1 : 0);
    const output = toolOutputsOf('openai-responses', sent!.json).at(-1)!;
    expect(output).toContain('ERROR payment-api');
    expect(output.length).toBeLessThan(LOG.length / 2);
    expect(keysInText(output).length).toBeGreaterThan(0);
    const done = events.find((e) => e.type === 'response.output_text.done') as { text: string };
    expect(done.text).toBe(`saw ${output.length} chars`);
    expect(t.proxy.stats().byAgent.unknown?.tokensSaved).toBeGreaterThan(1000);
  });

  it('an incremental request (previous_response_id) goes upstream whole, its earlier part byte for byte as before', async () => {
    const t = await setup(answerWithOutput, { websocket });
    const ws = await connect(t.proxy.url);
    const first = await exchange(ws, create([user('check the log'), shellCall, shellOutput]));
    const id = (first.at(-1)!.response as { id: string }).id;
    const second = await exchange(ws, create([user('and again?')], { previous_response_id: id }));
    expect(second.at(-1)!.type).toBe('response.completed');
    const [a, b] = t.fake.modelRequests().map((r) => r.json as { input: unknown[]; previous_response_id?: unknown });
    expect(b!.previous_response_id).toBeUndefined();
    // Input so far, the answer's output item, then the new turn; the compressed output replayed exactly.
    expect(b!.input).toHaveLength(a!.input.length + 2);
    expect(JSON.stringify(b!.input.slice(0, a!.input.length))).toBe(JSON.stringify(a!.input));
    expect(b!.input.at(-1)).toEqual(user('and again?'));
  });

  it('headroom_retrieve is answered over the socket as over HTTP', async () => {
    let key = '';
    const t = await setup((call) => {
      const last = call.toolOutputs.at(-1)!;
      if (call.toolOutputs.length === 1) {
        key = keysInText(last)[0]!;
        return { toolCalls: [{ name: 'headroom_retrieve', input: { key } }] };
      }
      return `retrieved ${last.includes('handled request 77 in') ? 'the original' : 'nothing'}`;
    }, { websocket });
    const ws = await connect(t.proxy.url);
    const events = await exchange(ws, create([user('check the log'), shellCall, shellOutput]));
    const done = events.find((e) => e.type === 'response.output_text.done') as { text: string };
    expect(done.text).toBe('retrieved the original');
    expect(key).not.toBe('');
    expect(t.fake.modelRequests()).toHaveLength(2);
    // The client never sees the proxy's own call.
    expect(JSON.stringify(events)).not.toContain('headroom_retrieve');
  });

  it('a warm-up (generate: false) completes with no output', async () => {
    const t = await setup(answerWithOutput, { websocket });
    const ws = await connect(t.proxy.url);
    const events = await exchange(ws, create([user('hi')], { generate: false }));
    expect(events.map((e) => e.type)).toEqual(['response.created', 'response.completed']);
    const id = (events.at(-1)!.response as { id: string }).id;
    const next = await exchange(ws, create([], { previous_response_id: id }));
    expect(next.at(-1)!.type).toBe('response.completed');
    const last = t.fake.modelRequests().at(-1)!.json as { input: unknown[]; generate?: unknown };
    expect(last.input).toEqual([user('hi')]);
    expect(last.generate).toBeUndefined();
  });

  it('an upstream error reaches the client as an error frame with its status', async () => {
    const t = await setup(() => ({ error: { status: 429, body: { error: { type: 'rate_limit_exceeded', message: 'slow down' } } } }), { websocket });
    const ws = await connect(t.proxy.url);
    const events = await exchange(ws, create([user('hi')]));
    expect(events).toEqual([{ type: 'error', status: 429, error: { type: 'rate_limit_exceeded', message: 'slow down' } }]);
  });
});

describe('WebSocket upgrades pass the same checks as HTTP', () => {
  it('refuses a foreign Host, a web page Origin and a wrong token; admits the right token', async () => {
    const t = await setup(answerWithOutput, { websocket: true, token: 'sekrit' });
    expect(await refusedWith(t.proxy.url, { host: 'evil.example:80', 'x-headroom-token': 'sekrit' })).toBe(403);
    expect(await refusedWith(t.proxy.url, { origin: 'https://evil.example', 'x-headroom-token': 'sekrit' })).toBe(403);
    expect(await refusedWith(t.proxy.url, { 'x-headroom-token': 'wrong' })).toBe(401);
    expect(await refusedWith(t.proxy.url, {})).toBe(401);
    expect(t.fake.websocketUpgrades).toHaveLength(0);
    const ws = await connect(t.proxy.url, { 'x-headroom-token': 'sekrit' });
    const events = await exchange(ws, create([user('hi')]));
    expect(events.at(-1)!.type).toBe('response.completed');
    // The token is the proxy's: it does not go upstream.
    expect(t.fake.websocketUpgrades[0]!['x-headroom-token']).toBeUndefined();
  });
});

describe('an upstream WebSocket that breaks mid-response', () => {
  it('the client gets the events so far, an error event, then its socket closed (Codex reconnects)', async () => {
    const t = await setup(() => ({ text: 'a long answer', fault: { errorEventAfterEvents: 3 } }), { websocket: true });
    const ws = await connect(t.proxy.url);
    const got: Array<Record<string, unknown>> = [];
    ws.on('message', (d) => got.push(JSON.parse(d.toString()) as Record<string, unknown>));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(JSON.stringify(create([user('hi')])));
    expect(await closed).toBe(1011);
    expect(got.slice(0, 3).map((e) => e.type)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added']);
    // Then what the HTTP path sends a client whose stream broke: an error and the failed response.
    expect(got.slice(3).map((e) => e.type)).toEqual(['error', 'response.failed']);
    expect(JSON.stringify(got[3])).toContain('headroom: the upstream stream failed');
  });
});
