/**
 * The decode worker for node:worker_threads (built to dist/decode-worker-node.js).
 */
import { parentPort } from 'node:worker_threads';
import { nodeInflater } from './inflate.js';
import { allTileCodecs } from '../codecs/registry-all.js';
import type { PoolRequest } from '../workers/pool-core.js';
import { handleRequest } from '../workers/worker-core.js';

const codecs = allTileCodecs(nodeInflater);

parentPort!.on('message', (msg: PoolRequest) => {
  parentPort!.postMessage(handleRequest(msg, codecs));
});
