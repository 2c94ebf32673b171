import { describe, expect, it } from 'vitest';
import { anthropic, gemini, openaiChat, openaiResponses } from '../../src/providers/index.js';

describe('count endpoints (--verify)', () => {
  it('Anthropic: count_tokens beside /v1/messages, query kept, only the members it accepts', () => {
    const raw = JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 100, stream: true, system: 's', messages: [{ role: 'user', content: 'hi' }], tools: [], metadata: { user_id: 'u' } });
    const c = anthropic.counting!.request(raw, '/v1/messages?beta=true')!;
    expect(c.pathAndQuery).toBe('/v1/messages/count_tokens?beta=true');
    expect(JSON.parse(c.body)).toEqual({ model: 'claude-sonnet-4-5', system: 's', messages: [{ role: 'user', content: 'hi' }], tools: [] });
    expect(anthropic.counting!.tokens({ input_tokens: 42 })).toBe(42);
    expect(anthropic.counting!.request(raw, '/v1/complete')).toBeUndefined();
  });

  it('OpenAI Responses: input_tokens beside /v1/responses, without streaming and storage members', () => {
    const raw = JSON.stringify({ model: 'gpt-5', stream: true, store: false, instructions: 'i', input: [{ role: 'user', content: 'hi' }], tools: [], prompt_cache_key: 'k', include: [] });
    const c = openaiResponses.counting!.request(raw, '/v1/responses')!;
    expect(c.pathAndQuery).toBe('/v1/responses/input_tokens');
    expect(JSON.parse(c.body)).toEqual({ model: 'gpt-5', instructions: 'i', input: [{ role: 'user', content: 'hi' }], tools: [] });
    expect(openaiResponses.counting!.tokens({ object: 'response.input_tokens', input_tokens: 7 })).toBe(7);
  });

  it('Gemini: countTokens with the whole request as generateContentRequest; alt=sse dropped, the key kept', () => {
    const raw = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }], systemInstruction: { parts: [{ text: 's' }] }, generationConfig: { temperature: 0 } });
    const c = gemini.counting!.request(raw, '/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse&key=K')!;
    expect(c.pathAndQuery).toBe('/v1beta/models/gemini-2.5-pro:countTokens?key=K');
    expect(JSON.parse(c.body)).toEqual({ generateContentRequest: { model: 'models/gemini-2.5-pro', contents: [{ role: 'user', parts: [{ text: 'hi' }] }], systemInstruction: { parts: [{ text: 's' }] } } });
    expect(gemini.counting!.tokens({ totalTokens: 9 })).toBe(9);
  });

  it('Chat Completions has no count endpoint', () => {
    expect(openaiChat.counting).toBeUndefined();
  });
});
