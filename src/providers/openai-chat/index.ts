import { isObject } from '../../wire/index.js';
import { RETRIEVE_ONLY } from '../proxy-names.js';
import type { ProviderAdapter } from '../types.js';
import { continueRequest } from './continue.js';
import { errorBody } from './errors.js';
import { read } from './read.js';
import { OpenAiChatRelay } from './relay.js';
import { mergeResponses, readResponse } from './response.js';
import { addTools } from './tools.js';
import { usageFrom } from './usage.js';

/** OpenAI Chat Completions: `POST /v1/chat/completions` (Copilot CLI BYOK, Aider via litellm). */
export const openaiChat: ProviderAdapter = {
  name: 'openai-chat',
  read,
  addTools,
  continueRequest,
  readResponse,
  mergeResponses,
  usageOf: (body) => usageFrom(isObject(body) ? body.usage : undefined),
  streamRelay: (names = RETRIEVE_ONLY) => new OpenAiChatRelay(names),
  errorBody,
};
