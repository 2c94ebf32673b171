/**
 * headroom's library surface: everything at once. Each part is also its own entry
 * (`/compress`, `/proxy`, `/memory`, `/middleware`), which loads only what that part needs.
 */
export * from './compress/index.js';
export * from './proxy/index.js';
export * from './memory/index.js';
