import { AIMessage, HumanMessage, SystemMessage, ToolMessage, type AIMessageChunk } from '@langchain/core/messages';
import { ChatOpenAI } from '@langchain/openai';
import { afterAll, describe, expect, it } from 'vitest';
import { keysInText } from '../../src/compress/marker.js';
import { headroomFetch } from '../../src/middleware/index.js';
import { toolOutputsOf, type FakeUpstream, type Script } from '../helpers/fake-upstream.js';
import { tempStore, withFake, workloadParts } from './setup.js';

const { question, command, toolOutput } = workloadParts('p02-sre-postgres-deadlock-crash');
const { store, remove } = tempStore('mw-langchain');
afterAll(remove);

const messages = [
  new SystemMessage('You are a terminal assistant.'),
  new HumanMessage(question),
  new AIMessage({ content: 'I will look at the log.', tool_calls: [{ id: 'call_bash_1', name: 'bash', args: { command } }] }),
  new ToolMessage({ tool_call_id: 'call_bash_1', content: toolOutput }),
];
const bash = { type: 'function' as const, function: { name: 'bash', description: 'Run a shell command', parameters: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] } } };

/** LangChain's OpenAI chat model, its client's fetch being headroomFetch. */
const chat = (fake: FakeUpstream) =>
  new ChatOpenAI({ model: 'gpt-test', apiKey: 'test-key', maxRetries: 0, configuration: { baseURL: `${fake.url}/v1`, fetch: headroomFetch({ store }) } }).bindTools([bash]);

const retrieveThenAnswer: Script = (call) =>
  call.index === 0
    ? { text: 'Let me look. ', toolCalls: [{ name: 'headroom_retrieve', input: { key: keysInText(call.toolOutputs.at(-1)!)[0]!, query: 'deadlock' }, id: 'call_r1' }] }
    : { text: `found ${call.toolOutputs.at(-1)!.includes('deadlock detected') ? 'it' : 'nothing'}` };

function sentOutputs(fake: FakeUpstream): string[][] {
  return fake.modelRequests().map((r) => toolOutputsOf(r.format!, r.json));
}

describe('headroomFetch under LangChain.js (ChatOpenAI configuration.fetch)', () => {
  it('compresses the tool message and answers the retrieve call itself (invoke)', async () => {
    await withFake(retrieveThenAnswer, async (fake) => {
      const reply = await chat(fake).invoke(messages);
      expect(reply.content).toBe('Let me look. found it');
      expect(reply.tool_calls ?? []).toEqual([]);
      const [first, second] = sentOutputs(fake);
      expect(first![0]!.length).toBeLessThan(toolOutput.length / 2);
      expect(second!.at(-1)).toContain('deadlock detected');
    });
  });

  it('does the same when streaming (stream)', async () => {
    await withFake(retrieveThenAnswer, async (fake) => {
      let text = '';
      const calls: unknown[] = [];
      for await (const chunk of (await chat(fake).stream(messages)) as AsyncIterable<AIMessageChunk>) {
        text += typeof chunk.content === 'string' ? chunk.content : '';
        calls.push(...(chunk.tool_call_chunks ?? []));
      }
      expect(text).toBe('Let me look. found it');
      expect(calls).toEqual([]);
      expect(fake.modelRequests().map((r) => (r.json as { stream?: boolean }).stream)).toEqual([true, true]);
    });
  });
});
