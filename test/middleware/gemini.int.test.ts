import { afterAll, describe, expect, it } from 'vitest';
import { keysInText } from '../../src/compress/marker.js';
import { headroomFetch } from '../../src/middleware/index.js';
import { toolOutputsOf, type Script } from '../helpers/fake-upstream.js';
import { tempStore, withFake, workloadParts } from './setup.js';

const { question, command, toolOutput } = workloadParts('p02-sre-postgres-deadlock-crash');
const { store, remove } = tempStore('mw-gemini');
afterAll(remove);

/** A Gemini generateContent request that ran one shell command and got the output back. */
const body = JSON.stringify({
  contents: [
    { role: 'user', parts: [{ text: question }] },
    { role: 'model', parts: [{ functionCall: { name: 'run_shell_command', args: { command } } }] },
    { role: 'user', parts: [{ functionResponse: { name: 'run_shell_command', response: { output: toolOutput } } }] },
  ],
  tools: [{ functionDeclarations: [{ name: 'run_shell_command', description: 'Run a shell command', parameters: { type: 'object', properties: { command: { type: 'string' } } } }] }],
});

/** Even calls retrieve from the last output; odd ones say whether they got the deadlock lines. */
const retrieveThenAnswer: Script = (call) =>
  call.index % 2 === 0
    ? { toolCalls: [{ name: 'headroom_retrieve', input: { key: keysInText(call.toolOutputs.at(-1)!)[0]!, query: 'deadlock' } }] }
    : { text: `found ${call.toolOutputs.at(-1)!.includes('deadlock detected') ? 'it' : 'nothing'}` };

/** The text parts of Gemini response objects. */
const textOf = (responses: unknown[]): string =>
  responses
    .flatMap((r) => (r as { candidates?: Array<{ content?: { parts?: Array<{ text?: string; functionCall?: unknown }> } }> }).candidates ?? [])
    .flatMap((c) => c.content?.parts ?? [])
    .map((p) => (p.functionCall ? '[call]' : (p.text ?? '')))
    .join('');

describe('headroomFetch with Gemini generateContent (plain fetch, no SDK)', () => {
  it('answers a retrieve call itself, streamed and not', async () => {
    await withFake(retrieveThenAnswer, async (fake) => {
      const send = headroomFetch({ store });
      const init = { method: 'POST', headers: { 'content-type': 'application/json', 'x-goog-api-key': 'k' }, body };
      const streamed = await send(`${fake.url}/v1beta/models/gemini-test:streamGenerateContent?alt=sse`, init);
      const events = (await streamed.text()).split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)) as unknown);
      expect(textOf(events)).toBe('found it');
      const whole = await send(`${fake.url}/v1beta/models/gemini-test:generateContent`, init);
      expect(textOf([await whole.json()])).toBe('found it');
      const sent = fake.modelRequests();
      expect(sent).toHaveLength(4);
      expect(toolOutputsOf('gemini', sent[0]!.json)[0]!.length).toBeLessThan(toolOutput.length / 2);
      expect(toolOutputsOf('gemini', sent[1]!.json).at(-1)).toContain('deadlock detected');
      // The second request of the same conversation replays the first output as forwarded.
      expect(toolOutputsOf('gemini', sent[2]!.json)[0]).toBe(toolOutputsOf('gemini', sent[0]!.json)[0]);
    });
  });
});
