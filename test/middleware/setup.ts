import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileCcrStore } from '../../src/compress/ccr-store.js';
import { startFakeUpstream, type FakeUpstream, type Script } from '../helpers/fake-upstream.js';

/** A store in a temp dir of its own; `remove` deletes it. */
export function tempStore(prefix: string): { store: FileCcrStore; remove: () => void } {
  const home = mkdtempSync(join(tmpdir(), `headroom-${prefix}-`));
  return { store: new FileCcrStore(join(home, 'ccr')), remove: () => rmSync(home, { recursive: true, force: true }) };
}

/** Runs `test` against a fresh fake upstream and closes it after. */
export async function withFake<T>(script: Script | undefined, test: (fake: FakeUpstream) => Promise<T>): Promise<T> {
  const fake = await startFakeUpstream(script);
  try {
    return await test(fake);
  } finally {
    await fake.close();
  }
}

type Json = Record<string, unknown>;

/** A recorded Anthropic workload request (one large Bash output) with a test model name. */
export function anthropicWorkload(id: string): { request: Json; toolOutput: string } {
  const request: Json = { ...(JSON.parse(readFileSync(join('fixtures/workloads', id, 'request.json'), 'utf8')) as Json), model: 'claude-test' };
  const messages = request.messages as Array<{ content: Array<{ type: string; content?: string }> }>;
  const toolOutput = messages.at(-1)!.content.find((b) => b.type === 'tool_result')!.content!;
  return { request, toolOutput };
}

/** The next request of the same conversation: the model's answer and a new user question appended. */
export function followUp(request: Json, answer: string, question: string): Json {
  const messages = request.messages as unknown[];
  return { ...request, messages: [...messages, { role: 'assistant', content: [{ type: 'text', text: answer }] }, { role: 'user', content: [{ type: 'text', text: question }] }] };
}
