/**
 * Registration of the remote openers (`http:`, `https:`, `s3:`) and of the
 * default persistent cache for runtimes without a file system (the Cache
 * API). Called by the entry points; the Node entry then swaps in undici and
 * the folder cache (src/io/http-node.ts).
 */
import { registerOpener } from '../file/resolve-source.js';
import { openHttpUrl } from '../remote/http-source.js';
import { openS3Url } from '../remote/s3.js';
import { setPersistentStoreFactory } from './store.js';
import { cacheApiStoreFor } from './cache-api-store.js';

export function installRemoteOpeners(): void {
  registerOpener('http', openHttpUrl);
  registerOpener('https', openHttpUrl);
  registerOpener('s3', openS3Url);
  setPersistentStoreFactory((name, opts) => cacheApiStoreFor(name, opts));
}
