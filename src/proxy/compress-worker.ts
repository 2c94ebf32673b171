import type { MessagePort } from 'node:worker_threads';
import { ccrKey, FileCcrStore, type CcrStore } from '../compress/ccr-store.js';
import { compressCore, compressionFailures } from '../compress/compress-text.js';
import { countTokens } from '../compress/tokens.js';
import type { Step } from '../compress/focus.js';
import type { ContentKind } from '../compress/types.js';

// The tokenizer loads on first use; a thread loads it as it starts (before it takes a task), so no
// request's budget pays for it.
countTokens('warm up');

/** Where a worker stores the originals of what it compresses (a file store, safe for several threads and processes). */
export interface FileStoreSpec {
  dir: string;
  ttlMs: number;
}

/** One tool output to compress. */
export interface CompressTask {
  op: 'compress';
  text: string;
  query: string;
  /** The agent's step that produced the output. */
  step?: Step;
  /** How much compression keeps next to its size policy (see CompressOptions.keep). */
  keep?: number;
  /** Undefined: the store is not a file store, and the main thread writes the original itself. */
  store: FileStoreSpec | undefined;
}

/** Work for a compression thread: one tool output to compress, or texts to count tokens of. */
export type WorkerTask = (CompressTask | { op: 'count'; texts: string[] }) & {
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
  /** Why the output goes as it is although it compressed: the store could not keep its original. */
  unstored?: string;
}

/** The entry point of a compression thread (the pool calls it with each task). */
export default function runTask(task: WorkerTask): CompressedOutput | number[] {
  task.started?.postMessage(null);
  task.started?.close();
  if (task.op === 'count') return task.texts.map(countTokens);
  const failuresBefore = compressionFailures();
  const core = compressCore(task.text, { query: task.query, ...(task.step ? { step: task.step } : {}), ...(task.keep ? { keep: task.keep } : {}), store: storeFor(task.store) });
  return {
    compressed: core.text !== task.text ? core.text : undefined,
    kind: core.kind,
    retrievalKeys: core.retrievalKeys,
    failed: compressionFailures() > failuresBefore,
    ...(core.failedOpen ? { unstored: core.failedOpen } : {}),
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
