import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * How far the heap rose above its start while `run` went on, sampled whenever the event loop is
 * free. A full collection comes first and each sample sweeps the young generation, so it counts
 * what is held, not garbage waiting to be collected.
 */
export async function peakHeapGrowth(run: () => Promise<void>): Promise<number> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (options?: { type: 'minor' | 'major' }) => void;
  gc();
  const start = process.memoryUsage().heapUsed;
  let peak = start;
  const timer = setInterval(() => {
    gc({ type: 'minor' });
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 1);
  try {
    await run();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, process.memoryUsage().heapUsed) - start;
}
