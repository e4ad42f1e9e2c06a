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
