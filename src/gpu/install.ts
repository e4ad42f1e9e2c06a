/**
 * What the runtime-neutral entry installs for GPU compute: the compressed-image
 * reader with the `gpu` option (hdu.ts's reader hook; without `gpu` it is the
 * built-in reader), and the 'gpu' table backend.
 */
import { hduReaders } from '../hdu/hdu.js';
import { gpuAwareCompressedReader } from './compressed-gpu.js';
import { readImageGpu } from './image-gpu.js';
import { getTableBackend, registerTableBackend } from '../table/backend.js';
import { gpuTableBackend } from './table-backend-gpu.js';

let installed = false;

export function installGpu(): void {
  if (installed) return;
  installed = true;
  hduReaders.compressedImage ??= gpuAwareCompressedReader;
  hduReaders.plainImageGpu ??= (hdu, opts) => readImageGpu(hdu, opts);
  if (!getTableBackend('gpu')) registerTableBackend('gpu', gpuTableBackend);
}
