/**
 * fitsflow for Node, Bun and Deno: the reading API with file paths (node:fs),
 * node:zlib and node:crypto, worker_threads for parallel decoding, and for
 * URLs undici (Node) or fetch (Bun, Deno) with the folder cache.
 * Writing, remote sources and caches, the GPU and Arrow are the subpath
 * entries `fitsflow/write`, `fitsflow/remote`, `fitsflow/gpu`, `fitsflow/arrow`.
 * @packageDocumentation
 * @module fitsflow
 */
import { openFits, type FitsFile, type OpenOptions } from '../file/fits-file.js';
import type { SourceInput } from '../file/resolve-source.js';
import { createNodeRuntime } from '../node/runtime.js';

export * from './read-api.js';
export { createNodeRuntime, type NodeRuntimeOptions } from '../node/runtime.js';
export { NodeFileSource } from '../node/file-source.js';

/** The runtime `open()` uses unless the options name another. */
export const defaultRuntime = createNodeRuntime();

/**
 * Open a FITS file: a path or `file:` URL, an `https:`/`s3:` URL (range reads
 * through the verified cache), bytes, a Blob, or any ByteSource. Reads headers
 * only until data is asked for.
 * @example
 * const file = await open('image.fits');
 * const { data, shape } = await (await file.hdu(0)).readImage();
 * await file.close();
 */
export function open(input: SourceInput, options: OpenOptions = {}): Promise<FitsFile> {
  return openFits(input, options, defaultRuntime);
}

/** Stop the default runtime's decode workers (they start again on the next large read; idle workers never keep the process alive). */
export function closeWorkers(): Promise<void> {
  return defaultRuntime.close?.() ?? Promise.resolve();
}
