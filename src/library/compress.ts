/**
 * `headroom-context/compress`: the compressors alone. Loads no proxy, memory or database code;
 * tree-sitter is loaded only when source code is compressed.
 */
export { compressText, compressCore, compressionFailures, MIN_CHARS } from '../compress/compress-text.js';
export type { CompressOptions, CompressResult, CoreResult } from '../compress/compress-text.js';
export { compressRequest } from './compress-request.js';
export type { CompressRequestOptions, RequestCompressResult, ToolOutputStat } from '../proxy/compress-request.js';
export { detectKind } from '../compress/detect.js';
export { CcrWriteError, FileCcrStore, ccrKey } from '../compress/ccr-store.js';
export type { CcrStore } from '../compress/ccr-store.js';
export { matchingParts } from '../compress/retrieve.js';
export { countTokens } from '../compress/tokens.js';
export { CONTENT_KINDS } from '../compress/types.js';
export type { ContentKind, Compressor, CompressContext } from '../compress/types.js';
