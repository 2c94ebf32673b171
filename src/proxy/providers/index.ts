import { anthropic } from './anthropic.js';
import { gemini } from './gemini.js';
import { openaiChat } from './openai-chat.js';
import { openaiResponses } from './openai-responses.js';
import type { ProviderAdapter, ProviderName } from './types.js';

export const PROVIDERS: Readonly<Record<ProviderName, ProviderAdapter>> = {
  anthropic,
  'openai-chat': openaiChat,
  'openai-responses': openaiResponses,
  gemini,
};

export function adapterFor(name: ProviderName): ProviderAdapter {
  return PROVIDERS[name];
}

export function isProviderName(name: string): name is ProviderName {
  return Object.hasOwn(PROVIDERS, name);
}
