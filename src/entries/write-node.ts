/**
 * `fitsflow/write` for Node, Bun and Deno: FitsWriter, plus files written
 * through a temporary file renamed on close (createFitsWriter), in-place
 * header and data edits, appending HDUs, node:zlib for GZIP tiles and worker
 * threads for large compressed images.
 * @packageDocumentation
 * @module fitsflow/write
 */
export * from './write-api.js';
export { createFitsWriter } from '../node/create-writer.js';
export { NodeFileSink, type NodeFileSinkOptions } from '../node/file-sink.js';
export { updateHeader, replaceImageData, appendHdus, type HeaderEdits } from '../node/update.js';
export { nodeDeflater } from '../node/deflate.js';
export { nodeEncodePool, type NodeEncodePoolOptions } from '../node/encode-pool.js';
