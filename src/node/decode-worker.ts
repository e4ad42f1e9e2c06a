/**
 * The decode worker for node:worker_threads (built to dist/decode-worker-node.js).
 */
import { parentPort } from 'node:worker_threads';
import { nodeInflater } from './inflate.js';
import type { PoolRequest } from '../workers/pool-core.js';
import { handleRequest } from '../workers/worker-core.js';

parentPort!.on('message', (msg: PoolRequest) => {
  parentPort!.postMessage(handleRequest(msg, nodeInflater));
});
