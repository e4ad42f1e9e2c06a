/**
 * The decode worker for node:worker_threads (built to dist/decode-worker-node.js).
 */
import { parentPort } from 'node:worker_threads';
import { nodeInflater } from './inflate.js';
import { allTileCodecs } from '../codecs/registry-all.js';
import type { PoolRequest } from '../workers/pool-core.js';
import { handleRequest, type HandleReader } from '../workers/worker-core.js';
import { nodeFdReader } from './file-source.js';

const codecs = allTileCodecs(nodeInflater);
/** Lent file descriptors of this process (NodeFileSource.lend). */
const readers: HandleReader = (h) => (h.kind === 'node-fd' && typeof h.fd === 'number' ? nodeFdReader(h.fd) : undefined);

parentPort!.on('message', (msg: PoolRequest) => {
  parentPort!.postMessage(handleRequest(msg, codecs, readers));
});
