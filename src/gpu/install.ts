/**
 * What the runtime-neutral entry installs for GPU compute: the compressed-image
 * reader with the `gpu` option (hdu.ts's reader hook; without `gpu` it is the
 * built-in reader), and the 'gpu' table backend.
 */
import { hduReaders } from '../file/hdu.js';
import { gpuAwareCompressedReader } from '../tiled/read-gpu.js';
import { readImageGpu } from '../image/read-gpu.js';
import { getTableBackend, registerTableBackend } from '../table/ops/backend.js';
import { gpuTableBackend } from '../table/ops/backend-gpu.js';

let installed = false;

export function installGpu(): void {
  if (installed) return;
  installed = true;
  hduReaders.compressedImage ??= gpuAwareCompressedReader;
  hduReaders.plainImageGpu ??= (hdu, opts) => readImageGpu(hdu, opts);
  if (!getTableBackend('gpu')) registerTableBackend('gpu', gpuTableBackend);
}
