/**
 * The tile-compression pool on node:worker_threads (Node, Bun, Deno's Node
 * compatibility): workers running encode-worker-node.js, which the build puts
 * next to this module. Without that script (running from sources), tiles are
 * compressed on the calling thread.
 */
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { BasicWorkerPool } from '../workers/pool-core.js';
import { spawnNodeWorker } from './worker-pool.js';
import type { EncodePool } from '../write/encode-pool.js';

/** Options of {@link nodeEncodePool}: how many worker threads. */
export interface NodeEncodePoolOptions {
  /** Number of worker threads (default: hardware threads − 1; the calling thread compresses too). */
  size?: number;
  /**
   * Use workers only while the machine has idle cores (hardware threads minus
   * the 1-minute load average), default true. On a busy machine more threads
   * do not finish sooner, they only add the cost of handing tiles around.
   */
  onlyWhenIdle?: boolean;
  /** The worker script (default: encode-worker-node.js next to this module). */
  workerUrl?: URL | string;
}

/** Start a pool of tile-compression workers; null when the worker script is missing or no worker is wanted. */
export function createNodeEncodePool(opts: NodeEncodePoolOptions = {}): BasicWorkerPool | null {
  const size = opts.size ?? Math.max(0, availableParallelism() - 1);
  if (size < 1) return null;
  const url = opts.workerUrl === undefined ? new URL('./encode-worker-node.js', import.meta.url) : typeof opts.workerUrl === 'string' ? new URL(opts.workerUrl, 'file:///') : opts.workerUrl;
  if (url.protocol !== 'file:' || !existsSync(fileURLToPath(url))) return null;
  return new BasicWorkerPool(size, () => spawnNodeWorker(url));
}

/**
 * The process's tile-compression workers (started on the first large
 * compressed image, shared by every writer createFitsWriter makes), or null
 * when they cannot start (no built worker script, or one core).
 */
export function nodeEncodePool(opts: NodeEncodePoolOptions = {}): EncodePool | null {
  if (processPool === undefined || (processPool && (processPool.pool as BasicWorkerPool).unusable)) {
    const pool = createNodeEncodePool(opts);
    const workersNow = opts.onlyWhenIdle === false ? () => pool!.size : () => Math.max(0, Math.min(pool!.size, Math.floor(availableParallelism() - loadavg()[0]!)));
    processPool = pool ? { pool, workersNow } : null;
  }
  return processPool;
}
let processPool: EncodePool | null | undefined;
