/**
 * A small worker-pool abstraction. Runtime-neutral: the implementations live
 * in pool-node.ts (worker_threads: Node, Bun, Deno's node compatibility) and
 * pool-web.ts (Web Workers: browsers, Deno). Which one is used is decided by
 * the entry point (or the caller) through {@link setWorkerPoolFactory}, never
 * by sniffing the runtime in decoding code.
 */

/** A pool of worker threads running fitsflow's worker script. */
export interface WorkerPool {
  /** Number of worker threads. */
  readonly size: number;
  /**
   * Run one task on the next free worker; resolves with the worker's reply.
   * Tasks queue when every worker is busy. Rejects if the worker fails or dies.
   */
  run<T = unknown>(task: WorkerTask, transfer?: Transferable[]): Promise<T>;
  /** Terminate the workers. Pending tasks reject. Idempotent. */
  close(): Promise<void>;
}

/** A message to a worker: `type` selects the handler in the worker script. */
export interface WorkerTask {
  type: string;
  [key: string]: unknown;
}

/** The reply of a worker: a result, or an error as plain data. */
export type WorkerReply<T = unknown> = { ok: true; result: T } | { ok: false; error: WorkerErrorData };

export interface WorkerErrorData {
  name: string;
  message: string;
  /** FitsError fields, when the error was one. */
  code?: string;
  hdu?: number;
  tile?: number;
  offset?: number;
}

/** Creates the default pool (called once, lazily, on the first parallel read). */
export type WorkerPoolFactory = (size: number) => WorkerPool | null;

let factory: WorkerPoolFactory | null = null;
let defaultSize = 0;
let pool: WorkerPool | null | undefined;

/**
 * Install the factory of the default pool (entry points do this), with the
 * default number of workers. `null` disables the default pool.
 */
export function setWorkerPoolFactory(f: WorkerPoolFactory | null, size?: number): void {
  const old = pool;
  factory = f;
  pool = undefined;
  if (size !== undefined) defaultSize = size;
  if (old) void old.close();
}

/** Default number of workers: set by the entry point (hardware threads − 1). */
export function defaultWorkerCount(): number {
  return defaultSize;
}

/** The default pool, created on first use; null when none is installed or it cannot start. */
export function defaultWorkerPool(): WorkerPool | null {
  if (pool === undefined) {
    pool = null;
    if (factory && defaultSize > 0) {
      try {
        pool = factory(defaultSize);
      } catch {
        pool = null;
      }
    }
  }
  return pool;
}

/** Close the default pool (it is re-created on the next parallel read). */
export async function closeDefaultWorkerPool(): Promise<void> {
  const p = pool;
  pool = undefined;
  if (p) await p.close();
}
