/**
 * `fitsflow/convert` for Node, Bun and Deno: everything of convert.ts, plus
 * files (writeTableParquet, nodeConvertIo, nodeHatsIo) and HATS catalogs by
 * path or URL (openHatsNode).
 * @packageDocumentation
 * @module fitsflow/convert
 */
export * from './convert.js';
export { writeTableParquet, nodeConvertIo, fileOutput } from '../node/convert.js';
export { nodeHatsIo, fitsSpillStore, openHatsNode } from '../node/hats.js';
