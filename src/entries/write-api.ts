/** The writing API shared by `fitsflow/write`'s entries. */
export { FitsWriter, type FitsWriterOptions } from '../write/writer.js';
export type { HduWriteOptions, ImageWriteOptions, ImageStreamOptions, ImageInput } from '../write/context.js';
export { MemorySink, type ByteSink } from '../write/sink.js';
export type { CardInput } from '../header/format.js';
export type { HeaderInput } from '../write/header-build.js';
export type { ImageEncodingOptions, Bitpix } from '../write/image-encode.js';
export type { ColumnInput, TableInput } from '../write/table-encode.js';
export type { ColumnSchema, TableWriteOptions } from '../write/table-writer.js';
export type { AsciiTableWriteOptions } from '../write/ascii-table.js';
export type { CompressedImageOptions, CompressedImageStreamOptions, CompressionType } from '../write/compressed-image.js';
export type { CompressedTableOptions, TableCompression } from '../write/compressed-table.js';
export type { QuantizeMethod } from '../codecs/quantize/dequantize.js';
export type { Deflater } from '../codecs/gzip/encode.js';
export type { EncodePool } from '../write/encode-pool.js';
export { copyFits, copyHdu, type CopyOptions } from '../write/copy.js';
