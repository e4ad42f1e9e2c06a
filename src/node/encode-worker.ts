/**
 * The tile-compression worker for node:worker_threads (built next to
 * encode-pool-node.js as encode-worker-node.js; see encode-pool.ts).
 */
import { parentPort } from 'node:worker_threads';
import { installNodeByteSwapper } from './swap.js';
import { installNodeDeflater } from './deflate.js';
import { handleEncodeRequest } from '../write/encode-pool.js';

installNodeByteSwapper();
installNodeDeflater();

parentPort!.on('message', (msg: { id: number; task: { type: string } }) => {
  const { message, transfer } = handleEncodeRequest(msg);
  parentPort!.postMessage(message, transfer);
});
