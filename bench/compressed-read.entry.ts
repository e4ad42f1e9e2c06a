/**
 * What bench/compressed-read.mjs needs from the sources, bundled with the
 * Node decode worker into one directory (so the pool finds
 * ./decode-worker-node.js next to it, exactly as in dist/).
 */
export { open, createNodeRuntime } from '../test/helpers/fitsflow.js';
export { PARALLEL_MIN_PIXELS, lastDecodeStats } from '../src/tiled/tiled-image.js';
