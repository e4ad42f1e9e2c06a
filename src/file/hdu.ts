/**
 * An HDU: its header, its kind and layout, and lazy access to its data.
 * Reading an HDU list costs headers only; data is read when asked for.
 */
import { FitsError } from '../core/errors.js';
import type { Header } from '../header/header.js';
import type { ByteSource } from '../core/byte-source.js';
import { iterateImage, readImage, type ImageChunk, type ImageData, type IterateImageOptions, type ReadImageOptions } from '../image/read-image.js';
import { pixelScaling, type DType } from '../image/pixel-type.js';
import type { HduKind, HduLayout } from '../hdu/layout.js';
import { verifyHduChecksum, type ChecksumResult } from '../checksum/verify.js';
import { iterateTable, readTable, type IterateTableOptions, type ReadTableOptions } from '../table/read/read-table.js';
import { readRandomGroups, type RandomGroups } from '../table/read/random-groups.js';
import type { FitsTable } from '../table/ops/fits-table.js';
import { compressedImageSummary, iterateCompressedImage, readCompressedImage, type CompressedReadOptions } from '../tiled/tiled-image.js';

/** What data readers (images, tables, compressed images) need to know about an HDU. */
export interface HduContext {
  readonly source: ByteSource;
  readonly index: number;
  readonly header: Header;
  readonly layout: HduLayout;
  readonly headerOffset: number;
  readonly dataOffset: number;
}

/** A reader of compressed images (the built-in one is src/decompress/tiled-image.ts). */
export interface CompressedImageReader {
  read(ctx: HduContext, opts: CompressedReadOptions): Promise<ImageData>;
  info(ctx: HduContext): { dims: number[]; dtype: DType; header: Header };
}

/** Reader overrides (e.g. a GPU decoder); by default compressed images use the built-in tile container. */
export interface HduReaders {
  compressedImage?: CompressedImageReader;
  /** Plain images with `readImage({ gpu })` set (installed by src/gpu). */
  plainImageGpu?: (hdu: Hdu, opts: ReadImageOptions) => Promise<ImageData>;
}
export const hduReaders: HduReaders = {};

const builtinCompressedReader: CompressedImageReader = { read: readCompressedImage, info: compressedImageSummary };
const compressedReader = (): CompressedImageReader => hduReaders.compressedImage ?? builtinCompressedReader;

/** Shape and dtype of a compressed image, or null when its Z keywords cannot be read (readImage says why). */
function compressedInfoOrNull(ctx: HduContext): { dims: number[]; dtype: DType } | null {
  try {
    return compressedReader().info(ctx);
  } catch (e) {
    if (e instanceof FitsError) return null;
    throw e;
  }
}

export class Hdu implements HduContext {
  constructor(
    readonly source: ByteSource,
    readonly index: number,
    readonly header: Header,
    readonly layout: HduLayout,
    readonly headerOffset: number,
    readonly dataOffset: number,
  ) {}

  /** The HDU kind: image, bintable, table, compressed-image, random-groups or other. */
  get kind(): HduKind {
    return this.layout.kind;
  }

  /** EXTNAME if it is a string, else null. */
  get name(): string | null {
    const v = this.header.get('EXTNAME');
    return typeof v === 'string' ? v : null;
  }

  /** EXTVER if it is an integer, else null. */
  get version(): number | null {
    const v = this.header.get('EXTVER');
    return typeof v === 'number' && Number.isInteger(v) ? v : null;
  }

  /** Byte offset just past this HDU's padded data: where the next HDU starts. */
  get endOffset(): number {
    return this.dataOffset + this.layout.paddedDataBytes;
  }

  /** Image dimensions in C order (slowest first), or null when there is no array. */
  get shape(): number[] | null {
    if (this.kind === 'compressed-image') {
      const dims = compressedInfoOrNull(this)?.dims;
      return dims?.length ? [...dims] : null;
    }
    if (this.kind !== 'image' || this.layout.naxes.length === 0) return null;
    return [...this.layout.naxes].reverse();
  }

  /** Element type of the image as astropy returns it, or null when there is no array. */
  get dtype(): DType | null {
    if (this.kind === 'compressed-image') {
      const info = compressedInfoOrNull(this);
      return info?.dims.length ? info.dtype : null;
    }
    if (this.kind !== 'image' || this.layout.naxes.length === 0) return null;
    return pixelScaling(this.header, this.layout.bitpix).dtype;
  }

  /**
   * Read the image (or a section: `start`, `shape`, `step` in C order) into a typed array.
   * @example
   * const { data, shape, dtype } = await hdu.readImage({ start: [100, 200], shape: [512, 512] });
   */
  async readImage(opts: ReadImageOptions & Pick<CompressedReadOptions, 'workers'> = {}): Promise<ImageData> {
    if (this.kind === 'compressed-image') return compressedReader().read(this, opts);
    if (this.kind !== 'image') {
      throw new FitsError('BAD_ARGUMENT', `HDU ${this.index} is a ${this.kind}, not an image.`, { hdu: this.index });
    }
    if (opts.gpu !== undefined && opts.gpu !== false) {
      if (!hduReaders.plainImageGpu) throw new FitsError('GPU', 'GPU decoding is not available in this build.', { hdu: this.index });
      return hduReaders.plainImageGpu(this, opts);
    }
    return readImage(this.imageLocation(), opts);
  }

  /**
   * The header of the image: for a compressed image, the uncompressed image's
   * header reconstructed from the Z keywords (as astropy shows it); else `header`.
   */
  get imageHeader(): Header {
    return this.kind === 'compressed-image' ? compressedReader().info(this).header : this.header;
  }

  /** Stream the image in chunks of whole slices along the slowest axis (bounded memory); compressed images too. */
  iterateImage(opts: IterateImageOptions & Pick<CompressedReadOptions, 'workers'> = {}): AsyncGenerator<ImageChunk> {
    if (this.kind === 'compressed-image') return iterateCompressedImage(this, opts);
    if (this.kind !== 'image') throw new FitsError('BAD_ARGUMENT', `HDU ${this.index} is a ${this.kind}, not an image.`, { hdu: this.index });
    return iterateImage(this.imageLocation(), opts);
  }

  /**
   * Read a binary or ASCII table, or some of its columns (by name or 0-based
   * index) and rows; only the bytes of those rows (and their heap arrays) are read.
   * @example
   * const t = await hdu.readTable({ columns: ['RA', 'DEC'], rows: { start: 0, count: 1000 } });
   */
  readTable(opts: ReadTableOptions = {}): Promise<FitsTable> {
    return readTable(this, opts);
  }

  /**
   * Stream a table as FitsTables of at most `rows` rows each, with bounded memory.
   * @example
   * for await (const batch of hdu.iterateTable({ rows: 100_000, columns: ['TIME'] })) n += batch.numRows;
   */
  iterateTable(opts: IterateTableOptions = {}): AsyncGenerator<FitsTable> {
    return iterateTable(this, opts);
  }

  /**
   * Read random groups (GROUPS = T): the group arrays and parameters, scaled.
   * @example
   * const { data, params } = await hdu.readGroups();
   */
  readGroups(): Promise<RandomGroups> {
    return readRandomGroups(this);
  }

  /** Verify CHECKSUM and DATASUM (when present). */
  verifyChecksum(): Promise<ChecksumResult> {
    return verifyHduChecksum(this);
  }

  private imageLocation() {
    return {
      source: this.source,
      dataOffset: this.dataOffset,
      dims: [...this.layout.naxes].reverse(),
      scaling: pixelScaling(this.header, this.layout.bitpix),
      hdu: this.index,
    };
  }
}
