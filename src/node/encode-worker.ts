/**
 * The tile-compression worker for node:worker_threads (built next to
 * node/encode-pool.ts's module as encode-worker-node.js; see write/encode-pool.ts).
 */
import { parentPort } from 'node:worker_threads';
import { nodeDeflater } from './deflate.js';
import { handleEncodeRequest } from '../write/encode-pool.js';

parentPort!.on('message', (msg: { id: number; task: { type: string } }) => {
  const { message, transfer } = handleEncodeRequest(msg, nodeDeflater);
  parentPort!.postMessage(message, transfer);
});
