import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { simulatedCache, type SimulatedCache } from '../helpers/simulated-cache.js';

// The fake provider in simulated-cache mode, read by the real @anthropic-ai/sdk and openai clients:
// the usage they get is the simulator's, streamed and not, request after request.

let fake: FakeUpstream | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(clock?: () => number): Promise<{ f: FakeUpstream; cache: SimulatedCache }> {
  const cache = simulatedCache(clock);
  fake = await startFakeUpstream(() => ({ text: 'Looked at it.' }), { usage: cache.hook });
  return { f: fake, cache };
}

const big = (label: string) => `${label}:` + ' alpha'.repeat(1500);

describe('Anthropic Messages with a simulated cache', () => {
  it.each([false, true])('bills a write, then a read of the same prefix (stream: %s)', async (stream) => {
    const { f, cache } = await start();
    const client = new Anthropic({ apiKey: 'dummy', baseURL: f.url, maxRetries: 0 });
    const system: Anthropic.TextBlockParam[] = [{ type: 'text', text: big('system'), cache_control: { type: 'ephemeral', ttl: '1h' } }];
    const turn1: Anthropic.MessageParam[] = [{ role: 'user', content: [{ type: 'text', text: big('question'), cache_control: { type: 'ephemeral' } }] }];
    const send = async (messages: Anthropic.MessageParam[]) => {
      const params = { model: 'claude-sonnet-4-5', max_tokens: 100, system, messages };
      return stream ? anthropicStream(client, params) : client.messages.create(params);
    };
    const first = await send(turn1);
    const [b1] = cache.billed;
    expect(first.usage).toMatchObject({
      input_tokens: b1!.usage.uncached,
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: b1!.usage.cacheWrite5m + b1!.usage.cacheWrite1h,
      cache_creation: { ephemeral_1h_input_tokens: b1!.usage.cacheWrite1h, ephemeral_5m_input_tokens: b1!.usage.cacheWrite5m },
      output_tokens: b1!.output,
    });
    expect(b1!.usage.cacheWrite1h).toBeGreaterThan(1500);
    const second = await send([...turn1, { role: 'assistant', content: 'Looked at it.' }, { role: 'user', content: 'and now?' }]);
    expect(second.usage.cache_read_input_tokens).toBe(b1!.usage.totalInput);
    expect(second.usage.cache_creation_input_tokens).toBe(0);
    expect(second.usage.input_tokens).toBe(cache.billed[1]!.usage.uncached);
  });

  it('answers a request with five breakpoints with the 400 the API gives', async () => {
    const { f } = await start();
    const client = new Anthropic({ apiKey: 'dummy', baseURL: f.url, maxRetries: 0 });
    const messages: Anthropic.MessageParam[] = Array.from({ length: 5 }, (_, i) => ({ role: 'user', content: [{ type: 'text', text: `m${i}`, cache_control: { type: 'ephemeral' } }] }));
    await expect(client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 10, messages })).rejects.toMatchObject({ status: 400 });
  });
});

describe('OpenAI with a simulated cache', () => {
  it.each([false, true])('Responses: cached_tokens of the shared prefix (stream: %s)', async (stream) => {
    const { f, cache } = await start();
    const client = new OpenAI({ apiKey: 'dummy', baseURL: `${f.url}/v1`, maxRetries: 0 });
    const input: OpenAI.Responses.ResponseInput = [{ role: 'user', content: big('question') }];
    const send = async (items: OpenAI.Responses.ResponseInput) => {
      const params = { model: 'gpt-5-codex', instructions: big('instructions'), input: items };
      return stream ? (await client.responses.stream(params).finalResponse()) : client.responses.create(params);
    };
    const first = await send(input);
    expect(first.usage).toMatchObject({ input_tokens: cache.billed[0]!.usage.totalInput, input_tokens_details: { cached_tokens: 0 } });
    const second = await send([...input, { role: 'assistant', content: 'Looked at it.' }, { role: 'user', content: 'and now?' }]);
    const b2 = cache.billed[1]!;
    expect(b2.usage.cacheRead).toBeGreaterThan(1024);
    expect(second.usage).toMatchObject({ input_tokens: b2.usage.totalInput, input_tokens_details: { cached_tokens: b2.usage.cacheRead }, output_tokens: b2.output });
  });

  it('Chat Completions: prompt_tokens_details.cached_tokens, and nothing cached after the retention', async () => {
    let now = 0;
    const { f, cache } = await start(() => now);
    const client = new OpenAI({ apiKey: 'dummy', baseURL: `${f.url}/v1`, maxRetries: 0 });
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'system', content: big('system') }, { role: 'user', content: 'hi' }];
    await client.chat.completions.create({ model: 'gpt-5', messages });
    now = 60_000;
    const hit = await client.chat.completions.create({ model: 'gpt-5', messages });
    expect(hit.usage?.prompt_tokens_details?.cached_tokens).toBe(cache.billed[1]!.usage.cacheRead);
    expect(hit.usage?.prompt_tokens).toBe(cache.billed[1]!.usage.totalInput);
    expect(cache.billed[1]!.usage.cacheRead).toBeGreaterThan(1024);
    now = 60_000 + 10 * 60_000;
    const miss = await client.chat.completions.create({ model: 'gpt-5', messages });
    expect(miss.usage?.prompt_tokens_details?.cached_tokens).toBe(0);
  });
});

async function anthropicStream(client: Anthropic, params: Anthropic.MessageCreateParamsNonStreaming): Promise<Anthropic.Message> {
  return client.messages.stream(params).finalMessage();
}
