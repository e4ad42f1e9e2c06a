/** What pool-runtimes.test.ts's script needs, bundled beside the worker scripts. */
export { open } from '../../src/index.node.js';
export { createNodeWorkerPool } from '../../src/workers/pool-node.js';
export { createWebWorkerPool } from '../../src/workers/pool-web.js';
export { lastDecodeStats } from '../../src/decompress/tiled-image.js';
