import Anthropic from '@anthropic-ai/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { keysInText } from '../../src/compress/marker.js';
import { headroomFetch, withHeadroom } from '../../src/middleware/index.js';
import { startProxy } from '../../src/proxy/server.js';
import { scriptSequence, toolOutputsOf, type FakeUpstream, type Script } from '../helpers/fake-upstream.js';
import { anthropicWorkload, followUp, tempStore, withFake } from './setup.js';

const { request, toolOutput } = anthropicWorkload('p02-sre-postgres-deadlock-crash');
const second = followUp(request, 'The crash follows a deadlock.', 'Which two statements deadlocked?');
const proxyStore = tempStore('mw-proxy');
const fetchStore = tempStore('mw-fetch');
afterAll(() => (proxyStore.remove(), fetchStore.remove()));

const client = (fake: FakeUpstream): Anthropic => withHeadroom(new Anthropic({ baseURL: fake.url, apiKey: 'test-key', maxRetries: 0 }), { store: fetchStore.store });

/** The key of the first marker in the conversation's last tool output. */
const keyOf = (outputs: string[]): string => keysInText(outputs.at(-1)!)[0]!;

describe('headroomFetch and withHeadroom with the Anthropic SDK', () => {
  it('sends upstream the same bytes as the proxy, over two requests of one conversation', async () => {
    const viaProxy = await withFake(undefined, async (fake) => {
      const proxy = await startProxy({ port: 0, upstreams: { anthropic: fake.url }, store: proxyStore.store, ledgerDir: false });
      try {
        const sdk = new Anthropic({ baseURL: proxy.url, apiKey: 'test-key', maxRetries: 0 });
        await sdk.messages.create(request as never);
        await sdk.messages.create(second as never);
      } finally {
        await proxy.close();
      }
      return fake.modelRequests().map((r) => r.body);
    });
    const viaFetch = await withFake(undefined, async (fake) => {
      const sdk = client(fake);
      await sdk.messages.create(request as never);
      await sdk.messages.create(second as never);
      return fake.modelRequests().map((r) => r.body);
    });
    expect(viaFetch).toHaveLength(2);
    expect(viaFetch).toEqual(viaProxy);
    const [first, next] = viaFetch.map((b) => toolOutputsOf('anthropic', JSON.parse(b)));
    expect(first![0]!.length).toBeLessThan(toolOutput.length / 2);
    // The replayed output is the bytes the first request forwarded (the cached prefix holds).
    expect(next![0]).toBe(first![0]);
    expect(JSON.parse(viaFetch[0]!).tools.map((t: { name: string }) => t.name)).toContain('headroom_retrieve');
  });

  it('answers a retrieve-only call itself and splices the continuation into one stream', async () => {
    const script: Script = (call) =>
      call.index === 0
        ? { text: 'Let me look. ', toolCalls: [{ name: 'headroom_retrieve', input: { key: keyOf(call.toolOutputs), query: 'deadlock' }, id: 'toolu_r1' }], usage: { input: 1000, output: 10 } }
        : { text: `found ${call.toolOutputs.at(-1)!.includes('deadlock detected') ? 'it' : 'nothing'}`, usage: { input: 2000, output: 4 } };
    await withFake(script, async (fake) => {
      const stream = client(fake).messages.stream(request as never);
      const events: string[] = [];
      stream.on('streamEvent', (e) => events.push(e.type));
      const final = await stream.finalMessage();
      expect(final.content.map((b) => (b.type === 'text' ? b.text : b.type)).join('')).toBe('Let me look. found it');
      expect(final.stop_reason).toBe('end_turn');
      expect(final.usage.output_tokens).toBe(14);
      expect(events.filter((e) => e === 'message_start')).toHaveLength(1);
      expect(events.filter((e) => e === 'message_stop')).toHaveLength(1);
      const [, next] = fake.modelRequests();
      const messages = (next!.json as { messages: Array<{ role: string; content: unknown }> }).messages;
      expect(messages.at(-2)!.role).toBe('assistant');
      expect(JSON.stringify(messages.at(-1)!.content)).toContain('toolu_r1');
      expect(toolOutputsOf('anthropic', next!.json).at(-1)).toContain('deadlock detected');
    });
  });

  it('ends the stream with an error the SDK raises when the continuation is cut short', async () => {
    const script: Script = (call) =>
      call.index === 0 ? { toolCalls: [{ name: 'headroom_retrieve', input: { key: keyOf(call.toolOutputs) } }] } : { text: 'never finished', fault: { endAfterEvents: 2 } };
    await withFake(script, async (fake) => {
      const stream = client(fake).messages.stream(request as never);
      await expect(stream.finalMessage()).rejects.toThrow(/the upstream stream ended without its closing event/);
    });
  });

  it('returns the upstream\'s own error when a non-streamed continuation is refused', async () => {
    const script: Script = (call) =>
      call.index === 0
        ? { toolCalls: [{ name: 'headroom_retrieve', input: { key: keyOf(call.toolOutputs) } }] }
        : { error: { status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'busy' } } } };
    await withFake(script, async (fake) => {
      const failed = client(fake).messages.create({ ...(request as object), stream: false } as Anthropic.MessageCreateParamsNonStreaming);
      await expect(failed).rejects.toMatchObject({ status: 529 });
    });
  });

  it('answers a retrieve call in a non-streamed response and merges the rounds', async () => {
    const script: Script = (call) =>
      call.index === 0 ? { toolCalls: [{ name: 'headroom_retrieve', input: { key: keyOf(call.toolOutputs) } }] } : { text: `got ${call.toolOutputs.at(-1)!.length} chars` };
    await withFake(script, async (fake) => {
      const msg: Anthropic.Message = await client(fake).messages.create({ ...(request as object), stream: false } as Anthropic.MessageCreateParamsNonStreaming);
      expect(msg.content).toEqual([expect.objectContaining({ type: 'text', text: `got ${toolOutput.length} chars` })]);
      expect(msg.stop_reason).toBe('end_turn');
      expect(fake.modelRequests()).toHaveLength(2);
    });
  });

  it('passes a call of the client\'s own tool through with its retrieve call hidden', async () => {
    await withFake(scriptSequence({ toolCalls: [{ name: 'headroom_retrieve', input: { key: '0000000000000000' } }, { name: 'Bash', input: { command: 'ls' } }] }), async (fake) => {
      const msg = await client(fake).messages.create(request as never);
      expect((msg as Anthropic.Message).content.map((b) => (b.type === 'tool_use' ? b.name : b.type))).toEqual(['Bash']);
      expect(fake.modelRequests()).toHaveLength(1);
    });
  });

  it('leaves requests it does not handle untouched: a model listing and a request without tool outputs', async () => {
    await withFake(undefined, async (fake) => {
      const sdk = client(fake);
      await sdk.models.list().catch(() => undefined);
      const plain = { model: 'claude-test', max_tokens: 20, messages: [{ role: 'user' as const, content: 'hi' }] };
      await sdk.messages.create(plain);
      const model = fake.modelRequests()[0]!;
      expect(JSON.parse(model.body)).toEqual(plain);
    });
  });

  it('keeps a fetch the client was given: headroom sends through it', async () => {
    await withFake(undefined, async (fake) => {
      const seen: string[] = [];
      const own = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
        seen.push(String(init?.body ?? ''));
        return fetch(input, init);
      };
      await withHeadroom(new Anthropic({ baseURL: fake.url, apiKey: 'k', maxRetries: 0, fetch: own }), { store: fetchStore.store }).messages.create(request as never);
      expect(seen).toEqual([fake.modelRequests()[0]!.body]);
      expect(toolOutputsOf('anthropic', JSON.parse(seen[0]!))[0]!.length).toBeLessThan(toolOutput.length / 2);
    });
  });

  it('can be given to the SDK as its fetch option directly', async () => {
    await withFake(undefined, async (fake) => {
      const sdk = new Anthropic({ baseURL: fake.url, apiKey: 'k', maxRetries: 0, fetch: headroomFetch({ store: fetchStore.store }) });
      await sdk.messages.create(request as never);
      expect(toolOutputsOf('anthropic', fake.modelRequests()[0]!.json)[0]!.length).toBeLessThan(toolOutput.length / 2);
    });
  });
});
