/**
 * The `fitsflow/convert` entry for Node, Bun and Deno: everything of index.ts
 * plus file adapters (writeTableParquet, nodeConvertIo) and HATS.
 * @packageDocumentation
 */
export * from './index.js';
export { writeTableParquet, nodeConvertIo, fileOutput } from './convert-node.js';
export * from '../hats/index.js';
export { nodeHatsIo, fitsSpillStore } from '../hats/import-node.js';
