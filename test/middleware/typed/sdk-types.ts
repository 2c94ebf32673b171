// Compiled (never run) by types.int.test.ts: what a user writes must type-check with the SDKs' own types.
import { createOpenAI } from '@ai-sdk/openai';
import Anthropic from '@anthropic-ai/sdk';
import type { MessageStream } from '@anthropic-ai/sdk/lib/MessageStream';
import { generateText, wrapLanguageModel, type LanguageModel } from 'ai';
import OpenAI from 'openai';
import type { ChatCompletionStream } from 'openai/lib/ChatCompletionStream';
import { headroomFetch, headroomMiddleware, headroomRetrieveTool, withHeadroom } from '../../../src/middleware/index.js';

export async function typedCalls(): Promise<void> {
  const anthropic: Anthropic = withHeadroom(new Anthropic({ apiKey: 'k' }));
  const message: Anthropic.Message = await anthropic.messages.create({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'hi' }] });
  const stream: MessageStream = anthropic.messages.stream({ model: 'm', max_tokens: 1, messages: [] });
  void message;
  void stream;

  const openai: OpenAI = withHeadroom(new OpenAI({ apiKey: 'k' }), { retrieveTool: 'when-compressed' });
  const completion: OpenAI.ChatCompletion = await openai.chat.completions.create({ model: 'm', messages: [] });
  const chatStream: ChatCompletionStream = openai.chat.completions.stream({ model: 'm', messages: [] });
  const response: OpenAI.Responses.Response = await openai.responses.create({ model: 'm', input: 'hi' });
  void completion;
  void chatStream;
  void response;

  new Anthropic({ apiKey: 'k', fetch: headroomFetch() });
  new OpenAI({ apiKey: 'k', fetch: headroomFetch({ fetch: globalThis.fetch }) });
  const model: LanguageModel = wrapLanguageModel({ model: createOpenAI({ fetch: headroomFetch() }).chat('m'), middleware: headroomMiddleware() });
  const result = await generateText({ model, prompt: 'hi', tools: { headroom_retrieve: headroomRetrieveTool() } });
  const text: string = result.text;
  void text;

  // The wrapped client is still exactly the SDK's type, not a looser one.
  // @ts-expect-error an Anthropic client wrapped is no OpenAI client
  const wrong: OpenAI = withHeadroom(new Anthropic({ apiKey: 'k' }));
  // @ts-expect-error the SDK's own parameter types still apply
  await anthropic.messages.create({ model: 'm', messages: [] });
  // @ts-expect-error an unknown option of headroom's
  withHeadroom(new OpenAI({ apiKey: 'k' }), { compressHarder: true });
  void wrong;
}
