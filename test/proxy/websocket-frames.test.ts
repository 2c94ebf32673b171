import { describe, expect, it } from 'vitest';
import { SocketConversation, UnknownPreviousResponse, readClientFrame } from '../../src/providers/openai-responses/websocket.js';
import { envProxyApplies } from '../../src/proxy/websocket-upstream.js';
import { FrameSink } from '../../src/proxy/websocket.js';

/** A socket that records what is sent and takes it at once. */
function fakeSocket(): { readyState: number; send: (data: string, cb?: (err?: Error) => void) => void; sent: string[] } {
  const sent: string[] = [];
  return { readyState: 1, sent, send: (data, cb) => (sent.push(data), cb?.()) };
}

const EVENTS = [
  { type: 'response.created', response: { id: 'resp_1' } },
  { type: 'response.output_text.delta', delta: 'héllo ✓ wörld' },
  { type: 'response.output_item.done', item: { type: 'message', content: [{ type: 'output_text', text: 'héllo ✓ wörld' }] } },
  { type: 'response.completed', response: { id: 'resp_1' } },
].map((e) => JSON.stringify(e));

async function relay(chunks: Buffer[], status = 200, contentType = 'text/event-stream'): Promise<string[]> {
  const ws = fakeSocket();
  const seen: string[] = [];
  const sink = new FrameSink(ws as never, (d) => seen.push(d));
  sink.writeHead(status, { 'content-type': contentType });
  for (const c of chunks) await new Promise<void>((resolve) => (sink.write(c) ? resolve() : sink.once('drain', resolve)));
  sink.end();
  await sink.done();
  if (status === 200) expect(seen).toEqual(ws.sent);
  return ws.sent;
}

describe('FrameSink: the pipeline SSE stream as WebSocket frames', () => {
  const sse = Buffer.from(EVENTS.map((d, i) => `event: ${JSON.parse(d).type}\n${i === 1 ? ': a comment\n' : ''}data: ${d}\n\n`).join(''));

  it('one frame per event wherever the bytes are cut (inside UTF-8 characters too)', async () => {
    for (let cut = 1; cut < sse.length; cut += 7) {
      expect(await relay([sse.subarray(0, cut), sse.subarray(cut)])).toEqual(EVENTS);
    }
  });

  it('one frame per event when all events come in one chunk, and when every byte is its own chunk', async () => {
    expect(await relay([sse])).toEqual(EVENTS);
    expect(await relay([...sse].map((b) => Buffer.from([b])))).toEqual(EVENTS);
  });

  it('CRLF event ends are read the same', async () => {
    expect(await relay([Buffer.from(sse.toString('utf8').replace(/\n/g, '\r\n'))])).toEqual(EVENTS);
  });

  it('an error answer becomes one error frame with its status and error object', async () => {
    const body = Buffer.from(JSON.stringify({ error: { type: 'rate_limit_exceeded', message: 'slow down' } }));
    const frames = await relay([body.subarray(0, 10), body.subarray(10)], 429, 'application/json');
    expect(frames.map((f) => JSON.parse(f))).toEqual([{ type: 'error', status: 429, error: { type: 'rate_limit_exceeded', message: 'slow down' } }]);
  });
});

describe('SocketConversation: incremental requests made whole', () => {
  const user = (text: string) => ({ type: 'message', role: 'user', content: [{ type: 'input_text', text }] });

  it('previous input, the output items relayed, then the new input; previous_response_id and generate dropped for HTTP', () => {
    const c = new SocketConversation();
    const first = c.expand({ model: 'm', input: [user('a')], generate: false }, false);
    expect(first).toEqual({ model: 'm', input: [user('a')], stream: true });
    for (const e of EVENTS) c.saw(e);
    const item = JSON.parse(EVENTS[2]!).item;
    const second = c.expand({ model: 'm', input: [user('b')], previous_response_id: 'resp_1' }, false);
    expect(second.input).toEqual([user('a'), item, user('b')]);
    expect(second).not.toHaveProperty('previous_response_id');
  });

  it('keeps generate for a WebSocket upstream', () => {
    expect(new SocketConversation().expand({ input: [], generate: false }, true)).toEqual({ input: [], stream: true, generate: false });
  });

  it('refuses a previous_response_id that is not the last response on the socket', () => {
    const c = new SocketConversation();
    c.expand({ input: [user('a')] }, false);
    for (const e of EVENTS) c.saw(e);
    expect(() => c.expand({ input: [], previous_response_id: 'resp_other' }, false)).toThrow(UnknownPreviousResponse);
  });

  it('reads client frames', () => {
    expect(readClientFrame('{"type":"response.create","model":"m"}')).toEqual({ kind: 'create', request: { model: 'm' } });
    expect(readClientFrame('{"type":"response.processed","response_id":"r"}')).toEqual({ kind: 'processed' });
    expect(readClientFrame('{"type":"session.update"}')).toEqual({ kind: 'unknown', type: 'session.update' });
    expect(() => readClientFrame('[1]')).toThrow(SyntaxError);
  });
});

describe('envProxyApplies: an upstream WebSocket would bypass the HTTP proxy the environment names', () => {
  it('applies for a proxied scheme unless NO_PROXY lists the host (exact, a parent domain, or *)', () => {
    expect(envProxyApplies('wss://api.openai.com/v1/responses', {})).toBe(false);
    expect(envProxyApplies('wss://api.openai.com/v1/responses', { HTTPS_PROXY: 'http://corp:3128' })).toBe(true);
    expect(envProxyApplies('wss://api.openai.com/v1/responses', { https_proxy: 'http://corp:3128', NO_PROXY: '.openai.com' })).toBe(false);
    expect(envProxyApplies('wss://api.openai.com/v1/responses', { HTTPS_PROXY: 'http://corp:3128', NO_PROXY: 'localhost, api.openai.com:443' })).toBe(false);
    expect(envProxyApplies('ws://127.0.0.1:9/v1/responses', { HTTP_PROXY: 'http://corp:3128', NO_PROXY: '*' })).toBe(false);
    expect(envProxyApplies('ws://127.0.0.1:9/v1/responses', { HTTPS_PROXY: 'http://corp:3128' })).toBe(false);
    expect(envProxyApplies('ws://127.0.0.1:9/v1/responses', { HTTP_PROXY: 'http://corp:3128', NO_PROXY: 'example.com' })).toBe(true);
  });
});
