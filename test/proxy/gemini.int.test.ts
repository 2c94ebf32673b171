import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ccrKey, FileCcrStore } from '../../src/compress/ccr-store.js';
import { keysInText } from '../../src/compress/marker.js';
import { startProxy, type ProxyOptions, type RunningProxy } from '../../src/proxy/server.js';
import { scriptSequence, startFakeUpstream, type FakeUpstream, type Script } from '../helpers/fake-upstream.js';
import { agentRecognition } from '../../src/agents/index.js';

type Json = Record<string, unknown>;
interface Part {
  text?: string;
  functionCall?: { name: string; args: Json; id?: string };
  functionResponse?: { id?: string; name: string; response: Json };
}
interface Content {
  role?: string;
  parts: Part[];
}
interface Chunk {
  candidates?: Array<{ content: Content; finishReason?: string }>;
  usageMetadata?: { promptTokenCount: number; candidatesTokenCount: number };
  responseId?: string;
  error?: unknown;
}

const MODEL = 'gemini-3.8-flash';
const wire = JSON.parse(readFileSync('/work/shared/wire/gemini/002-POST-_v1beta_models_gemini_3_8_flash_streamGenerateContent.json', 'utf8')) as {
  headers: Record<string, string>;
  body: Json & { contents: Content[] };
};
const workload = JSON.parse(readFileSync('fixtures/workloads/p02-sre-postgres-deadlock-crash/request.json', 'utf8')) as {
  messages: Array<{ content: Array<{ type: string; text?: string; content?: string }> }>;
};
const question = workload.messages[0]!.content[0]!.text!;
const postgresLog = workload.messages[2]!.content[0]!.content!;

/** Gemini CLI's real request (system instruction, tools, config) after a read_file call that returned `output`. */
function geminiRequest(output = postgresLog): Json {
  const contents: Content[] = [
    ...wire.body.contents,
    { role: 'user', parts: [{ text: question }] },
    { role: 'model', parts: [{ functionCall: { id: 'read_file-1', name: 'read_file', args: { file_path: '/var/log/postgresql/postgresql-15-main.log' } } }] },
    { role: 'user', parts: [{ functionResponse: { id: 'read_file-1', name: 'read_file', response: { output } } }] },
  ];
  return { ...wire.body, contents };
}

/** Gemini CLI's headers: its user agent and API key. */
const cliHeaders = { 'content-type': 'application/json', 'user-agent': wire.headers['user-agent']!, 'x-goog-api-key': 'gemini-test-key' };

