import { buildDist } from './build-dist.js';

/**
 * Once per test run: the proxy compresses in worker threads, which load the built
 * dist/proxy/compress-worker.js even when the tests run the TypeScript sources, so dist/ must
 * be current before any proxy starts.
 */
export default function setup(): void {
  buildDist();
}
