/**
 * Worker pool on Web Workers (browsers, Deno). Needs cross-origin isolation
 * in browsers for SharedArrayBuffer; without it, reads decode on the calling
 * thread.
 */
import { BasicWorkerPool, type WorkerHandle } from '../workers/pool-core.js';

/** The part of the Web Worker API the pool uses. */
export interface WebWorkerLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message' | 'error' | 'messageerror', listener: (ev: { data?: unknown; message?: string; error?: unknown }) => void): void;
  terminate(): void;
}

export type WebWorkerConstructor = new (url: URL | string, options?: { type?: 'module' | 'classic'; name?: string }) => WebWorkerLike;

/** Options of {@link createWebWorkerPool}. */
export interface WebWorkerPoolOptions {
  /** Number of workers (default: navigator.hardwareConcurrency − 1, at least 1). */
  size?: number;
  /** The worker script (default: `decode-worker.js` next to this module, as built in dist/). */
  workerUrl?: URL | string;
  /** The Worker constructor (default: globalThis.Worker). */
  Worker?: WebWorkerConstructor;
}

function hardwareThreads(): number {
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof n === 'number' && n > 0 ? n : 1;
}

/** Start a pool of module Web Workers running fitsflow's decode worker. */
export function createWebWorkerPool(opts: WebWorkerPoolOptions = {}): BasicWorkerPool {
  const Ctor = opts.Worker ?? (globalThis as { Worker?: WebWorkerConstructor }).Worker;
  if (!Ctor) throw new Error('This runtime has no Web Worker API.');
  const size = opts.size ?? Math.max(1, hardwareThreads() - 1);
  const url = opts.workerUrl ?? new URL('./decode-worker.js', import.meta.url);
  return new BasicWorkerPool(
    size,
    (): WorkerHandle => {
      const w = new Ctor(url, { type: 'module', name: 'fitsflow-decode' });
      return {
        post: (m, t) => w.postMessage(m, t ?? []),
        listen(onMessage, onFailure) {
          w.addEventListener('message', (ev) => onMessage(ev.data));
          w.addEventListener('error', (ev) => onFailure(ev.error ?? new Error(ev.message ?? 'worker error')));
          w.addEventListener('messageerror', () => onFailure(new Error('worker message could not be deserialized')));
        },
        terminate: () => w.terminate(),
      };
    },
  );
}

/** Default number of decode workers: navigator.hardwareConcurrency − 1. */
export function defaultWebWorkerCount(): number {
  return Math.max(0, hardwareThreads() - 1);
}
