/**
 * Reading a tile-compressed image: the backend is chosen per read. Without a
 * `gpu` option (or `gpu: false`) the CPU reader decodes (tiled-image.ts:
 * inline, or on the runtime's worker pool); with `gpu: true` or `'auto'` the
 * GPU backend (read-gpu.ts) is loaded on demand and plans the read, falling
 * back to the CPU reader where the GPU cannot or should not decode.
 */
import type { HduContext } from '../hdu/context.js';
import type { ImageChunk, ImageData, IterateImageOptions } from '../image/read-image.js';
import { iterateCompressedImage, readCompressedImage, type CompressedReadOptions } from './tiled-image.js';

/** Read a tile-compressed image (or a section) on the backend the options choose. */
export async function readTiledImage(ctx: HduContext, opts: CompressedReadOptions = {}): Promise<ImageData> {
  if (opts.gpu === undefined || opts.gpu === false) return readCompressedImage(ctx, opts);
  const { readCompressedImageGpu } = await import('./read-gpu.js');
  return readCompressedImageGpu(ctx, opts);
}

/** Stream a tile-compressed image in whole-tile slabs along the slowest axis (CPU). */
export function iterateTiledImage(ctx: HduContext, opts: IterateImageOptions & Pick<CompressedReadOptions, 'workers'> = {}): AsyncGenerator<ImageChunk> {
  return iterateCompressedImage(ctx, opts);
}
