/**
 * When `gpu: 'auto'` considers the GPU (see planner.ts), as plain constants
 * so that code deciding whether to load the GPU backend at all imports
 * nothing else.
 */

/**
 * Tile codecs with a WGSL decoder (HCOMPRESS_1 included: hcompress.wgsl.ts).
 * Everything else is decoded on the CPU (then placed/dequantized on the GPU
 * when the GPU path runs).
 */
export const GPU_CODECS: readonly string[] = ['RICE_1', 'PLIO_1', 'GZIP_1', 'GZIP_2', 'HCOMPRESS_1'];

/** 'auto' thresholds (unmeasured on hardware; see the module notes). Mutable for calibration. */
export const AUTO_THRESHOLDS = {
  /** Minimum pixels of a compressed read for the GPU. */
  compressedPixels: 1 << 22,
  /** Minimum number of GPU-decodable tiles (one invocation each). */
  compressedTiles: 256,
  /** Minimum rows for table filters and sorts. */
  tableRows: 1 << 22,
};
