import { isObject } from '../../wire/index.js';
import { RETRIEVE_ONLY } from '../proxy-names.js';
import type { ProviderAdapter } from '../types.js';
import { continueRequest } from './continue.js';
import { counting } from './count.js';
import { errorBody } from './errors.js';
import { read } from './read.js';
import { GeminiRelay } from './relay.js';
import { mergeResponses, readResponse } from './response.js';
import { addTools } from './tools.js';
import { usageFrom } from './usage.js';

/**
 * Gemini generateContent: `POST /v1beta/models/{model}:generateContent` and
 * `:streamGenerateContent?alt=sse` (Gemini CLI). The model and whether the response streams
 * are in the URL, not the body: the server fills them in from the path.
 */
export const gemini: ProviderAdapter = {
  name: 'gemini',
  read,
  addTools,
  continueRequest,
  readResponse,
  mergeResponses,
  usageOf: (body) => usageFrom(isObject(body) ? body.usageMetadata : undefined),
  streamRelay: (names = RETRIEVE_ONLY) => new GeminiRelay(names),
  errorBody,
  counting,
};
