/**
 * Entry point for Node, Bun and Deno: everything in `index.ts`, plus file
 * paths through node:fs.
 * @packageDocumentation
 */
import { registerOpener } from './file/resolve-source.js';
import { NodeFileSource } from './node/file-source.js';
import { fileURLToPath } from 'node:url';
import { installNodeSha256 } from './node/sha256.js';

import { installNodeByteSwapper } from './node/swap.js';
import { installNodeInflater } from './node/inflate.js';

import { installNodeRemote } from './node/http-undici.js';

installNodeSha256();
installNodeRemote();
installNodeByteSwapper();
installNodeInflater();

// Parallel tile decoding with worker_threads (replaces the Web Worker pool of index.ts).
import { installNodeWorkerPool } from './node/worker-pool.js';
installNodeWorkerPool();
export { createNodeWorkerPool, installNodeWorkerPool, type NodeWorkerPoolOptions } from './node/worker-pool.js';

registerOpener('file', (text) => NodeFileSource.open(text.startsWith('file:') ? fileURLToPath(text) : text));

export * from './index.js';
export { NodeFileSource } from './node/file-source.js';
export { FsCache, defaultCacheDir, type FsCacheOptions } from './node/fs-cache/fs-cache.js';
export { undiciTransport, closeHttpConnections, type UndiciTransportOptions } from './node/http-undici.js';
// Writing files: crash-safe file sink (temp file + rename), file updates, node:zlib for GZIP tiles.
import { installNodeDeflater } from './node/deflate.js';
installNodeDeflater();
export { NodeFileSink, type NodeFileSinkOptions } from './node/file-sink.js';
export { updateHeader, replaceImageData, appendHdus, type HeaderEdits } from './node/update.js';
export { createFitsWriter } from './node/create-writer.js';
export { installNodeEncodePool } from './node/encode-pool.js';
// WebGPU in Node/Bun through the optional `webgpu` package (never required).
import { installNodeWebGpu } from './node/webgpu.js';
installNodeWebGpu();
