import type { MessagePort } from 'node:worker_threads';
import { ccrKey, FileCcrStore, type CcrStore } from '../compress/ccr-store.js';
import { compressCore, compressionFailures } from '../compress/compress-text.js';
import { countTokens } from '../compress/tokens.js';
import type { ContentKind } from '../compress/types.js';

/** Where a worker stores the originals of what it compresses (a file store, safe for several threads and processes). */
export interface FileStoreSpec {
  dir: string;
  ttlMs: number;
}

/** Work for a compression thread: one tool output to compress, or texts to count tokens of. */
export type WorkerTask = (
  | {
      op: 'compress';
      text: string;
      query: string;
      /** Undefined: the store is not a file store, and the main thread writes the original itself. */
      store: FileStoreSpec | undefined;
    }
  | { op: 'count'; texts: string[] }
) & {
  /** Told when the task starts running (after its wait for a thread). */
  started?: MessagePort;
};

export interface CompressedOutput {
  /** The compressed text, or undefined when the output goes as it is. */
  compressed: string | undefined;
  kind: ContentKind;
  retrievalKeys: string[];
  /** The compressor threw (and the output goes as it is). */
  failed: boolean;
}

/** The entry point of a compression thread (the pool calls it with each task). */
export default function runTask(task: WorkerTask): CompressedOutput | number[] {
  task.started?.postMessage(null);
  task.started?.close();
  if (task.op === 'count') return task.texts.map(countTokens);
  const failuresBefore = compressionFailures();
  const core = compressCore(task.text, { query: task.query, store: storeFor(task.store) });
  return {
    compressed: core.text !== task.text ? core.text : undefined,
    kind: core.kind,
    retrievalKeys: core.retrievalKeys,
    failed: compressionFailures() > failuresBefore,
  };
}

/** For a store that is not a file store, only the keys the markers name. */
const KEYS_ONLY: CcrStore = { put: ccrKey, get: () => undefined };

let fileStore: FileCcrStore | undefined;

function storeFor(spec: FileStoreSpec | undefined): CcrStore {
  if (!spec) return KEYS_ONLY;
  if (fileStore?.dir !== spec.dir || fileStore.ttlMs !== spec.ttlMs) fileStore = new FileCcrStore(spec.dir, spec.ttlMs);
  return fileStore;
}
