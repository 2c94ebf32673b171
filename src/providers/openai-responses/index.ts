import type { Json } from '../../wire/index.js';
import { RETRIEVE_ONLY } from '../proxy-names.js';
import type { ProviderAdapter } from '../types.js';
import { continueRequest } from './continue.js';
import { counting } from './count.js';
import { errorBody } from './errors.js';
import { read } from './read.js';
import { ResponsesRelay } from './relay.js';
import { mergeResponses, readResponse } from './response.js';
import { addTools } from './tools.js';
import { usageFrom } from './usage.js';

/**
 * OpenAI Responses: `POST /v1/responses` (Codex CLI). The conversation is the `input` item list
 * (messages, function calls and their outputs, reasoning items), the system prompt `instructions`.
 */
export const openaiResponses: ProviderAdapter = {
  name: 'openai-responses',
  read,
  addTools,
  continueRequest,
  readResponse,
  mergeResponses,
  usageOf: (body) => usageFrom((body as Json | undefined)?.usage),
  streamRelay: (names = RETRIEVE_ONLY) => new ResponsesRelay(names),
  errorBody,
  counting,
};
