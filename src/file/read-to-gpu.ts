/**
 * An HDU's image read into a GPUBuffer (plain or tile-compressed), for
 * pipelines that keep working on the GPU (rendering, ML). Loads the GPU
 * readers on demand.
 */
import type { GpuImage, GpuImageOptions } from '../image/read-gpu.js';
import type { Hdu } from './hdu.js';

/** Read an image HDU (or a section) into a new GPUBuffer on fitsflow's device (usage STORAGE | COPY_SRC | COPY_DST). */
export async function readImageToGpuBuffer(hdu: Hdu, opts: GpuImageOptions = {}): Promise<GpuImage> {
  if (hdu.kind === 'compressed-image') {
    const { readCompressedImageToGpuBuffer } = await import('../tiled/read-gpu.js');
    return readCompressedImageToGpuBuffer(hdu, opts);
  }
  const { readImageToGpuBuffer: plain } = await import('../image/read-gpu.js');
  return plain(hdu, opts);
}
