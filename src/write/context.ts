/**
 * What the HDU writers (table-writer.ts, ascii-table.ts, compressed-image.ts)
 * use of the FitsWriter that calls them, and the options every HDU takes. The
 * writer implements {@link WriterContext}; the HDU writers import only this
 * module, so writer.ts can call them without an import cycle.
 */
import type { CardValue } from '../header/card.js';
import type { DType, ImageArray } from '../image/pixel-type.js';
import type { Deflater } from '../codecs/gzip/encode.js';
import type { AssembledCard, HeaderInput } from './header-build.js';
import type { ImageEncodingOptions } from './image-encode.js';
import type { ByteSink } from './sink.js';
import type { EncodePool } from './encode-pool.js';

/** Options shared by every HDU. */
export interface HduWriteOptions {
  /** Header cards (user cards, in order; structural cards are generated and checked). */
  header?: HeaderInput;
  /** EXTNAME (overrides the header's). */
  extname?: string;
  /** Write CHECKSUM and DATASUM (default: the writer's `checksum` option). */
  checksum?: boolean;
}

/** Options of `FitsWriter.addImage`. */
export interface ImageWriteOptions extends HduWriteOptions, ImageEncodingOptions {
  /** Axis lengths, C order (slowest first). Default: the data's `shape`, else 1-D. */
  shape?: readonly number[];
}

/** Options of `FitsWriter.addImageStream`: the whole image's shape and element type up front. */
export interface ImageStreamOptions extends ImageWriteOptions {
  shape: readonly number[];
  dtype: DType;
}

/** An image as readers return it. */
export interface ImageInput {
  data: ImageArray;
  shape?: readonly number[];
}

/** The writer as an HDU writer sees it. */
export interface WriterContext {
  /** Where the bytes go. */
  readonly sink: ByteSink;
  /** Index of the HDU being written next. */
  readonly nextIndex: number;
  /** The deflater of GZIP tiles (pako, or node:zlib on Node). */
  readonly deflate: Deflater;
  /** The tile-compression workers, if the writer has any. */
  encodePool(): EncodePool | null;
  /** Whether to write checksums for an HDU given its options. */
  wantsChecksum(opts: { checksum?: boolean }): boolean;
  /** Write an empty primary HDU first if the next HDU must be an extension. */
  ensurePrimary(): Promise<void>;
  /** ensurePrimary from within run() (an HDU whose first bytes depend on its data). */
  ensurePrimaryWithin(): Promise<void>;
  /** Count an HDU written directly to the sink (within run()). */
  hduWritten(): void;
  /** Run one HDU write (refuses concurrent use; an error after bytes were written aborts the output). */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /** Work before an HDU's first byte: other HDUs are refused meanwhile; nothing is written. */
  prepare<T>(fn: () => Promise<T>): Promise<T>;
  /** Emit a prepared HDU and count it. */
  emit(
    cards: AssembledCard[],
    produce: (emit: (bytes: Uint8Array) => Promise<void>) => Promise<void>,
    opts: { checksum: boolean; dataBytes?: number; finalize?: (written: number) => Record<string, CardValue>; hdu: number; fill?: number },
  ): Promise<void>;
}
