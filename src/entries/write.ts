/**
 * `fitsflow/write`, runtime-neutral: FitsWriter over any ByteSink (MemorySink
 * here). Node, Bun and Deno resolve it to entries/write-node.ts, which adds
 * files (createFitsWriter), in-place edits and node:zlib.
 * @packageDocumentation
 * @module fitsflow/write (browsers, workers, edge)
 */
export * from './write-api.js';
