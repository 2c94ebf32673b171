import OpenAI from 'openai';
import { afterAll, describe, expect, it } from 'vitest';
import { keysInText } from '../../src/compress/marker.js';
import { withHeadroom } from '../../src/middleware/index.js';
import { startProxy } from '../../src/proxy/server.js';
import { toolOutputsOf, type FakeUpstream, type Script } from '../helpers/fake-upstream.js';
import { chatRequest, responsesRequest, tempStore, withFake, workloadParts } from './setup.js';

const WORKLOAD = 'p02-sre-postgres-deadlock-crash';
const { toolOutput } = workloadParts(WORKLOAD);
const proxyStore = tempStore('mw-openai-proxy');
const fetchStore = tempStore('mw-openai-fetch');
afterAll(() => (proxyStore.remove(), fetchStore.remove()));

const client = (fake: FakeUpstream): OpenAI => withHeadroom(new OpenAI({ baseURL: `${fake.url}/v1`, apiKey: 'test-key', maxRetries: 0 }), { store: fetchStore.store });

const keyOf = (outputs: string[]): string => keysInText(outputs.at(-1)!)[0]!;

/** Round 0 retrieves from the conversation's last output; round 1 says whether it got the deadlock lines. */
const retrieveThenAnswer: Script = (call) =>
  call.index === 0
    ? { text: 'Let me look. ', toolCalls: [{ name: 'headroom_retrieve', input: { key: keyOf(call.toolOutputs), query: 'deadlock' }, id: 'call_r1' }], usage: { input: 1000, output: 10 } }
    : { text: `found ${call.toolOutputs.at(-1)!.includes('deadlock detected') ? 'it' : 'nothing'}`, usage: { input: 2000, output: 4 } };

describe('withHeadroom with the OpenAI SDK: Chat Completions', () => {
  it('sends upstream the same bytes as the proxy, streamed and not', async () => {
    const run = async (sdk: (fake: FakeUpstream) => Promise<OpenAI>, done: () => Promise<void>) =>
      withFake(undefined, async (fake) => {
        const c = await sdk(fake);
        try {
          await c.chat.completions.create(chatRequest(WORKLOAD, false) as never);
          await c.chat.completions.stream(chatRequest(WORKLOAD, true) as never).finalChatCompletion();
        } finally {
          await done();
        }
        return fake.modelRequests().map((r) => r.body);
      });
    let close = async (): Promise<void> => undefined;
    const viaProxy = await run(async (fake) => {
      const proxy = await startProxy({ port: 0, upstreams: { openai: fake.url }, store: proxyStore.store, ledgerDir: false });
      close = () => proxy.close();
      return new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'test-key', maxRetries: 0 });
    }, () => close());
    const viaFetch = await run(async (fake) => client(fake), async () => undefined);
    expect(viaFetch).toHaveLength(2);
    expect(viaFetch).toEqual(viaProxy);
    expect(toolOutputsOf('openai-chat', JSON.parse(viaFetch[0]!))[0]!.length).toBeLessThan(toolOutput.length / 2);
  });

  it('answers a retrieve-only call itself and splices both rounds into one stream', async () => {
    await withFake(retrieveThenAnswer, async (fake) => {
      const stream = client(fake).chat.completions.stream(chatRequest(WORKLOAD, true) as never);
      const ids = new Set<string>();
      stream.on('chunk', (c) => ids.add(c.id));
      const final = await stream.finalChatCompletion();
      expect(final.choices[0]!.message.content).toBe('Let me look. found it');
      expect(final.choices[0]!.message.tool_calls ?? []).toEqual([]);
      expect(final.choices[0]!.finish_reason).toBe('stop');
      expect(final.usage).toMatchObject({ completion_tokens: 14 });
      expect(ids.size).toBe(1);
      const [, next] = fake.modelRequests();
      expect(toolOutputsOf('openai-chat', next!.json).at(-1)).toContain('deadlock detected');
    });
  });

  it('answers a retrieve-only call in a non-streamed response and merges the rounds', async () => {
    await withFake(retrieveThenAnswer, async (fake) => {
      const completion: OpenAI.ChatCompletion = await client(fake).chat.completions.create(chatRequest(WORKLOAD, false) as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming);
      expect(completion.choices[0]!.message.content).toBe('Let me look. found it');
      expect(completion.choices[0]!.message.tool_calls ?? []).toEqual([]);
      expect(fake.modelRequests()).toHaveLength(2);
    });
  });
});

describe('withHeadroom with the OpenAI SDK: Responses', () => {
  it('answers a retrieve-only call itself in a stream and in a response', async () => {
    await withFake(retrieveThenAnswer, async (fake) => {
      const final = await client(fake).responses.stream(responsesRequest(WORKLOAD, true) as never).finalResponse();
      expect(final.output_text).toBe('Let me look. found it');
      expect(JSON.stringify(final.output)).not.toContain('headroom_retrieve');
      const sent = fake.modelRequests()[0]!.json as { tools: Array<{ name: string }> };
      expect(sent.tools.map((t) => t.name)).toEqual(['exec_command', 'headroom_retrieve']);
      expect(toolOutputsOf('openai-responses', sent)[0]!.length).toBeLessThan(toolOutput.length / 2);
    });
    await withFake(retrieveThenAnswer, async (fake) => {
      const response: OpenAI.Responses.Response = await client(fake).responses.create(responsesRequest(WORKLOAD, false) as OpenAI.Responses.ResponseCreateParamsNonStreaming);
      expect(response.output_text).toBe('Let me look. found it');
      expect(fake.modelRequests()).toHaveLength(2);
      expect(toolOutputsOf('openai-responses', fake.modelRequests()[1]!.json).at(-1)).toContain('deadlock detected');
    });
  });
});
