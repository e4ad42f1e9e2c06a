/**
 * `fitsflow/remote` for Node, Bun and Deno: everything of the runtime-neutral
 * entry, plus the folder cache (FsCache) and the undici transport.
 * @packageDocumentation
 * @module fitsflow/remote
 */
import { FitsDataset as DatasetBase, type DatasetOptions } from '../dataset/dataset.js';
import type { SourceInput } from '../file/resolve-source.js';
import type { FitsFile } from '../file/fits-file.js';
import type { ImageData } from '../image/read-image.js';
import { open } from './node.js';

export * from './remote-api.js';
export { FsCache, defaultCacheDir, type FsCacheOptions } from '../node/fs-cache/fs-cache.js';
export { undiciTransport, closeHttpConnections, type UndiciTransportOptions } from '../node/http-undici.js';
export { tempSpillFactory } from '../node/spill-file.js';
export { s3OptionsFromEnv } from '../node/aws-env.js';

/**
 * Items from many FITS files (local or remote) for training loops and batch
 * jobs: prefetched ahead with bounded concurrency, in a seeded order per
 * epoch, failed files retried, then skipped or raised (see dataset.ts).
 * @example
 * for await (const item of new FitsDataset(urls, { prefetch: 16, shuffle: 42 })) train(item.data);
 */
export class FitsDataset<T = ImageData> extends DatasetBase<T> {
  constructor(urls: readonly SourceInput[], opts: DatasetOptions<T> = {}) {
    super(urls, opts, (input, options): Promise<FitsFile> => open(input, options));
  }
}
