import Anthropic from '@anthropic-ai/sdk';
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { objectMembers, rootSpan } from '../../src/wire/index.js';
import type { ProviderName } from '../../src/providers/index.js';
import type { UpstreamName } from '../../src/proxy/routes.js';

/**
 * One case per wire format for tests that run the same scenario through every provider: a
 * real agent capture to start from, and the real client (the Anthropic and OpenAI SDKs; Gemini
 * CLI's requests as raw HTTP, there being no Gemini SDK here) to send it through the proxy.
 */

export type Json = Record<string, unknown>;

/** What the client got back: its visible text and the names of the tool calls it must run. */
interface Answer {
  text: string;
  calls: string[];
}

export interface ProviderCase {
  provider: ProviderName;
  agent: string;
  upstream: UpstreamName;
  /** The member holding the conversation. */
  listKey: 'messages' | 'input' | 'contents';
  /** The agent's captured first request; it ends with the user's turn. */
  firstTurn(): Json;
  /** `body` with the model's text reply and a new user turn appended. */
  nextTurn(body: Json, reply: string, user: string): Json;
  /** The system prompt of a body, in the format's own shape. */
  system(body: Json): unknown;
  /**
   * Sends `body` through the proxy with the real client and reads the whole answer. The bytes
   * the client sent are pushed to `sent` when given.
   */
  send(proxyUrl: string, body: Json, stream: boolean, sent?: string[]): Promise<Answer>;
}

const capture = (path: string): { headers: Record<string, string>; body: Json } =>
  JSON.parse(readFileSync(new URL(`../../fixtures/wire/${path}`, import.meta.url), 'utf8')) as { headers: Record<string, string>; body: Json };

/** A fetch that records each request body it sends. */
function recordingFetch(sent: string[] | undefined): typeof fetch {
  return async (input, init) => {
    if (sent && typeof init?.body === 'string') sent.push(init.body);
    return fetch(input, init);
  };
}

const list = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);

const claude = capture('claude-tool/002-POST-_v1_messages.json');
const anthropicCase: ProviderCase = {
  provider: 'anthropic',
  agent: 'claude',
  upstream: 'anthropic',
  listKey: 'messages',
  // A small max_tokens: the SDK refuses a non-streamed request it expects to run for minutes.
  firstTurn: () => ({ ...structuredClone(claude.body), max_tokens: 1024 }),
  nextTurn: (body, reply, user) => ({ ...body, messages: [...list(body.messages), { role: 'assistant', content: [{ type: 'text', text: reply }] }, { role: 'user', content: [{ type: 'text', text: user }] }] }),
  system: (body) => body.system,
  async send(proxyUrl, body, stream, sent) {
    const defaultHeaders = { 'user-agent': claude.headers['user-agent']!, 'x-claude-code-session-id': claude.headers['x-claude-code-session-id']! };
    const client = new Anthropic({ baseURL: proxyUrl, apiKey: 'test-key', maxRetries: 0, defaultHeaders, fetch: recordingFetch(sent) });
    const message = stream ? await client.messages.stream({ ...body, stream: true } as never).finalMessage() : await client.messages.create({ ...body, stream: false } as never);
    return {
      text: message.content.map((b) => (b.type === 'text' ? b.text : '')).join(''),
      calls: message.content.flatMap((b) => (b.type === 'tool_use' ? [b.name] : [])),
    };
  },
};

const copilot = capture('copilot/001-POST-_v1_chat_completions.json');
const chatCase: ProviderCase = {
  provider: 'openai-chat',
  agent: 'copilot',
  upstream: 'openai',
  listKey: 'messages',
  firstTurn: () => {
    const { stream_options: _options, ...body } = structuredClone(copilot.body);
    return body;
  },
  nextTurn: (body, reply, user) => ({ ...body, messages: [...list(body.messages), { role: 'assistant', content: reply }, { role: 'user', content: user }] }),
  system: (body) => list(body.messages).filter((m) => m.role === 'system'),
  async send(proxyUrl, body, stream, sent) {
    const defaultHeaders = { 'x-initiator': copilot.headers['x-initiator']!, 'x-interaction-type': copilot.headers['x-interaction-type']! };
    const client = new OpenAI({ baseURL: `${proxyUrl}/v1`, apiKey: 'test-key', maxRetries: 0, defaultHeaders, fetch: recordingFetch(sent) });
    const completion = stream
      ? await client.chat.completions.stream({ ...body, stream: true } as never).finalChatCompletion()
      : await client.chat.completions.create({ ...body, stream: false } as never);
    const message = completion.choices[0]!.message;
    return { text: message.content ?? '', calls: (message.tool_calls ?? []).map((c) => (c.type === 'function' ? c.function.name : c.custom.name)) };
  },
};

