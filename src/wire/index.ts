/**
 * What every wire format shares: the provider-neutral view of a request, JSON spans for
 * byte-exact edits of raw bodies, SSE decoding, and helpers for JSON of unknown shape.
 * Providers and the proxy import this folder; it imports neither.
 */
export * from './json.js';
export * from './json-spans.js';
export * from './neutral.js';
export * from './sse.js';
