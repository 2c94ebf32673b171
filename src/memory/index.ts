/** `headroom-context/memory`: shared memory on LanceDB, and the proxy hooks that use it. */
export { Memories, MemoryInputError, MAX_MEMORY_CHARS } from './memory.js';
export type { SaveInput, SaveResult, SearchHit, SearchOptions, OpenOptions } from './memory.js';
export { MemoryDbError } from './store.js';
export { memoryHooks } from './proxy-hooks.js';
export { loadEmbedder, EMBEDDER_NAMES } from './embedders/index.js';
export type { Embedder, Memory, MemorySource, Scope } from './types.js';
