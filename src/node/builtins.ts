/**
 * Node built-ins the Node runtime needs only for some reads (zlib for GZIP
 * tiles, crypto for digests, worker_threads for parallel reads), loaded
 * synchronously on first use rather than with the library: `import
 * 'fitsflow'` then costs little more than Node itself. Works on Node, Bun and
 * Deno (createRequire of `node:` modules).
 */
import { createRequire } from 'node:module';

const requireBuiltin = createRequire(import.meta.url);

/** A built-in module, loaded on the first call. */
function lazy<T>(name: string): () => T {
  let mod: T | undefined;
  return () => (mod ??= requireBuiltin(name) as T);
}

export const zlib = lazy<typeof import('node:zlib')>('node:zlib');
export const crypto = lazy<typeof import('node:crypto')>('node:crypto');
export const workerThreads = lazy<typeof import('node:worker_threads')>('node:worker_threads');
export const os = lazy<typeof import('node:os')>('node:os');
