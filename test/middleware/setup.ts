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

/** The question, command and (large) output of a recorded workload's first tool call. */
export function workloadParts(id: string): { question: string; command: string; toolOutput: string } {
  const { request, toolOutput } = anthropicWorkload(id);
  const [user, assistant] = request.messages as Array<{ content: Array<{ type: string; text?: string; input?: { command: string } }> }>;
  return { question: user!.content.find((b) => b.type === 'text')!.text!, command: assistant!.content.find((b) => b.type === 'tool_use')!.input!.command, toolOutput };
}

const commandSchema = { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] };

/** A Chat Completions request of an agent that ran one shell command and got `toolOutput` back. */
export function chatRequest(id: string, stream: boolean): Json {
  const { question, command, toolOutput } = workloadParts(id);
  const call = { id: 'call_bash_1', type: 'function', function: { name: 'bash', arguments: JSON.stringify({ command }) } };
  return {
    model: 'gpt-test',
    messages: [
      { role: 'system', content: 'You are a terminal assistant.' },
      { role: 'user', content: question },
      { role: 'assistant', content: 'I will look at the log.', tool_calls: [call] },
      { role: 'tool', tool_call_id: call.id, content: toolOutput },
    ],
    tools: [{ type: 'function', function: { name: 'bash', description: 'Run a shell command', parameters: commandSchema } }],
    stream,
    ...(stream ? { stream_options: { include_usage: true } } : {}),
  };
}

/** The same conversation as a Responses request. */
export function responsesRequest(id: string, stream: boolean): Json {
  const { question, command, toolOutput } = workloadParts(id);
  return {
    model: 'gpt-test',
    instructions: 'You are a terminal assistant.',
    input: [
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: question }] },
      { type: 'function_call', id: 'fc_1', call_id: 'call_exec_1', name: 'exec_command', arguments: JSON.stringify({ command }), status: 'completed' },
      { type: 'function_call_output', call_id: 'call_exec_1', output: toolOutput },
    ],
    tools: [{ type: 'function', name: 'exec_command', description: 'Run a shell command', parameters: commandSchema, strict: false }],
    stream,
  };
}
