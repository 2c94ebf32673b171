import { createRequire } from 'node:module';
import { FileCcrStore, type CcrStore } from '../compress/ccr-store.js';
import { anthropic } from '../providers/anthropic/index.js';
import { answerRetrieve, RETRIEVE_TOOL_DESCRIPTION, RETRIEVE_TOOL_NAME } from '../proxy/retrieval.js';
import { conversationId, Conversations } from '../proxy/conversation-state.js';
import { readPrompt, withOutputs, type AiCallOptions } from './ai-sdk-prompt.js';

export interface HeadroomMiddlewareOptions {
  /** Where originals are kept for headroom_retrieve (default: the same on-disk store as the proxy). */
  store?: CcrStore;
  /** Past this many milliseconds of compressing, a call's new outputs go as they are. */
  budgetMs?: number;
  /** How much compression keeps next to its size policy (default 1). */
  keep?: number;
}

/** The AI SDK language-model middleware headroomMiddleware returns (the `v3` specification, AI SDK 6). */
export interface HeadroomLanguageModelMiddleware {
  readonly specificationVersion: 'v3';
  transformParams<P extends AiCallOptions>(options: { params: P; model: { modelId: string } }): Promise<P>;
}

/**
 * An AI SDK language-model middleware (`wrapLanguageModel({ model, middleware })`) that
 * compresses the `tool-result` parts of each call with the conversation's cache-safe session
 * memo, as the proxy does. Outputs are compressed only when the call declares the
 * headroom_retrieve tool (see headroomRetrieveTool), so the model can always get an original
 * back; without it they go as they came.
 */
export function headroomMiddleware(options: HeadroomMiddlewareOptions = {}): HeadroomLanguageModelMiddleware {
  const store = options.store ?? new FileCcrStore();
  const sessions = new Conversations();
  return {
    specificationVersion: 'v3',
    async transformParams({ params, model }) {
      const { request, raw, places } = readPrompt(params, model.modelId);
      if (places.length === 0) return params;
      // The compressor loads with the first call there is to compress, not with the entry.
      const { compressRequestBody } = await import('../proxy/compress-request.js');
      // The request is given and nothing is added to it: the adapter's format is never used.
      const result = compressRequestBody(anthropic, raw, {
        request,
        session: sessions.get(conversationId(request)),
        store,
        // Only a headroom_retrieve tool the caller declares makes markers worth sending.
        retrieveTool: 'never',
        addTools: false,
        ...(options.budgetMs !== undefined ? { budgetMs: options.budgetMs } : {}),
        ...(options.keep !== undefined ? { keep: options.keep } : {}),
      });
      return result.body === raw ? params : withOutputs(params, places, JSON.parse(result.body) as string[]);
    },
  };
}

/**
 * The headroom_retrieve tool for the AI SDK's `tools` (its name must be `headroom_retrieve`):
 * the SDK's own tool loop runs it when the model asks for an original a marker names.
 */
export function headroomRetrieveTool(options: { store?: CcrStore } = {}) {
  const store = options.store ?? new FileCcrStore();
  // zod takes a noticeable part of a second to load: only a caller asking for the tool pays it.
  const { z } = createRequire(import.meta.url)('zod') as typeof import('zod');
  return {
    description: RETRIEVE_TOOL_DESCRIPTION,
    inputSchema: z.object({
      key: z.string().describe('The 16-hex-digit key from a marker.'),
      query: z.string().optional().describe('Optional words to match; without it the whole original comes back.'),
    }),
    execute: async (input: { key: string; query?: string | undefined }): Promise<string> => answerRetrieve(input, store),
  };
}

export { RETRIEVE_TOOL_NAME };
