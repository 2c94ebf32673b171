/** `headroom-context/proxy`: the compressing proxy server and request compression. */
export { startProxy } from './server.js';
export type { ProxyOptions, RunningProxy } from './server.js';
export { agentRecognition, identifyRequest } from '../agents/index.js';
export { compressRequest } from '../library-compress.js';
export type { CompressRequestOptions, RequestCompressResult, ToolOutputStat } from './compress-request.js';
export type { StatsSnapshot } from './stats.js';
export type { ProxyEvent, ProxyEventListener, RequestEvent, RequestSummary } from './events.js';
export type { ProviderName, ProxyCall, ProxyToolSpec } from '../providers/index.js';
export type { CallMeta, ProxyToolSet, RecallHook } from './proxy-tools.js';
