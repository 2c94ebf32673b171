import { createOpenAI } from '@ai-sdk/openai';
import { generateText, stepCountIs, streamText, tool, wrapLanguageModel, type LanguageModel, type ModelMessage } from 'ai';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { keysInText } from '../../src/compress/marker.js';
import { headroomFetch, headroomMiddleware, headroomRetrieveTool } from '../../src/middleware/index.js';
import { toolOutputsOf, type FakeUpstream, type Script } from '../helpers/fake-upstream.js';
import { tempStore, withFake, workloadParts } from './setup.js';

const WORKLOAD = 'p02-sre-postgres-deadlock-crash';
const { question, command, toolOutput } = workloadParts(WORKLOAD);
const { store, remove } = tempStore('mw-ai-sdk');
afterAll(remove);

const messages: ModelMessage[] = [
  { role: 'user', content: question },
  { role: 'assistant', content: [{ type: 'text', text: 'I will look at the log.' }, { type: 'tool-call', toolCallId: 'call_bash_1', toolName: 'bash', input: { command } }] },
  { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_bash_1', toolName: 'bash', output: { type: 'text', value: toolOutput } }] },
];
const bash = tool({ description: 'Run a shell command', inputSchema: z.object({ command: z.string() }), execute: async () => 'not run here' });
const tools = { bash, headroom_retrieve: headroomRetrieveTool({ store }) };

const openai = (fake: FakeUpstream, fetch?: typeof globalThis.fetch) => createOpenAI({ baseURL: `${fake.url}/v1`, apiKey: 'test-key', ...(fetch ? { fetch } : {}) });
const wrapped = (fake: FakeUpstream): LanguageModel => wrapLanguageModel({ model: openai(fake).chat('gpt-test'), middleware: headroomMiddleware({ store }) });

/** Round 0 retrieves from the conversation's last output; round 1 says whether it got the deadlock lines. */
const retrieveThenAnswer: Script = (call) =>
  call.index === 0
    ? { toolCalls: [{ name: 'headroom_retrieve', input: { key: keysInText(call.toolOutputs.at(-1)!)[0]!, query: 'deadlock' }, id: 'call_r1' }] }
    : { text: `found ${call.toolOutputs.at(-1)!.includes('deadlock detected') ? 'it' : 'nothing'}` };

/** The tool outputs of each model request the fake received. */
const outputsSent = (fake: FakeUpstream): string[][] => fake.modelRequests().map((r) => toolOutputsOf('openai-chat', r.json));

describe('headroomMiddleware with the AI SDK and @ai-sdk/openai', () => {
  it('compresses tool-result parts, and the SDK tool loop retrieves through headroom_retrieve (generateText)', async () => {
    await withFake(retrieveThenAnswer, async (fake) => {
      const result = await generateText({ model: wrapped(fake), messages, tools, stopWhen: stepCountIs(3) });
      expect(result.text).toBe('found it');
      const [first, second] = outputsSent(fake);
      expect(first![0]!.length).toBeLessThan(toolOutput.length / 2);
      // The second step replays the first output as forwarded, and carries the retrieved original's lines.
      expect(second![0]).toBe(first![0]);
      expect(second!.at(-1)).toContain('deadlock detected');
    });
  });

  it('does the same when streaming (streamText)', async () => {
    await withFake(retrieveThenAnswer, async (fake) => {
      const result = streamText({ model: wrapped(fake), messages, tools, stopWhen: stepCountIs(3) });
      expect(await result.text).toBe('found it');
      const [first, second] = outputsSent(fake);
      expect(first![0]!.length).toBeLessThan(toolOutput.length / 2);
      expect(second!.at(-1)).toContain('deadlock detected');
    });
  });

  it('sends tool outputs as they came when the call declares no headroom_retrieve tool', async () => {
    await withFake(undefined, async (fake) => {
      await generateText({ model: wrapped(fake), messages, tools: { bash } });
      expect(outputsSent(fake)[0]).toEqual([toolOutput]);
    });
  });

  it('forwards the same compressed output as headroomFetch (and so the proxy) for the same conversation', async () => {
    const viaMiddleware = await withFake(undefined, async (fake) => {
      await generateText({ model: wrapped(fake), messages, tools });
      return outputsSent(fake)[0]![0];
    });
    const viaFetch = await withFake(undefined, async (fake) => {
      await generateText({ model: openai(fake, headroomFetch({ store })).chat('gpt-test'), messages, tools: { bash } });
      return outputsSent(fake)[0]![0];
    });
    expect(viaMiddleware).toBe(viaFetch);
    expect(viaFetch!.length).toBeLessThan(toolOutput.length / 2);
  });
});
