/** headroom's library surface. */
export { compressText, compressCore, compressionFailures, MIN_CHARS } from './compress/compress-text.js';
export type { CompressOptions, CompressResult, CoreResult } from './compress/compress-text.js';
export { compressRequest } from './proxy/compress-request.js';
export type { CompressRequestOptions, RequestCompressResult, ToolOutputStat } from './proxy/compress-request.js';
export { startProxy } from './proxy/server.js';
export type { ProxyOptions, RunningProxy } from './proxy/server.js';
export type { StatsSnapshot, RequestRecord } from './proxy/stats.js';
export type { ProviderName, ProxyCall, ProxyToolSpec } from './proxy/providers/types.js';
export type { CallMeta, ProxyToolSet, RecallHook } from './proxy/proxy-tools.js';
export { detectKind } from './compress/detect.js';
export { FileCcrStore, ccrKey } from './compress/ccr-store.js';
export type { CcrStore } from './compress/ccr-store.js';
export { matchingParts } from './compress/retrieve.js';
export { countTokens } from './compress/tokens.js';
export { CONTENT_KINDS } from './compress/types.js';
export type { ContentKind, Compressor, CompressContext } from './compress/types.js';
