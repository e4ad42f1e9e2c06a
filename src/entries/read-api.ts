/**
 * The reading API every `fitsflow` entry shares (the entries add `open()`
 * with their runtime): files, HDUs, headers, images, tables, digests.
 */
export { FitsFile, type OpenOptions, type FileWarning } from '../file/fits-file.js';
export type { SourceInput } from '../file/resolve-source.js';
export { FitsError, isFitsError, type FitsErrorCode, type FitsErrorDetails } from '../core/errors.js';
export type { Runtime, Inflater, Hasher } from '../core/runtime.js';
export type { WorkerPool, WorkerTask } from '../core/worker-pool.js';
export type { ByteSource, ByteRange, SharedReadHandle, SourceIdentity, SourceLoan, SyncReadInto } from '../core/byte-source.js';
export { MemorySource } from '../io/memory-source.js';
export { BlobSource, type BlobLike } from '../io/blob-source.js';
export { Header, type Card, type HeaderWarning } from '../header/header.js';
export type { CardValue, Complex } from '../header/card.js';
export { Hdu, type HduReadImageOptions } from '../file/hdu.js';
export type { HduKind, HduLayout } from '../hdu/layout.js';
export type { DType, ImageArray } from '../image/pixel-type.js';
export type { ImageData, ImageChunk, ReadImageOptions, IterateImageOptions } from '../image/read-image.js';
export type { SectionRequest } from '../image/section.js';
export type { CompressedReadOptions } from '../tiled/tiled-image.js';
export type { ChecksumResult, ChecksumStatus } from '../checksum/verify.js';
export { digestFile, digestHdu, type FileDigest, type HduDigest, type DigestOptions } from '../digest/digest.js';
export type { Json } from '../digest/json.js';
// Tables are read with hdu.readTable(); the FitsTable class itself (FitsTable.fromArrays, backends)
// is `fitsflow/table`, so pages that read only images do not load the table operations.
export type { FitsTable, Cell, Row, FilterOptions, SortOptions } from '../table/ops/fits-table.js';
export { ExpressionError } from '../table/ops/expression/tokenizer.js';
export { isValid, type Column, type ColumnDType, type ColumnArray, type PackedStrings } from '../table/column.js';
export type { ReadTableOptions, IterateTableOptions } from '../table/read/read-table.js';
export type { RowRange } from '../table/read/selection.js';
export type { RandomGroups, GroupParameter } from '../table/read/random-groups.js';
// The option and result types of FitsTable's analytics and of open(), so callers can name them.
export type { GroupByOptions, GroupedTable, AggSpec, AggFunction } from '../table/ops/analytics/group-by.js';
export type { JoinOptions, JoinHow } from '../table/ops/analytics/join.js';
export type { TableCrossMatchOptions, CrossMatchOptions } from '../table/ops/analytics/xmatch.js';
export type { SchemaOptions, ColumnSemantics, SemanticType, SchemaHeader } from '../table/ops/analytics/schema.js';
export type { FeatureOptions, FeatureMatrix } from '../table/ops/analytics/features.js';
export type { DecompressOptions } from '../archive/decompressed-source.js';
export type { HduSiblings } from '../file/hdu.js';
