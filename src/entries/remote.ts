/**
 * `fitsflow/remote`, runtime-neutral: HttpSource (fetch), S3 URLs, the block
 * cache (memory, Cache API) and FitsDataset. `open(url)` from `fitsflow`
 * already uses all of this; import it to configure or compose it yourself.
 * @packageDocumentation
 * @module fitsflow/remote (browsers, workers, edge)
 */
import { FitsDataset as DatasetBase, type DatasetOptions } from '../dataset/dataset.js';
import type { SourceInput } from '../file/resolve-source.js';
import type { FitsFile } from '../file/fits-file.js';
import type { ImageData } from '../image/read-image.js';
import { open } from './index.js';

export * from './remote-api.js';

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
