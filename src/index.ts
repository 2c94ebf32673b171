/**
 * headroom's library surface: everything at once. Each part is also its own entry
 * (`/compress`, `/proxy`, `/memory`, `/middleware`), which loads only what that part needs.
 * `/compress` and `/proxy` live in src/library/ because they compose several folders (the
 * library's compressRequest knows every agent's injected context); the other two are their folder's index.
 */
export * from './library/compress.js';
export * from './library/proxy.js';
export * from './memory/index.js';
// The proxy knows no agent; these tell it the agents headroom knows (pass them to startProxy).
export { agentRecognition, identifyRequest } from './agents/index.js';
