/**
 * fitsflow — FITS for every JavaScript runtime.
 *
 * The runtime-neutral entry (browsers, Web Workers, edge functions): bytes,
 * Blobs and URLs (fetch, the Cache API), Web Workers for parallel decoding
 * where the page is cross-origin isolated. Node, Bun and Deno resolve
 * `fitsflow` to entries/node.ts instead, which adds file paths.
 * Writing, remote sources and caches, the GPU and Arrow are the subpath
 * entries `fitsflow/write`, `fitsflow/remote`, `fitsflow/gpu`, `fitsflow/arrow`.
 * @packageDocumentation
 * @module fitsflow (browsers, workers, edge)
 */
import { openFits, type FitsFile, type OpenOptions } from '../file/fits-file.js';
import type { SourceInput } from '../file/resolve-source.js';
import { createWebRuntime } from '../web/runtime.js';

export * from './read-api.js';
export { createWebRuntime, webWorkersUnavailable, type WebRuntimeOptions } from '../web/runtime.js';

/** The runtime `open()` uses unless the options name another. */
export const defaultRuntime = /* @__PURE__ */ createWebRuntime();

/**
 * Open a FITS file: a URL (`https:`, `s3:`; range reads through the verified
 * cache), bytes, a Blob/File, or any ByteSource. Reads headers only until data
 * is asked for.
 * @example
 * const file = await open('https://example.org/image.fits');
 * const { data, shape } = await (await file.hdu(0)).readImage();
 * await file.close();
 */
export function open(input: SourceInput, options: OpenOptions = {}): Promise<FitsFile> {
  return openFits(input, options, defaultRuntime);
}

/** Stop the default runtime's decode workers (they start again on the next large read). */
export function closeWorkers(): Promise<void> {
  return defaultRuntime.close?.() ?? Promise.resolve();
}
