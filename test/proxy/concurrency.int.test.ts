import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ccrKey, FileCcrStore } from '../../src/compress/ccr-store.js';
import { compressCore } from '../../src/compress/compress-text.js';
import { keysInText } from '../../src/compress/marker.js';
import { startProxy } from '../../src/proxy/server.js';
import { startFakeUpstream, toolOutputsOf, type RecordedRequest, type Script } from '../helpers/fake-upstream.js';
import { agentRecognition } from '../../src/agents/index.js';

const CLIENTS = 100;

const home = mkdtempSync(join(tmpdir(), 'headroom-concurrency-'));
const store = new FileCcrStore(join(home, 'ccr'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** The nginx access log of a recorded workload, cut into one distinct window of lines per client. */
const accessLog = (
  JSON.parse(readFileSync('fixtures/workloads/p03-sre-nginx-upstream-502/request.json', 'utf8')) as { messages: Array<{ content: Array<{ content?: string }> }> }
).messages[2]!.content[1]!.content!.split('\n');

interface Client {
  n: number;
  kind: 'anthropic' | 'openai-chat' | 'openai-responses';
  session: string;
  question: string;
  toolOutput: string;
}

const clients: Client[] = Array.from({ length: CLIENTS }, (_, n) => ({
  n,
  kind: (['anthropic', 'openai-chat', 'openai-responses'] as const)[n % 3]!,
  session: `session-${n}`,
  question: `Ticket T-${String(n).padStart(3, '0')}: which upstream failed in this window of the access log?`,
  toolOutput: accessLog.slice(n * 8, n * 8 + 120).join('\n'),
}));

const tagOf = (text: string): string | undefined => /Ticket (T-\d{3})/.exec(text)?.[1];

/** The fake names the ticket it was asked about and the key of the output it saw, streamed slowly enough to interleave. */
const echoTicket: Script = (call) => {
  const keys = call.toolOutputs.flatMap((o) => keysInText(o));
  return { text: `${tagOf(call.request.body)} saw ${keys.join(',')}`, fault: { delayBetweenEventsMs: 5 } };
};

const commandOf = (c: Client): string => `awk 'NR>${c.n * 8}' /var/log/nginx/access.log | head -120`;

/** The agent's step that produced a client's output: the tool call, as each format names it. */
function stepOf(c: Client): { thought: string; tool: string; input: unknown } {
  if (c.kind === 'anthropic') return { thought: '', tool: 'Bash', input: { command: commandOf(c) } };
  if (c.kind === 'openai-chat') return { thought: '', tool: 'bash', input: { command: commandOf(c) } };
  return { thought: '', tool: 'exec_command', input: { cmd: commandOf(c) } };
}

/** Streams one client's request through the proxy with the real SDK; returns the visible answer. */
async function ask(c: Client, anthropic: Anthropic, openai: OpenAI): Promise<string> {
  const command = commandOf(c);
  if (c.kind === 'anthropic') {
    const body = {
      model: 'claude-fake',
      max_tokens: 1024,
      stream: true,
      tools: [{ name: 'Bash', description: 'Run a command', input_schema: { type: 'object', properties: { command: { type: 'string' } } } }],
      messages: [
        { role: 'user', content: c.question },
        { role: 'assistant', content: [{ type: 'tool_use', id: `toolu_${c.n}`, name: 'Bash', input: { command } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${c.n}`, content: c.toolOutput }] },
      ],
    };
    const message = await anthropic.messages.stream(body as never, { headers: { 'x-claude-code-session-id': c.session } }).finalMessage();
    return message.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
  }
  if (c.kind === 'openai-chat') {
    const body = {
      model: 'gpt-fake',
      stream: true,
      prompt_cache_key: c.session,
      tools: [{ type: 'function', function: { name: 'bash', parameters: { type: 'object', properties: { command: { type: 'string' } } } } }],
      messages: [
        { role: 'user', content: c.question },
        { role: 'assistant', content: null, tool_calls: [{ id: `call_${c.n}`, type: 'function', function: { name: 'bash', arguments: JSON.stringify({ command }) } }] },
        { role: 'tool', tool_call_id: `call_${c.n}`, content: c.toolOutput },
      ],
    };
    const completion = await openai.chat.completions.stream(body as never).finalChatCompletion();
    return completion.choices[0]!.message.content ?? '';
  }
  const body = {
    model: 'gpt-fake',
    stream: true,
    prompt_cache_key: c.session,
    tools: [{ type: 'function', name: 'exec_command', parameters: { type: 'object', properties: { cmd: { type: 'string' } } } }],
    input: [
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: c.question }] },
      { type: 'function_call', call_id: `call_${c.n}`, name: 'exec_command', arguments: JSON.stringify({ cmd: command }) },
      { type: 'function_call_output', call_id: `call_${c.n}`, output: c.toolOutput },
    ],
  };
  const response = await openai.responses.stream(body as never).finalResponse();
  return response.output_text;
}

/** The session a recorded upstream request says it belongs to (header or prompt_cache_key). */
function sessionOf(r: RecordedRequest): string | undefined {
  return (r.headers['x-claude-code-session-id'] as string | undefined) ?? (r.json as { prompt_cache_key?: string }).prompt_cache_key;
}

it(`streams ${CLIENTS} concurrent requests through one proxy without mixing sessions`, async () => {
  const fake = await startFakeUpstream(echoTicket);
  const proxy = await startProxy({ ...agentRecognition, port: 0, upstreams: { anthropic: fake.url, openai: fake.url }, store, ledgerDir: false });
  const anthropic = new Anthropic({ baseURL: proxy.url, apiKey: 'k', maxRetries: 0 });
  const openai = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'k', maxRetries: 0 });
  try {
    const answers = await Promise.all(clients.map((c) => ask(c, anthropic, openai)));

    // Each client got the answer to its own request, about its own (compressed) output.
    answers.forEach((answer, n) => {
      const c = clients[n]!;
      expect(answer).toBe(`${tagOf(c.question)} saw ${ccrKey(c.toolOutput)}`);
    });

    // Upstream saw every session once, each with its own output compressed as it alone would be.
    const seen = fake.modelRequests();
    expect(seen).toHaveLength(CLIENTS);
    const bySession = new Map(seen.map((r) => [sessionOf(r), r]));
    expect(bySession.size).toBe(CLIENTS);
    for (const c of clients) {
      const r = bySession.get(c.session)!;
      expect(r.format).toBe(c.kind);
      expect(tagOf(r.body)).toBe(tagOf(c.question));
      const [forwarded] = toolOutputsOf(r.format!, r.json);
      expect(forwarded).toBe(compressCore(c.toolOutput, { query: c.question, step: stepOf(c), store }).text);
      expect(forwarded!.length).toBeLessThan(c.toolOutput.length / 2);
    }

    const stats = proxy.stats();
    expect(stats.requests).toMatchObject({ total: CLIENTS, compressed: CLIENTS, upstreamErrors: 0, failedOpen: 0 });
    expect(stats.sessions).toBe(CLIENTS);
    expect(Object.keys(stats.byProvider).sort()).toEqual(['anthropic', 'openai-chat', 'openai-responses']);
  } finally {
    await proxy.close();
    await fake.close();
  }
});
