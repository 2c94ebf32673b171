/**
 * `headroom-context/compress`: the compressors alone. Loads no proxy, memory or database code;
 * tree-sitter is loaded only when source code is compressed.
 */
export { compressText, compressCore, compressionFailures, MIN_CHARS } from './compress-text.js';
export type { CompressOptions, CompressResult, CoreResult } from './compress-text.js';
export { compressRequest } from '../library-compress.js';
export type { CompressRequestOptions, RequestCompressResult, ToolOutputStat } from '../proxy/compress-request.js';
export { detectKind } from './detect.js';
export { CcrWriteError, FileCcrStore, ccrKey } from './ccr-store.js';
export type { CcrStore } from './ccr-store.js';
export { matchingParts } from './retrieve.js';
export { countTokens } from './tokens.js';
export { CONTENT_KINDS } from './types.js';
export type { ContentKind, Compressor, CompressContext } from './types.js';
