import { AGENT_CONTEXT } from '../agents/injected-context.js';
import { compressRequest as compressWith, type CompressRequestOptions, type RequestCompressResult } from '../proxy/compress-request.js';

/**
 * The library's compressRequest: the proxy's, with every known agent's injected context
 * (Claude Code's reminders, Codex's environment, ...) left out of the default query.
 */
export function compressRequest<B extends string | object>(body: B, opts: CompressRequestOptions = {}): RequestCompressResult<B> {
  return compressWith(body, { injectedContext: AGENT_CONTEXT, ...opts });
}
