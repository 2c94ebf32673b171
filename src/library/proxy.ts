/** `headroom-context/proxy`: the compressing proxy server and request compression. */
export { startProxy } from '../proxy/server.js';
export type { ProxyOptions, RunningProxy } from '../proxy/server.js';
export { compressRequest } from './compress-request.js';
export type { CompressRequestOptions, RequestCompressResult, ToolOutputStat } from '../proxy/compress-request.js';
export type { StatsSnapshot } from '../proxy/stats.js';
export type { ProxyEvent, ProxyEventListener, RequestEvent, RequestSummary } from '../proxy/events.js';
export type { ProviderName, ProxyCall, ProxyToolSpec } from '../providers/index.js';
export type { CallMeta, ProxyToolSet, RecallHook } from '../proxy/proxy-tools.js';
