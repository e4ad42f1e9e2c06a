/**
 * An HDU: its header, its kind and layout, and lazy access to its data.
 * Reading an HDU list costs headers only; data is read when asked for.
 */
import { FitsError } from '../errors.js';
import type { Header } from '../header/header.js';
import type { ByteSource } from '../io/byte-source.js';
import { iterateImage, readImage, type ImageChunk, type ImageData, type IterateImageOptions, type ReadImageOptions } from '../image/read-image.js';
import { pixelScaling, type DType } from '../image/pixel-type.js';
import type { HduKind, HduLayout } from './layout.js';
import { verifyHduChecksum, type ChecksumResult } from '../checksum/verify.js';

/** What data readers (images, tables, compressed images) need to know about an HDU. */
export interface HduContext {
  readonly source: ByteSource;
  readonly index: number;
  readonly header: Header;
  readonly layout: HduLayout;
  readonly headerOffset: number;
  readonly dataOffset: number;
}

/** Readers registered by optional modules (tables, compressed images), so this core stays small. */
export interface HduReaders {
  compressedImage?: {
    read(ctx: HduContext, opts: ReadImageOptions): Promise<ImageData>;
    info(ctx: HduContext): { dims: number[]; dtype: DType; header: Header };
  };
}
export const hduReaders: HduReaders = {};

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
    if (this.kind === 'compressed-image') return hduReaders.compressedImage?.info(this).dims ?? null;
    if (this.kind !== 'image' || this.layout.naxes.length === 0) return null;
    return [...this.layout.naxes].reverse();
  }

  /** Element type of the image as astropy returns it, or null when there is no array. */
  get dtype(): DType | null {
    if (this.kind === 'compressed-image') return hduReaders.compressedImage?.info(this).dtype ?? null;
    if (this.kind !== 'image' || this.layout.naxes.length === 0) return null;
    return pixelScaling(this.header, this.layout.bitpix).dtype;
  }

  /**
   * Read the image (or a section: `start`, `shape`, `step` in C order) into a typed array.
   * @example
   * const { data, shape, dtype } = await hdu.readImage({ start: [100, 200], shape: [512, 512] });
   */
  async readImage(opts: ReadImageOptions = {}): Promise<ImageData> {
    if (this.kind === 'compressed-image') {
      const reader = hduReaders.compressedImage;
      if (!reader) throw new FitsError('UNSUPPORTED', 'Tile-compressed images are not supported in this build.', { hdu: this.index });
      return reader.read(this, opts);
    }
    if (this.kind !== 'image') {
      throw new FitsError('BAD_ARGUMENT', `HDU ${this.index} is a ${this.kind}, not an image.`, { hdu: this.index });
    }
    return readImage(this.imageLocation(), opts);
  }

  /** Stream the image in chunks of whole slices along the slowest axis (bounded memory). */
  iterateImage(opts: IterateImageOptions = {}): AsyncGenerator<ImageChunk> {
    if (this.kind !== 'image') throw new FitsError('BAD_ARGUMENT', `HDU ${this.index} is a ${this.kind}, not an (uncompressed) image.`, { hdu: this.index });
    return iterateImage(this.imageLocation(), opts);
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
