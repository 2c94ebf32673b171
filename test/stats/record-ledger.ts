import Anthropic from '@anthropic-ai/sdk';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { FileCcrStore } from '../../src/compress/ccr-store.js';
import { keysInText } from '../../src/compress/marker.js';
import { startProxy } from '../../src/proxy/server.js';
import { startFakeUpstream, type ModelCall, type Reply } from '../helpers/fake-upstream.js';
import { agentRecognition } from '../../src/agents/index.js';

/** The question and first tool output of a workload in fixtures/workloads. */
function workload(id: string): { request: Record<string, unknown>; question: string; toolOutput: string } {
  const request = JSON.parse(readFileSync(join('fixtures/workloads', id, 'request.json'), 'utf8')) as Record<string, unknown>;
  const messages = request.messages as Array<{ content: Array<{ type: string; text?: string; content?: string }> }>;
  return {
    request,
    question: messages[0]!.content.find((b) => b.type === 'text')!.text!,
    toolOutput: messages.at(-1)!.content.find((b) => b.type === 'tool_result')!.content!,
  };
}

/** What the fake model does in the next call. */
type Plan = 'answer' | 'retrieve' | 'memory';

/**
 * Runs a small session mix through a real proxy (ledger on, a recall hook and one memory tool)
 * with the real SDK clients against the fake upstream, and returns the ledger lines it wrote:
 * Claude on Anthropic (a plain answer, a headroom_retrieve, a memory tool call, a recall) and Copilot on
 * OpenAI Chat (a priced and an unpriced model).
 */
export async function recordLedger(): Promise<string> {
  const home = mkdtempSync(join(tmpdir(), 'headroom-record-ledger-'));
  let plan: Plan = 'answer';
  const fake = await startFakeUpstream((call: ModelCall): Reply => {
    if (plan === 'retrieve') {
      plan = 'answer';
      const key = keysInText(call.toolOutputs.at(-1)!)[0]!;
      return { toolCalls: [{ name: 'headroom_retrieve', input: { key, query: 'error' } }] };
    }
    if (plan === 'memory') {
      plan = 'answer';
      return { toolCalls: [{ name: 'memory_search', input: { query: 'deploy steps' } }] };
    }
    return { text: 'Done.' };
  });
  const proxy = await startProxy({ ...agentRecognition,
    port: 0,
    upstreams: { anthropic: fake.url, openai: fake.url },
    store: new FileCcrStore(join(home, 'ccr')),
    ledgerDir: join(home, 'ledger'),
    recall: async () => ({ text: 'The team deploys with blue-green releases.', count: 2 }),
    tools: {
      tools: [{ name: 'memory_search', description: 'Search the project memory.', schema: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] } }],
      answer: async () => 'nothing found',
    },
  });
  try {
    const claude = new Anthropic({ baseURL: proxy.url, apiKey: 'test-key', maxRetries: 0, defaultHeaders: { 'x-headroom-agent': 'claude' } });
    const anthropicTurn = async (id: string, next: Plan) => {
      plan = next;
      await claude.messages.create({ ...workload(id).request, model: 'claude-sonnet-4-5', stream: false } as never);
    };
    await anthropicTurn('p02-sre-postgres-deadlock-crash', 'answer');
    await anthropicTurn('p01-code-search-fastify-onsend', 'retrieve');
    await anthropicTurn('p05-codebase-express-request-flow', 'memory');
    // A question with nothing to compress, in the main conversation (it declares a tool, as Claude
    // Code's turns do): the recall hook adds memories to it.
    plan = 'answer';
    const bash = { name: 'Bash', description: 'Run a command.', input_schema: { type: 'object' as const, properties: { command: { type: 'string' } } } };
    await claude.messages.create({ model: 'claude-haiku-4-5', max_tokens: 100, tools: [bash], messages: [{ role: 'user', content: 'How do we deploy this service?' }] });

    const copilot = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'test-key', maxRetries: 0, defaultHeaders: { 'x-headroom-agent': 'copilot' } });
    const chatTurn = async (id: string, model: string) => {
      plan = 'answer';
      const w = workload(id);
      const call = { id: 'call_1', type: 'function' as const, function: { name: 'bash', arguments: '{"command":"run"}' } };
      await copilot.chat.completions.create({
        model,
        messages: [
          { role: 'user', content: w.question },
          { role: 'assistant', content: null, tool_calls: [call] },
          { role: 'tool', tool_call_id: call.id, content: w.toolOutput },
        ],
        tools: [{ type: 'function', function: { name: 'bash', description: 'Run a command.', parameters: { type: 'object', properties: { command: { type: 'string' } } } } }],
      });
    };
    await chatTurn('p03-sre-nginx-upstream-502', 'gpt-4.1');
    await chatTurn('p10-json-api-org-repos', 'local-llama-3');
  } finally {
    await proxy.close();
    await fake.close();
  }
  const dir = join(home, 'ledger');
  const text = readdirSync(dir)
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('');
  rmSync(home, { recursive: true, force: true });
  return text;
}
