/** headroom in-process: a fetch, SDK clients and an AI SDK middleware that compress without a proxy. */
export { headroomFetch, SESSION_HEADER } from './fetch.js';
export type { Fetch, HeadroomFetchOptions } from './fetch.js';
export { withHeadroom } from './with-headroom.js';
export type { FetchConfigurable } from './with-headroom.js';
export { headroomMiddleware, headroomRetrieveTool, RETRIEVE_TOOL_NAME } from './ai-sdk.js';
export type { HeadroomLanguageModelMiddleware, HeadroomMiddlewareOptions } from './ai-sdk.js';
export type { AiCallOptions } from './ai-sdk-prompt.js';
