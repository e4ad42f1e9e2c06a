/**
 * Entry point for Node, Bun and Deno: everything in `index.ts`, plus file
 * paths through node:fs.
 * @packageDocumentation
 */
import { registerOpener } from './io/resolve-source.js';
import { NodeFileSource } from './io/node-file-source.js';
import { fileURLToPath } from 'node:url';
import { installNodeSha256 } from './digest/sha256-node.js';

import { installNodeByteSwapper } from './image/swap-node.js';
import { installNodeInflater } from './decompress/inflate-node.js';

import { installNodeRemote } from './io/http-node.js';

installNodeSha256();
installNodeRemote();
installNodeByteSwapper();
installNodeInflater();

// Parallel tile decoding with worker_threads (replaces the Web Worker pool of index.ts).
import { installNodeWorkerPool } from './workers/pool-node.js';
installNodeWorkerPool();
export { createNodeWorkerPool, installNodeWorkerPool, type NodeWorkerPoolOptions } from './workers/pool-node.js';

registerOpener('file', (text) => NodeFileSource.open(text.startsWith('file:') ? fileURLToPath(text) : text));

export * from './index.js';
export { NodeFileSource } from './io/node-file-source.js';
export { FsCache, defaultCacheDir, type FsCacheOptions } from './cache/fs-cache.js';
// FITSFLOW_CACHE / FITSFLOW_CACHE_MAX_AGE (RedisStore itself: `fitsflow/redis`, loaded only when named).
export { cacheOptionsFromEnv, persistentStoreFromEnv, parseCacheTarget, parseMaxAge, type CacheEnv, type CacheTarget } from './cache/env-config.js';
export { undiciTransport, closeHttpConnections, type UndiciTransportOptions } from './io/http-node.js';
// Writing files: crash-safe file sink (temp file + rename), file updates, node:zlib for GZIP tiles.
import { installNodeDeflater } from './write/codecs/gzip-node.js';
installNodeDeflater();
export { NodeFileSink, type NodeFileSinkOptions } from './write/node-sink.js';
export { updateHeader, replaceImageData, appendHdus, type HeaderEdits } from './write/update-node.js';
export { createFitsWriter } from './write/create-node.js';
export { installNodeEncodePool } from './write/encode-pool-node.js';
// WebGPU in Node/Bun through the optional `webgpu` package (never required).
import { installNodeWebGpu } from './gpu/node-webgpu.js';
installNodeWebGpu();
