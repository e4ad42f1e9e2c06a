/**
 * fitsflow — FITS for every JavaScript runtime.
 *
 * Runtime-neutral entry point (browsers, edge functions). The Node/Deno/Bun
 * entry (`index.node.ts`) adds file paths and node:zlib on top of this.
 * @packageDocumentation
 */
export { open, FitsFile, type OpenOptions, type FileWarning } from './fits-file.js';
export { FitsError, isFitsError, type FitsErrorCode, type FitsErrorDetails } from './errors.js';
export { Header, type Card, type HeaderWarning } from './header/header.js';
export type { CardValue, Complex } from './header/card.js';
export { Hdu, type HduContext } from './hdu/hdu.js';
export type { HduKind, HduLayout } from './hdu/layout.js';
export type { ByteSource, ByteRange } from './io/byte-source.js';
export { MemorySource } from './io/memory-source.js';
export { BlobSource, type BlobLike } from './io/blob-source.js';
export { registerOpener, type SourceInput, type UrlOpener } from './io/resolve-source.js';
export type { DType, ImageArray, DTypeArrays } from './image/pixel-type.js';
export type { ImageData, ImageChunk, ReadImageOptions, IterateImageOptions } from './image/read-image.js';
export type { SectionRequest } from './image/section.js';
export type { ChecksumResult, ChecksumStatus } from './checksum/verify.js';
export { encodeChecksum, OnesComplementSum } from './checksum/sum32.js';
export { digestFile, digestHdu, type FileDigest, type HduDigest, type DigestOptions } from './digest/digest.js';

// Tables and random groups
import { registerTableDigests } from './table/table-digest.js';
registerTableDigests();
export { FitsTable, type Cell, type Row, type FilterOptions, type SortOptions } from './table/fits-table.js';
export { registerTableBackend, type TableBackend, type SortKeySpec } from './table/backend.js';
export { ExpressionError } from './table/expression/tokenizer.js';
export { parseExpression } from './table/expression/parser.js';
export { checkExpression } from './table/expression/check.js';
export { sortKeyWords, nullFlags } from './table/sort/keys.js';
export type { Column, ColumnDType, ColumnArray } from './table/column.js';
export { cellSize, isValid } from './table/column.js';
export type { ReadTableOptions, IterateTableOptions } from './table/read-table.js';
export type { RowRange } from './table/selection.js';
export { readBinaryTableColumns, readVlaDescriptors, type VlaCellRanges } from './table/read-binary.js';
export { readAsciiTableColumns } from './table/read-ascii.js';
export { readRandomGroups, type RandomGroups, type GroupParameter } from './table/random-groups.js';
export { digestTable, digestRandomGroups } from './table/table-digest.js';
// Remote files (http, https, s3), the block cache, datasets.
import { installRemoteOpeners } from './cache/install.js';
installRemoteOpeners();
export { HttpSource, fetchTransport, setDefaultHttpTransport, type HttpSourceOptions, type HttpStats, type HttpTransport, type HttpRequest, type HttpResponse, type RequestSigner, type SourceIdentity, type RemoteOpenOptions } from './io/http-source.js';
export { planRanges, type RangePlanOptions } from './io/range-planner.js';
export { s3HttpUrl, signV4, type S3Options, type AwsCredentials, type SignV4Input, type SignV4Output } from './io/s3.js';
export { CachedSource, DEFAULT_BLOCK_SIZE, type CacheOptions, type CachedSourceStats } from './cache/cached-source.js';
export { MemoryBlockCache, sharedMemoryCache, type MemoryCacheOptions, type MemoryCacheStats } from './cache/memory-cache.js';
export { CacheApiStore, type CacheApiStoreOptions } from './cache/cache-api-store.js';
export type { PersistentStore, CachedObject, StoreCounters, StoreStats, VerifyReport, BlocksRead, BlockClaim } from './cache/store.js';
export { FitsDataset, type DatasetOptions, type DatasetProgress, type DatasetFailure, type DatasetItemInfo, type DatasetState } from './dataset/dataset.js';
// Writing FITS: FitsWriter over a ByteSink (MemorySink here; NodeFileSink in the Node entry).
export { FitsWriter, type FitsWriterOptions, type HduWriteOptions, type ImageWriteOptions, type ImageStreamOptions, type ImageInput } from './write/writer.js';
export { MemorySink, type ByteSink } from './write/sink.js';
export type { CardInput } from './write/card-format.js';
export { formatCard, formatReal } from './write/card-format.js';
export type { HeaderInput } from './write/header-build.js';
export type { ImageEncodingOptions, Bitpix } from './write/image-encode.js';
export type { ColumnInput, TableInput } from './write/table-encode.js';
export type { ColumnSchema, TableWriteOptions } from './write/table-writer.js';
export type { AsciiTableWriteOptions } from './write/ascii-table.js';
export type { CompressedImageOptions, CompressedImageStreamOptions, CompressionType } from './write/compressed-image.js';
export { setEncodePoolFactory } from './write/encode-pool.js';
export { copyFits, copyHdu, type CopyOptions } from './write/copy.js';
export { riceEncode } from './write/codecs/rice.js';
export { gzip1Encode, gzip2Encode, setDeflater, type Deflater } from './write/codecs/gzip.js';
export { hcompressEncode } from './write/codecs/hcompress.js';
export { plioEncode } from './write/codecs/plio.js';
export { quantizeTile, type QuantizeOptions, type QuantizedTile } from './write/codecs/quantize.js';
// GPU compute (WebGPU): device, GPU image decoding, GPU table backend (src/gpu/).
import { installGpu } from './gpu/install.js';
installGpu();
export { useGpu, releaseGpu, onGpuEvent, gpuContext, requireGpu, currentGpuInfo, describeAdapter, type GpuChoice, type GpuInput, type GpuEvent, type GpuEventListener, type GpuAdapterSummary, type GpuContext } from './gpu/device.js';
export { readImageGpu, readImageToGpuBuffer, type GpuImage, type GpuImageOptions } from './gpu/image-gpu.js';
export { readCompressedImageGpu, readCompressedImageToGpuBuffer, type GpuCompressedReadOptions } from './gpu/compressed-gpu.js';
export { AUTO_THRESHOLDS, GPU_CODECS } from './gpu/planner.js';
// Tile-compressed images and the worker pool.
export { setWorkerPoolFactory, closeDefaultWorkerPool, type WorkerPool } from './workers/pool.js';
export { createWebWorkerPool, installWebWorkerPool, type WebWorkerPoolOptions } from './workers/pool-web.js';
export { compressedImageHeader, PARALLEL_MIN_PIXELS, type CompressedReadOptions } from './decompress/tiled-image.js';
export { registerTileCodec } from './decompress/codec-registry.js';
