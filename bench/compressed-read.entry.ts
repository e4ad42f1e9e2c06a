/**
 * What bench/compressed-read.mjs needs from the sources, bundled with the
 * Node decode worker into one directory (so the pool finds
 * ./decode-worker-node.js next to it, exactly as in dist/).
 */
export { open } from '../src/index.node.js';
export { installNodeInflater } from '../src/decompress/inflate-node.js';
export { getInflater, pakoInflater } from '../src/decompress/inflate.js';
export { createNodeWorkerPool, installNodeWorkerPool } from '../src/workers/pool-node.js';
export { closeDefaultWorkerPool, defaultWorkerPool } from '../src/workers/pool.js';
export { PARALLEL_MIN_PIXELS, lastDecodeStats } from '../src/decompress/tiled-image.js';
