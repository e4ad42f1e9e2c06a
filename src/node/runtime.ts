/**
 * The runtime of Node, Bun and Deno (their Node compatibility): file paths
 * through node:fs, node:zlib's inflater, node:crypto's SHA-256, worker_threads,
 * and for URLs the remote opener with undici (Node) or fetch (Bun, Deno), the
 * folder cache, and temporary files for servers that ignore Range. The remote
 * code is imported on the first URL only.
 */
import { fileURLToPath } from 'node:url';
import type { Runtime } from '../core/runtime.js';
import type { RemoteOpenOptions } from '../remote/open-remote.js';
import { LazyWorkerPool } from '../workers/pool-core.js';
import { NodeFileSource } from './file-source.js';
import { nodeInflater } from './inflate.js';
import { nodeSha256 } from './sha256.js';
import { createNodeWorkerPool, defaultNodeWorkerCount, type NodeWorkerPoolOptions } from './worker-pool.js';

/** Options of {@link createNodeRuntime}. */
export interface NodeRuntimeOptions {
  /** Decode workers (default: hardware threads − 1; 0: decode on the calling thread). */
  workers?: number;
  /** The worker script (default: the built `decode-worker-node.js` beside this module). */
  workerUrl?: NodeWorkerPoolOptions['workerUrl'];
}

/** A Node runtime: each one starts its own worker pool on first use. */
export function createNodeRuntime(opts: NodeRuntimeOptions = {}): Runtime {
  const pool = new LazyWorkerPool(opts.workers ?? defaultNodeWorkerCount, (size) => createNodeWorkerPool({ size, workerUrl: opts.workerUrl }));
  return {
    name: 'node',
    inflate: nodeInflater,
    sha256: nodeSha256,
    get workerCount() {
      return pool.size;
    },
    openPath: (path) => NodeFileSource.open(path.startsWith('file:') ? fileURLToPath(path) : path),
    async openUrl(url, scheme, options) {
      const [{ openRemote }, { nodeRuntimeTransport }, { fsCacheFor }, { tempSpillFactory }] = await Promise.all([
        import('../remote/open-remote.js'),
        import('./http-undici.js'),
        import('./fs-cache/fs-cache.js'),
        import('./spill-file.js'),
      ]);
      return openRemote(url, scheme, options as RemoteOpenOptions, { transport: nodeRuntimeTransport, defaultStore: fsCacheFor, spill: tempSpillFactory() });
    },
    workerPool: () => pool.get(),
    close: () => pool.close(),
  };
}
