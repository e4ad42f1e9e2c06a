/**
 * What bench/compressed-read.mjs needs from the sources, bundled with the
 * Node decode worker into one directory (so the pool finds
 * ./decode-worker-node.js next to it, exactly as in dist/).
 */
export { open } from '../src/index.node.js';
export { installNodeInflater } from '../src/node/inflate.js';
export { getInflater, pakoInflater } from '../src/codecs/gzip/inflate.js';
export { createNodeWorkerPool, installNodeWorkerPool } from '../src/node/worker-pool.js';
export { closeDefaultWorkerPool, defaultWorkerPool } from '../src/workers/pool.js';
export { PARALLEL_MIN_PIXELS, lastDecodeStats } from '../src/tiled/tiled-image.js';
