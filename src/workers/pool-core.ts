/**
 * The runtime-neutral part of a worker pool: task queue, request ids,
 * failure handling. node/worker-pool.ts and web/worker-pool.ts only adapt their runtime's
 * worker object to {@link WorkerHandle}.
 */
import { FitsError } from '../core/errors.js';
import type { WorkerErrorData, WorkerPool, WorkerReply, WorkerTask } from '../core/worker-pool.js';

/** One worker, as the pool sees it. */
export interface WorkerHandle {
  post(message: unknown, transfer?: ArrayBuffer[]): void;
  /** Register the callbacks (called once). */
  listen(onMessage: (data: unknown) => void, onFailure: (error: unknown) => void): void;
  /** Stop the worker (may return a promise that settles when it has stopped). */
  terminate(): unknown;
  /** Keep the process alive while busy (Node); optional. */
  ref?(): void;
  /** Let the process exit while idle (Node); optional. */
  unref?(): void;
}

/** Message from the pool to a worker. */
export interface PoolRequest {
  id: number;
  task: WorkerTask;
  /** The pool's "a worker has started" flag (Int32Array on a SharedArrayBuffer): the worker sets it to 1 first. */
  started?: Int32Array;
}

/** Message from a worker to the pool. */
export interface PoolResponse {
  id: number;
  reply: WorkerReply;
}

interface Pending {
  id: number;
  task: WorkerTask;
  transfer: ArrayBuffer[] | undefined;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/** Thrown when a pool cannot run tasks (a worker died, or the pool was closed). */
export class WorkerPoolError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WorkerPoolError';
  }
}

/** Rebuild an error thrown in a worker; `revive` may map it to a richer type. */
export type ErrorReviver = (data: WorkerErrorData) => Error;

export class BasicWorkerPool implements WorkerPool {
  readonly size: number;
  private readonly workers: WorkerHandle[] = [];
  private readonly busy = new Map<WorkerHandle, Pending>();
  private readonly idle: WorkerHandle[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private failure: unknown = null;
  private closed = false;
  /** A worker has answered (see warm). */
  private answered = false;
  /**
   * Set to 1 by a worker when it receives its first request: the pool sees it without the event loop turning
   * (a loop of sync file reads may never let a reply in). Null without SharedArrayBuffer.
   */
  private readonly startedFlag: Int32Array | null = typeof SharedArrayBuffer === 'function' ? new Int32Array(new SharedArrayBuffer(4)) : null;

  constructor(
    size: number,
    spawn: () => WorkerHandle,
    private readonly revive: ErrorReviver = reviveWorkerError,
  ) {
    this.size = size;
    for (let i = 0; i < size; i++) {
      const w = spawn();
      this.workers.push(w);
      this.idle.push(w);
      w.listen(
        (data) => this.onMessage(w, data as PoolResponse),
        (err) => this.fail(err),
      );
      w.unref?.();
    }
  }

  run<T = unknown>(task: WorkerTask, transfer?: ArrayBuffer[]): Promise<T> {
    if (this.closed) return Promise.reject(new WorkerPoolError('The worker pool is closed.'));
    if (this.failure) return Promise.reject(new WorkerPoolError('The worker pool has failed.', { cause: this.failure }));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, task, transfer, resolve: resolve as (v: unknown) => void, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length && this.idle.length) {
      const w = this.idle.pop()!;
      const p = this.queue.shift()!;
      this.busy.set(w, p);
      w.ref?.();
      try {
        w.post({ id: p.id, task: p.task, ...(this.startedFlag && { started: this.startedFlag }) } satisfies PoolRequest, p.transfer);
      } catch (e) {
        this.busy.delete(w);
        this.idle.push(w);
        w.unref?.();
        p.reject(e);
      }
    }
  }

  /** True once a worker has received a request or answered one. */
  get started(): boolean {
    return this.answered || (this.startedFlag !== null && Atomics.load(this.startedFlag, 0) === 1);
  }

  /** See {@link WorkerPool.warm}: true once {@link started}; else sends a ping if nothing was sent yet, and returns false. */
  warm(): boolean {
    if (this.started) return true;
    // Nothing sent yet: send a ping, whose arrival starts the flag (any first request would).
    if (this.nextId === 1 && !this.unusable) this.run({ type: 'ping' }).catch(() => undefined);
    return false;
  }

  private onMessage(w: WorkerHandle, msg: PoolResponse): void {
    const p = this.busy.get(w);
    if (!p || !msg || msg.id !== p.id) return;
    this.answered = true;
    this.busy.delete(w);
    this.idle.push(w);
    w.unref?.();
    if (msg.reply.ok) p.resolve(msg.reply.result);
    else p.reject(this.revive(msg.reply.error));
    this.pump();
  }

  /** A worker died or failed to load: the pool is unusable from now on. */
  private fail(err: unknown): void {
    if (this.failure || this.closed) return;
    this.failure = err ?? new Error('worker failed');
    const error = new WorkerPoolError(`A worker failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    for (const p of this.busy.values()) p.reject(error);
    for (const p of this.queue.splice(0)) p.reject(error);
    this.busy.clear();
    void this.close();
  }

  /** True once a worker has failed (the pool then rejects every task). */
  get failed(): boolean {
    return this.failure !== null;
  }

  /** True once closed, or failed: a holder should start a new pool. */
  get unusable(): boolean {
    return this.closed || this.failure !== null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const error = new WorkerPoolError('The worker pool was closed.');
    for (const p of this.busy.values()) p.reject(error);
    for (const p of this.queue.splice(0)) p.reject(error);
    this.busy.clear();
    await Promise.all(this.workers.map((w) => Promise.resolve(w.terminate()).catch(() => undefined)));
  }
}

/** Rebuild a FitsError (or plain Error) from a worker's reply. */
export function reviveWorkerError(d: WorkerErrorData): Error {
  if (d.code) return new FitsError(d.code as FitsError['code'], d.message, { hdu: d.hdu, tile: d.tile, offset: d.offset });
  const e = new Error(d.message);
  e.name = d.name;
  return e;
}

/**
 * The pool a runtime starts on first use and keeps: `get()` returns it, or
 * starts it (`size` workers), or a new one when the last one failed or was
 * closed; null when `size` is 0 or the workers cannot start (decoding then
 * runs on the calling thread). `close()` stops it (it starts again on the
 * next `get()`).
 */
export class LazyWorkerPool {
  private pool: BasicWorkerPool | null = null;
  private startFailed = false;

  private sizeOrProbe: number | (() => number);

  /** `size`: the number of workers, or a function giving it on first use (e.g. the number of cores). */
  constructor(
    size: number | (() => number),
    private readonly start: (size: number) => BasicWorkerPool,
  ) {
    this.sizeOrProbe = size;
  }

  /** Number of workers the pool starts. */
  get size(): number {
    if (typeof this.sizeOrProbe === 'function') this.sizeOrProbe = this.sizeOrProbe();
    return this.sizeOrProbe;
  }

  get(): WorkerPool | null {
    if (this.size <= 0 || this.startFailed) return null;
    if (this.pool?.failed && !this.pool.started) {
      // Its workers died before running anything (a script that cannot load here): a new pool would too,
      // at the cost of a thread start on every read.
      this.startFailed = true;
      this.pool = null;
      return null;
    }
    if (!this.pool || this.pool.unusable) {
      try {
        this.pool = this.start(this.size);
      } catch {
        this.startFailed = true; // e.g. no built worker script: decode on this thread
        this.pool = null;
      }
    }
    return this.pool;
  }

  async close(): Promise<void> {
    const p = this.pool;
    this.pool = null;
    await p?.close();
  }
}
