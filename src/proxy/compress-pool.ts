import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import type { CompressedOutput, CompressTask, WorkerTask } from './compress-worker.js';

/**
 * Worker threads that compress tool outputs and count tokens, so the proxy's event loop only
 * reads, splices and relays. The threads start with the first task (start-up and `headroom
 * --help` load nothing of this). A task whose signal aborts leaves the queue, or, when it is
 * running, its thread is terminated and replaced: a runaway compressor stops using CPU.
 */
export class CompressPool {
  private pool: Promise<Piscina> | undefined;
  private closed = false;

  constructor(private readonly maxThreads = defaultThreads()) {}

  /** Compresses one tool output; rejects when the signal aborts first or the thread fails. */
  compress(output: Omit<CompressTask, 'op'>, run: RunOptions): Promise<CompressedOutput> {
    return this.run({ op: 'compress', ...output }, run) as Promise<CompressedOutput>;
  }

  /** Token counts of the texts, in order. */
  count(texts: string[], run: RunOptions): Promise<number[]> {
    return this.run({ op: 'count', texts }, run) as Promise<number[]>;
  }

  /** Ends the threads; tasks still queued or running reject. */
  async close(): Promise<void> {
    this.closed = true;
    const pool = this.pool;
    this.pool = undefined;
    await pool?.then(
      (p) => p.destroy(),
      () => undefined,
    );
  }

  private async run(task: WorkerTask, { signal, onStart }: RunOptions): Promise<unknown> {
    if (this.closed) throw new Error('the compression threads are closed');
    const pool = await this.started();
    if (!onStart) return pool.run(task, { signal });
    const { port1, port2 } = new MessageChannel();
    port1.once('message', onStart);
    port1.unref();
    try {
      return await pool.run({ ...task, started: port2 }, { signal, transferList: [port2] });
    } finally {
      port1.close();
    }
  }

  private started(): Promise<Piscina> {
    if (!this.pool) {
      const starting = this.start();
      this.pool = starting;
      // A start that failed is tried again by the next task.
      starting.catch(() => {
        if (this.pool === starting) this.pool = undefined;
      });
    }
    return this.pool;
  }

  private async start(): Promise<Piscina> {
    const { Piscina } = await import('piscina');
    if (this.closed) throw new Error('the compression threads are closed');
    // Two threads stay once started (a thread ended for running late is replaced while the
    // other works on); more start under load and end after a while idle.
    return new Piscina({ filename: workerFile(), minThreads: Math.min(2, this.maxThreads), maxThreads: this.maxThreads, idleTimeout: 30_000 });
  }
}

export interface RunOptions {
  /** Aborting it drops the task from the queue, or ends the thread running it. */
  signal: AbortSignal;
  /** Called when the task starts running, after its wait for a thread. */
  onStart?: () => void;
}

/** Two threads at least (one runaway output must not stall every other request), four at most. */
function defaultThreads(): number {
  return Math.min(4, Math.max(2, availableParallelism() - 1));
}

/**
 * The worker's module, beside this one in the build. Under the test runner this module is
 * TypeScript source, which a worker thread cannot load: the build's copy is used then.
 */
function workerFile(): string {
  const fromSource = import.meta.url.endsWith('.ts');
  return new URL(fromSource ? '../../dist/proxy/compress-worker.js' : './compress-worker.js', import.meta.url).href;
}
