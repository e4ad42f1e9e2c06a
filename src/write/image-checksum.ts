/**
 * The checksums an image HDU would have if written uncompressed: what a
 * tile-compressed image records in ZHECKSUM and ZDATASUM (the image's
 * CHECKSUM and DATASUM, moved to Z keywords as fpack and astropy do, so
 * funpack restores them with the image). The pixels are summed as they would
 * be stored (big-endian, with the encoding's BZERO/BSCALE), chunk by chunk.
 */
import type { ImageArray } from '../image/pixel-type.js';
import type { AssembledCard } from './header-build.js';
import { sealChecksum, StreamingSum } from './hdu-emit.js';
import { encodePixels, type ImageEncoding } from './image-encode.js';

/** Pixels encoded per step (kept small: the scratch stays in cache). */
const STEP_BYTES = 256 << 10;

/** The data sum (DATASUM) of an image's pixels, fed in C order in chunks of any length. */
export class ImageDataSum {
  private readonly sum = new StreamingSum();
  private readonly width: number;
  private scratch: Uint8Array | null = null;

  constructor(private readonly enc: ImageEncoding) {
    this.width = Math.abs(enc.bitpix) / 8;
  }

  /** Add the next pixels. */
  add(pixels: ImageArray): void {
    const per = Math.max(1, Math.floor(STEP_BYTES / this.width));
    this.scratch ??= new Uint8Array(Math.min(per, pixels.length) * this.width);
    for (let i = 0; i < pixels.length; i += per) {
      const part = pixels.subarray(i, Math.min(pixels.length, i + per)) as ImageArray;
      const need = part.length * this.width;
      if (this.scratch.length < need) this.scratch = new Uint8Array(need);
      const out = this.scratch.subarray(0, need);
      encodePixels(part, this.enc, out);
      this.sum.add(out);
    }
  }

  /** The ones' complement sum so far (block padding adds nothing). */
  get value(): number {
    return this.sum.value;
  }
}

/**
 * Fill in the CHECKSUM and DATASUM cards of an image header (as `imageHeader`
 * built it, with checksums) for the data sum of its pixels; returns their values.
 */
export function imageChecksums(cards: AssembledCard[], dataSum: number): { checksum: string; datasum: string } {
  sealChecksum(cards, dataSum);
  const value = (k: string): string => String(cards.find((c) => !c.commentary && c.keyword === k)!.value);
  return { checksum: value('CHECKSUM'), datasum: value('DATASUM') };
}
