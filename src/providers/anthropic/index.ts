import type { Json } from '../../wire/index.js';
import { RETRIEVE_ONLY } from '../proxy-names.js';
import type { ProviderAdapter } from '../types.js';
import { continueRequest } from './continue.js';
import { counting } from './count.js';
import { errorBody } from './errors.js';
import { read } from './read.js';
import { AnthropicRelay } from './relay.js';
import { mergeResponses, readResponse } from './response.js';
import { addTools } from './tools.js';
import { usageFrom } from './usage.js';

/** Anthropic Messages: `POST /v1/messages` (Claude Code adds `?beta=true`) and count_tokens. */
export const anthropic: ProviderAdapter = {
  name: 'anthropic',
  read,
  addTools,
  continueRequest,
  readResponse,
  mergeResponses,
  usageOf: (body) => usageFrom((body as Json | undefined)?.usage ?? body),
  streamRelay: (names = RETRIEVE_ONLY) => new AnthropicRelay(names),
  errorBody,
  counting,
};
