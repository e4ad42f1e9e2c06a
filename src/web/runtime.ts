/**
 * The runtime of browsers, Web Workers and edge functions: pure-JS inflate and
 * SHA-256, Web Workers for parallel decoding where the page is cross-origin
 * isolated, and for URLs the remote opener with fetch and the Cache API store.
 * The remote code is imported on the first URL only.
 */
import type { Runtime } from '../core/runtime.js';
import type { RemoteOpenOptions } from '../remote/open-remote.js';
import { LazyWorkerPool } from '../workers/pool-core.js';
import { createWebWorkerPool, defaultWebWorkerCount, type WebWorkerPoolOptions } from './worker-pool.js';

/** Options of {@link createWebRuntime}. */
export interface WebRuntimeOptions {
  /** Decode workers (default: navigator.hardwareConcurrency − 1; 0: decode on the calling thread). */
  workers?: number;
  /**
   * The decode worker script: `fitsflow/decode-worker` (dist/decode-worker.js).
   * Default: `decode-worker.js` beside this module, which is right when the
   * package is served unbundled; with a bundler, pass the URL it gives the
   * file (e.g. Vite: `new URL('fitsflow/decode-worker', import.meta.url)`).
   */
  workerUrl?: WebWorkerPoolOptions['workerUrl'];
  /** Where to say, once, why decoding runs on the calling thread (default: console.warn). */
  warn?: (message: string) => void;
}

/** Why Web Workers cannot decode here, or null when they can. */
export function webWorkersUnavailable(): string | null {
  const g = globalThis as { Worker?: unknown; SharedArrayBuffer?: unknown; crossOriginIsolated?: boolean };
  if (typeof g.Worker !== 'function') return 'this runtime has no Web Workers';
  if (typeof g.SharedArrayBuffer !== 'function' || g.crossOriginIsolated === false) {
    return 'the page is not cross-origin isolated, so SharedArrayBuffer is unavailable (serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
  }
  return null;
}

/** A web runtime: each one starts its own worker pool on first use. */
export function createWebRuntime(opts: WebRuntimeOptions = {}): Runtime {
  const pool = new LazyWorkerPool(opts.workers ?? defaultWebWorkerCount, (size) => createWebWorkerPool({ size, workerUrl: opts.workerUrl }));
  let warned = false;
  return {
    name: 'web',
    get workerCount() {
      return pool.size;
    },
    async openUrl(url, scheme, options) {
      const [{ openRemote }, { cacheApiStoreFor }] = await Promise.all([import('../remote/open-remote.js'), import('../cache/cache-api-store.js')]);
      return openRemote(url, scheme, options as RemoteOpenOptions, { defaultStore: (dir, o) => cacheApiStoreFor(dir, o) });
    },
    workerPool() {
      if (pool.size <= 0) return null;
      const why = webWorkersUnavailable();
      if (why) {
        // Stated once, not silent: large reads decode on the calling thread.
        if (!warned && typeof (globalThis as { Worker?: unknown }).Worker === 'function') {
          warned = true;
          (opts.warn ?? console.warn)(`fitsflow: decoding on the calling thread: ${why}.`);
        }
        return null;
      }
      return pool.get();
    },
    close: () => pool.close(),
  };
}