const home = mkdtempSync(join(tmpdir(), 'headroom-gemini-'));
const store = new FileCcrStore(join(home, 'ccr'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

interface Setup {
  fake: FakeUpstream;
  proxy: RunningProxy;
  /** Posts a raw body to `/v1beta/models/{MODEL}:{method}`. */
  post: (method: string, body: string) => Promise<Response>;
}

async function withSetup(script: Script | undefined, test: (t: Setup) => Promise<void>, options: ProxyOptions = {}): Promise<void> {
  const fake = await startFakeUpstream(script);
  const proxy = await startProxy({ ...agentRecognition, port: 0, upstreams: { gemini: fake.url }, store, ledgerDir: false, ...options });
  const post = (method: string, body: string): Promise<Response> =>
    fetch(`${proxy.url}/v1beta/models/${MODEL}:${method}`, { method: 'POST', body: Buffer.from(body), headers: cliHeaders });
  try {
    await test({ fake, proxy, post });
  } finally {
    await proxy.close();
    await fake.close();
  }
}

/** Reads an SSE response body into its data payloads, checking every event ends as Gemini's do. */
async function sseChunks(res: Response): Promise<Chunk[]> {
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const text = await res.text();
  expect(text.endsWith('\r\n\r\n')).toBe(true);
  return text
    .split(/\r\n\r\n|\n\n/)
    .filter((event) => event.trim() !== '')
    .map((event) => JSON.parse(event.replace(/^data: /, '')) as Chunk);
}

const partsOf = (chunks: Chunk[]): Part[] => chunks.flatMap((c) => c.candidates?.[0]?.content.parts ?? []);
const textOf = (parts: Part[]): string => parts.map((p) => p.text ?? '').join('');

/** The forwarded functionResponse output of the request's last content. */
function forwardedOutput(body: unknown): string {
  const contents = (body as { contents: Content[] }).contents;
  return contents.at(-1)!.parts[0]!.functionResponse!.response.output as string;
}

describe('Gemini generateContent through the proxy', () => {
  it('compresses a large functionResponse output, adds headroom_retrieve and leaves the rest as sent', async () => {
    await withSetup(undefined, async (t) => {
      const request = geminiRequest();
      const raw = JSON.stringify(request);
      const res = await t.post('generateContent', raw);
      expect(res.status).toBe(200);
      const answer = (await res.json()) as Chunk;
      expect(textOf(answer.candidates![0]!.content.parts)).toMatch(/^ok: 1 tool outputs/);
      expect(Number(res.headers.get('x-headroom-tokens-saved'))).toBeGreaterThan(1000);

      const [sent] = t.fake.modelRequests();
      expect(sent!.url).toBe(`/v1beta/models/${MODEL}:generateContent`);
      expect(sent!.headers['x-goog-api-key']).toBe('gemini-test-key');
      const forwarded = forwardedOutput(sent!.json);
      expect(forwarded.length).toBeLessThan(postgresLog.length / 2);
      expect(keysInText(forwarded)).toEqual([ccrKey(postgresLog)]);
      expect(store.get(ccrKey(postgresLog))).toBe(postgresLog);
      // Up to the output the bytes are the client's; the other members are unchanged.
      const at = raw.indexOf(JSON.stringify(postgresLog));
      expect(sent!.body.slice(0, at)).toBe(raw.slice(0, at));
      const json = sent!.json as Json & { contents: Content[]; tools: Json[] };
      expect(json.contents.slice(0, -1)).toEqual((request.contents as Content[]).slice(0, -1));
      expect(json.systemInstruction).toEqual(request.systemInstruction);
      expect(json.generationConfig).toEqual(request.generationConfig);
      expect(json.tools.slice(0, -1)).toEqual(request.tools);
      expect(json.tools.at(-1)).toMatchObject({ functionDeclarations: [{ name: 'headroom_retrieve' }] });
    });
  });

  it('streams with alt=sse and counts the request under the model named in the path', async () => {
    await withSetup(undefined, async (t) => {
      const chunks = await sseChunks(await t.post('streamGenerateContent?alt=sse', JSON.stringify(geminiRequest())));
      expect(textOf(partsOf(chunks))).toMatch(/^ok: 1 tool outputs, \d+ bytes$/);
      expect(chunks.at(-1)!.candidates![0]!.finishReason).toBe('STOP');
      expect(t.fake.modelRequests()[0]!.url).toBe(`/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`);
      const stats = (await (await fetch(`${t.proxy.url}/stats`)).json()) as { byModel: Record<string, { requests: number; tokensSaved: number }>; byAgent: Record<string, unknown> };
      expect(Object.keys(stats.byModel)).toEqual([MODEL]);
      expect(stats.byModel[MODEL]).toMatchObject({ requests: 1 });
      expect(stats.byModel[MODEL]!.tokensSaved).toBeGreaterThan(1000);
      expect(Object.keys(stats.byAgent)).toEqual(['gemini']);
    });
  });

  it('answers a retrieve-only call itself and splices the next round into the same SSE stream', async () => {
    const script: Script = (call) =>
      call.index === 0
        ? {
            text: 'Let me look. ',
            toolCalls: [{ name: 'headroom_retrieve', input: { key: keysInText(call.toolOutputs.at(-1)!)[0]!, query: 'deadlock' } }],
            usage: { input: 1000, output: 10 },
          }
        : { text: `found ${call.toolOutputs.at(-1)!.includes('deadlock detected') ? 'it' : 'nothing'}`, usage: { input: 2000, output: 4 } };
    await withSetup(script, async (t) => {
      const chunks = await sseChunks(await t.post('streamGenerateContent?alt=sse', JSON.stringify(geminiRequest())));
      expect(textOf(partsOf(chunks))).toBe('Let me look. found it');
      expect(partsOf(chunks).some((p) => p.functionCall)).toBe(false);
      const finishes = chunks.filter((c) => c.candidates?.[0]?.finishReason !== undefined);
      expect(finishes).toEqual([chunks.at(-1)]);
      expect(finishes[0]!.candidates![0]!.finishReason).toBe('STOP');
      expect(new Set(chunks.map((c) => c.responseId))).toEqual(new Set(['resp_fake_001']));
      expect(chunks.at(-1)!.usageMetadata).toMatchObject({ promptTokenCount: 3000, candidatesTokenCount: 14 });

      const [first, second] = t.fake.modelRequests();
      expect(second!.url).toBe(`/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`);
      const contents = (second!.json as { contents: Content[] }).contents;
      expect(contents.slice(0, -2)).toEqual((first!.json as { contents: Content[] }).contents);
      // The model turn is replayed as streamed: its text pieces, then the call.
      const turn = contents.at(-2)!;
      expect(turn.role).toBe('model');
      expect(textOf(turn.parts)).toBe('Let me look. ');
      expect(turn.parts.at(-1)!.functionCall).toMatchObject({ name: 'headroom_retrieve', args: { query: 'deadlock' } });
      const answer = contents.at(-1)!;
      expect(answer.role).toBe('user');
      expect(answer.parts[0]!.functionResponse).toMatchObject({ name: 'headroom_retrieve' });
      expect(answer.parts[0]!.functionResponse!.response.output).toContain('deadlock detected');
      const end = first!.body.lastIndexOf(']', first!.body.indexOf('"systemInstruction"'));
      expect(second!.body.slice(0, end)).toBe(first!.body.slice(0, end));
      expect(t.proxy.stats().retrievals).toMatchObject({ calls: 1, rounds: 1, unknownKeys: 0 });
    });
  });

  it('merges a non-streamed retrieval loop into one response', async () => {
    const script = scriptSequence(
      { toolCalls: [{ name: 'headroom_retrieve', input: { key: '0123456789abcdef' } }], usage: { input: 100, output: 6 } },
      { text: 'done', usage: { input: 200, output: 2 } },
    );
    await withSetup(script, async (t) => {
      const res = await t.post('generateContent', JSON.stringify(geminiRequest()));
      const body = (await res.json()) as Chunk;
      expect(body.candidates![0]!.content.parts).toEqual([{ text: 'done' }]);
      expect(body.candidates![0]!.finishReason).toBe('STOP');
      expect(body.usageMetadata).toMatchObject({ promptTokenCount: 300, candidatesTokenCount: 8 });
      expect(body.responseId).toBe('resp_fake_001');
      expect(t.proxy.stats().retrievals.unknownKeys).toBe(1);
    });
  });

  it('hides a retrieve call mixed with a client call and passes the client call through', async () => {
    const script = scriptSequence({
      toolCalls: [
        { name: 'headroom_retrieve', input: { key: '0123456789abcdef' } },
        { name: 'grep_search', input: { pattern: 'deadlock' } },
      ],
    });
    await withSetup(script, async (t) => {
      const chunks = await sseChunks(await t.post('streamGenerateContent?alt=sse', JSON.stringify(geminiRequest())));
      expect(partsOf(chunks)).toEqual([{ functionCall: { name: 'grep_search', args: { pattern: 'deadlock' } } }]);
      expect(chunks.at(-1)!.candidates![0]!.finishReason).toBe('STOP');
      expect(t.fake.modelRequests()).toHaveLength(1);
      expect(t.proxy.stats().retrievals.unanswered).toBe(1);
    });
  });

  it('passes the JSON-array stream (no alt=sse) through as it came', async () => {
    await withSetup(undefined, async (t) => {
      const res = await t.post('streamGenerateContent', JSON.stringify(geminiRequest()));
      const chunks = (await res.json()) as Chunk[];
      expect(Array.isArray(chunks)).toBe(true);
      expect(textOf(partsOf(chunks))).toMatch(/^ok: 1 tool outputs/);
    });
  });

  it('forwards a request with nothing to compress byte for byte', async () => {
    await withSetup(
      undefined,
      async (t) => {
        const raw = JSON.stringify(geminiRequest('just a few bytes: caf\u00e9 \u2713'), null, 2);
        await (await t.post('generateContent', raw)).json();
        expect(t.fake.modelRequests()[0]!.body).toBe(raw);
      },
      { retrieveTool: 'when-compressed' },
    );
    // A request without tools (Gemini CLI's JSON-schema routing call) is never touched.
    await withSetup(undefined, async (t) => {
      const { tools: _tools, ...toolless } = geminiRequest('x');
      const raw = JSON.stringify(toolless, null, 1);
      await (await t.post('streamGenerateContent?alt=sse', raw)).text();
      expect(t.fake.modelRequests()[0]!.body).toBe(raw);
    });
  });
});
