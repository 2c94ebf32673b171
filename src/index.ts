/** headroom's library surface. */
export { compressText, compressCore, compressionFailures, MIN_CHARS } from './compress/compress-text.js';
export type { CompressOptions, CompressResult, CoreResult } from './compress/compress-text.js';
export { compressRequest, latestUserText } from './compress/compress-request.js';
export type { RequestCompressOptions, RequestCompressResult, ToolOutputStat } from './compress/compress-request.js';
export { detectKind } from './compress/detect.js';
export { FileCcrStore, ccrKey } from './compress/ccr-store.js';
export type { CcrStore } from './compress/ccr-store.js';
export { matchingParts } from './compress/retrieve.js';
export { countTokens } from './compress/tokens.js';
export { CONTENT_KINDS } from './compress/types.js';
export type { ContentKind, Compressor, CompressContext } from './compress/types.js';
