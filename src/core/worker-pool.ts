/**
 * The worker-pool contract, runtime-neutral: the implementations live in
 * src/node/worker-pool.ts (worker_threads: Node, Bun, Deno's node
 * compatibility) and src/web/worker-pool.ts (Web Workers: browsers, Deno).
 * Which one runs is decided by the entry point's {@link Runtime}
 * (runtime.ts), or by the caller passing a pool, never by sniffing the
 * runtime in decoding code.
 */

/** A pool of worker threads running fitsflow's worker script. */
export interface WorkerPool {
  /** Number of worker threads. */
  readonly size: number;
  /**
   * Run one task on the next free worker; resolves with the worker's reply.
   * Tasks queue when every worker is busy. Rejects if the worker fails or dies.
   */
  run<T = unknown>(task: WorkerTask, transfer?: ArrayBuffer[]): Promise<T>;
  /** Terminate the workers. Pending tasks reject. Idempotent. */
  close(): Promise<void>;
  /**
   * Whether the workers have started (one has received a request). When
   * not, makes sure one is on its way and returns false: a default read short enough to be over
   * before a starting worker could help (a Node worker takes ~80 ms to
   * answer, a 64 MiB plain read ~50 ms) then runs on the calling thread
   * rather than pay for the start. A pool without this method counts as
   * started.
   */
  warm?(): boolean;
}

/** True unless `pool` says its workers are still starting (it then starts them); see {@link WorkerPool.warm}. */
export function poolIsWarm(pool: WorkerPool): boolean {
  return pool.warm?.() ?? true;
}

/** A message to a worker: `type` selects the handler in the worker script. */
export interface WorkerTask {
  type: string;
  [key: string]: unknown;
}

/** The reply of a worker: a result, or an error as plain data. */
export type WorkerReply<T = unknown> = { ok: true; result: T } | { ok: false; error: WorkerErrorData };

/** An error thrown in a worker, as plain data. */
export interface WorkerErrorData {
  name: string;
  message: string;
  /** FitsError fields, when the error was one. */
  code?: string;
  hdu?: number;
  tile?: number;
  offset?: number;
}
