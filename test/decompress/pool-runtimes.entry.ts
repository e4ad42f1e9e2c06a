/** What pool-runtimes.test.ts's script needs, bundled beside the worker scripts. */
export { open } from '../helpers/fitsflow.js';
export { createNodeWorkerPool } from '../../src/node/worker-pool.js';
export { createWebWorkerPool } from '../../src/web/worker-pool.js';
export { lastDecodeStats } from '../../src/tiled/tiled-image.js';
