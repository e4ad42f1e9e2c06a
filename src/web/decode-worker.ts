/**
 * The decode worker for Web Workers (browsers, Deno), built to
 * dist/decode-worker.js. Load it as a module worker.
 */
import type { PoolRequest } from '../workers/pool-core.js';
import { handleRequest } from '../workers/worker-core.js';
import { pakoInflater } from '../codecs/gzip/inflate.js';
import { allTileCodecs } from '../codecs/registry-all.js';

interface WorkerScope {
  onmessage: ((ev: { data: PoolRequest }) => void) | null;
  postMessage(message: unknown): void;
}

const codecs = allTileCodecs(pakoInflater);
const scope = globalThis as unknown as WorkerScope;
scope.onmessage = (ev) => {
  scope.postMessage(handleRequest(ev.data, codecs));
};
