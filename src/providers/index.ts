import { anthropic } from './anthropic/index.js';
import { gemini } from './gemini/index.js';
import { openaiChat } from './openai-chat/index.js';
import { openaiResponses } from './openai-responses/index.js';
import type { ProviderAdapter, ProviderName } from './types.js';

/**
 * One adapter per wire format, each in its own folder with a file per concern (reading a
 * request, adding tools, the continuation request, responses, usage, the stream relay).
 * Adapters import src/wire and nothing of the proxy.
 */
export { anthropic, gemini, openaiChat, openaiResponses };
export { RETRIEVE_ONLY, RETRIEVE_TOOL_NAME } from './proxy-names.js';
export type * from './types.js';

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