const codex = capture('codex-tool/001-POST-_v1_responses.json');
const responsesCase: ProviderCase = {
  provider: 'openai-responses',
  agent: 'codex',
  upstream: 'openai',
  listKey: 'input',
  firstTurn: () => structuredClone(codex.body),
  nextTurn: (body, reply, user) => ({
    ...body,
    input: [
      ...list(body.input),
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: reply }] },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: user }] },
    ],
  }),
  system: (body) => list(body.input).filter((m) => m.role === 'developer'),
  async send(proxyUrl, body, stream, sent) {
    const headers = { 'session-id': codex.headers['session-id']!, originator: codex.headers.originator! };
    const client = new OpenAI({ baseURL: `${proxyUrl}/v1`, apiKey: 'test-key', maxRetries: 0, defaultHeaders: headers, fetch: recordingFetch(sent) });
    const response = stream ? await client.responses.stream({ ...body, stream: true } as never).finalResponse() : await client.responses.create({ ...body, stream: false } as never);
    return { text: response.output_text, calls: response.output.flatMap((o) => (o.type === 'function_call' ? [o.name] : [])) };
  },
};

const geminiCli = capture('gemini/002-POST-_v1beta_models_gemini_3_8_flash_streamGenerateContent.json');
const GEMINI_MODEL = 'gemini-3.8-flash';
type GeminiChunk = { candidates?: Array<{ content?: { parts?: Json[] } }> };
const geminiCase: ProviderCase = {
  provider: 'gemini',
  agent: 'gemini',
  upstream: 'gemini',
  listKey: 'contents',
  firstTurn: () => structuredClone(geminiCli.body),
  nextTurn: (body, reply, user) => ({ ...body, contents: [...list(body.contents), { role: 'model', parts: [{ text: reply }] }, { role: 'user', parts: [{ text: user }] }] }),
  system: (body) => body.systemInstruction,
  async send(proxyUrl, body, stream, sent) {
    const raw = JSON.stringify(body);
    sent?.push(raw);
    const method = stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
    const headers = { 'content-type': 'application/json', 'user-agent': geminiCli.headers['user-agent']!, 'x-goog-api-key': 'gemini-test-key' };
    const res = await fetch(`${proxyUrl}/v1beta/models/${GEMINI_MODEL}:${method}`, { method: 'POST', body: raw, headers });
    if (res.status !== 200) throw new Error(`gemini answered ${res.status}: ${await res.text()}`);
    const chunks: GeminiChunk[] = stream
      ? (await res.text())
          .split(/\r\n\r\n|\n\n/)
          .filter((e) => e.trim() !== '')
          .map((e) => JSON.parse(e.replace(/^data: /, '')) as GeminiChunk)
      : [(await res.json()) as GeminiChunk];
    const parts = chunks.flatMap((c) => c.candidates?.[0]?.content?.parts ?? []);
    return {
      text: parts.map((p) => (typeof p.text === 'string' ? p.text : '')).join(''),
      calls: parts.flatMap((p) => (p.functionCall ? [String((p.functionCall as Json).name)] : [])),
    };
  },
};

export const PROVIDER_CASES: readonly ProviderCase[] = [anthropicCase, chatCase, responsesCase, geminiCase];

/** The names of the tools a forwarded body declares, in order. */
export function declaredTools(provider: ProviderName, body: unknown): string[] {
  const tools = list((body as Json | undefined)?.tools);
  if (provider === 'gemini') return tools.flatMap((t) => list(t.functionDeclarations).map((d) => String(d.name)));
  if (provider === 'openai-chat') return tools.map((t) => String(((t.function ?? t.custom) as Json | undefined)?.name ?? t.type));
  return tools.map((t) => String(t.name ?? t.type));
}

/** A raw body up to the end of its conversation list's last element (the list's closing bracket not included). */
export function conversationPrefix(raw: string, listKey: ProviderCase['listKey']): string {
  const span = objectMembers(raw, rootSpan(raw)).get(listKey);
  if (!span) throw new Error(`no ${listKey} in the body`);
  return raw.slice(0, span.end - 1);
}
