/**
 * The decode worker for node:worker_threads (built to dist/decode-worker-node.js).
 */
import { parentPort } from 'node:worker_threads';
import { installNodeInflater } from '../decompress/inflate-node.js';
import type { PoolRequest } from './pool-core.js';
import { handleRequest } from './worker-core.js';

installNodeInflater();

parentPort!.on('message', (msg: PoolRequest) => {
  parentPort!.postMessage(handleRequest(msg));
});
