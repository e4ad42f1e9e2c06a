/**
 * Cutouts of compressed images: equal to the slice of the full read, and read
 * only the table rows and heap bytes of the tiles they intersect.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FitsFile, MemorySource } from '../helpers/fitsflow.js';
import type { ByteSource } from '../../src/core/byte-source.js';
import { corpusPath } from '../helpers/corpus.js';
import { sliceCOrder } from '../helpers/section-slice.js';

/** A ByteSource that counts the bytes (and calls) read through it. */
class CountingSource implements ByteSource {
  bytes = 0;
  calls = 0;
  readonly ranges: [number, number][] = [];
  readonly size: number;
  constructor(
    private readonly inner: MemorySource,
    sync: boolean,
  ) {
    this.size = inner.size;
    if (!sync) (this as { readSync?: unknown }).readSync = undefined;
  }
  async read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
    return this.count(offset, length, into);
  }
  readSync(offset: number, length: number, into?: Uint8Array): Uint8Array {
    return this.count(offset, length, into);
  }
  private count(offset: number, length: number, into?: Uint8Array): Uint8Array {
    const got = this.inner.readSync(offset, length, into);
    this.bytes += got.length;
    this.calls++;
    this.ranges.push([offset, got.length]);
    return got;
  }
  reset(): void {
    this.bytes = 0;
    this.calls = 0;
    this.ranges.length = 0;
  }
}

const slice = sliceCOrder;

const sameValues = (a: ArrayLike<number | bigint>, b: number[]) => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < b.length; i++) {
    const x = Number(a[i]);
    if (!(Object.is(x, b[i]) || (Number.isNaN(x) && Number.isNaN(b[i])))) return false;
  }
  return true;
};

const CASES = [
  'compressed/astropy/rice_int16_tiles.fits', // 2-D tiles with partial edges
  'compressed/astropy/rice_f32_dither1.fits', // quantized, dithered, 2-D tiles
  'compressed/astropy/rice_f32_dither2_zeros.fits', // GZIP_COMPRESSED_DATA fallback tiles
  'compressed/astropy/hcomp_int16_lossy_smooth.fits', // HCOMPRESS, smoothing
  'compressed/astropy/plio_mask.fits',
  'compressed/astropy/cube_gzip2_f32.fits', // 3-D tiles
  'compressed/fpack/cube_rice_3dtiles.fits.fz',
  'compressed/fpack/rice_uint16.fits.fz', // offset conversion
  'compressed/fpack/rice_int16_scaled_blank.fits.fz', // BSCALE/BZERO/BLANK
  'compressed/fpack/nocompress_int16.fits.fz',
  'compressed/astropy/gzip2_f64_lossless.fits',
];

async function hduOf(path: string, sync = true) {
  const src = new CountingSource(new MemorySource(readFileSync(corpusPath(path))), sync);
  const file = new FitsFile(src);
  const hdu = (await file.hdus()).find((h) => h.kind === 'compressed-image')!;
  return { src, hdu };
}

describe('cutouts equal the slice of the full read', () => {
  for (const path of CASES) {
    it(path, async () => {
      const { hdu } = await hduOf(path);
      const full = await hdu.readImage({ workers: false });
      const dims = full.shape;
      const section = fc.tuple(
        ...dims.map((d) =>
          fc
            .record({ start: fc.integer({ min: 0, max: d - 1 }), step: fc.integer({ min: 1, max: 4 }), want: fc.integer({ min: 1, max: d }) })
            .map(({ start, step, want }) => ({ start, step, count: Math.max(1, Math.min(want, Math.floor((d - 1 - start) / step) + 1)) })),
        ),
      );
      await fc.assert(
        fc.asyncProperty(section, async (axes) => {
          const start = axes.map((a) => a.start);
          const shape = axes.map((a) => a.count);
          const step = axes.map((a) => a.step);
          const got = await hdu.readImage({ start, shape, step, workers: false });
          expect(got.shape).toEqual(shape);
          expect(got.dtype).toBe(full.dtype);
          expect(sameValues(got.data, slice(full.data, dims, start, shape, step))).toBe(true);
        }),
        { numRuns: 40 },
      );
    });
  }

  it('an empty section gives an empty array', async () => {
    const { hdu } = await hduOf(CASES[0]!);
    const got = await hdu.readImage({ start: [0, 0], shape: [0, 10] });
    expect(got.shape).toEqual([0, 10]);
    expect(got.data.length).toBe(0);
  });
});

describe('a cutout reads only its tiles', () => {
  for (const sync of [true, false]) {
    it(`table rows + heap ranges of the intersected tiles only (${sync ? 'readSync' : 'async read'})`, async () => {
      // 2-D tiles 100 (axis 1) x 48 (axis 2) on a 257 x 300 image.
      const { src, hdu } = await hduOf('compressed/astropy/rice_int16_tiles.fits', sync);
      const raw = readFileSync(corpusPath('compressed/astropy/rice_int16_tiles.fits'));
      const rowBytes = hdu.layout.naxes[0]!;
      const nrows = hdu.layout.naxes[1]!;
      // Rows 50..149 (C axis 0), columns 120..179 (C axis 1) → tile rows 1..3, tile columns 1.
      const start = [50, 120];
      const shape = [100, 60];
      const tiles: number[] = [];
      for (let ty = Math.floor(50 / 48); ty <= Math.floor(149 / 48); ty++) for (let tx = Math.floor(120 / 100); tx <= Math.floor(179 / 100); tx++) tiles.push(ty * 3 + tx);
      let expected = 0;
      const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      for (const t of tiles) {
        expected += rowBytes + dv.getInt32(hdu.dataOffset + t * rowBytes);
      }
      src.reset();
      const cut = await hdu.readImage({ start, shape, workers: false });
      expect(cut.shape).toEqual(shape);
      expect(src.bytes).toBe(expected);
      expect(src.bytes).toBeLessThan((rowBytes * nrows + hdu.layout.pcount) / 3);
      // Every read is within the HDU's data.
      for (const [o, l] of src.ranges) {
        expect(o).toBeGreaterThanOrEqual(hdu.dataOffset);
        expect(o + l).toBeLessThanOrEqual(hdu.dataOffset + hdu.layout.dataBytes);
      }
    });
  }

  it('quantized 2-D tiles: every read is one of the needed rows or heap ranges; heap bytes are read once', async () => {
    // 64 x 64 tiles on 257 x 300, columns COMPRESSED_DATA, GZIP_COMPRESSED_DATA, ZSCALE, ZZERO.
    const path = 'compressed/astropy/rice_f32_dither1.fits';
    const { src, hdu } = await hduOf(path);
    const raw = readFileSync(corpusPath(path));
    const dv = new DataView(raw.buffer, raw.byteOffset);
    const rowBytes = hdu.layout.naxes[0]!;
    const heap = hdu.dataOffset + rowBytes * hdu.layout.naxes[1]!;
    const tiles = [];
    for (let ty = 1; ty <= 2; ty++) for (let tx = 1; tx <= 3; tx++) tiles.push(ty * 5 + tx); // rows 64..191, cols 64..255
    src.reset();
    await hdu.readImage({ start: [100, 70], shape: [80, 150] });
    let heapBytes = 0;
    for (const [o, l] of src.ranges) {
      if (o >= heap) {
        heapBytes += l;
        continue;
      }
      const first = (o - hdu.dataOffset) / rowBytes;
      expect(Number.isInteger(first)).toBe(true);
      for (let r = first; r < first + l / rowBytes; r++) expect(tiles).toContain(r);
    }
    let want = 0;
    for (const t of tiles) want += dv.getInt32(hdu.dataOffset + t * rowBytes);
    expect(heapBytes).toBe(want);
  });

  it('row tiles: a 10-row cutout reads 10 rows and their heap bytes', async () => {
    const { src, hdu } = await hduOf('compressed/fpack/rice_int16.fits.fz');
    src.reset();
    await hdu.readImage({ start: [100, 0], shape: [10, 257] });
    const raw = readFileSync(corpusPath('compressed/fpack/rice_int16.fits.fz'));
    const dv = new DataView(raw.buffer, raw.byteOffset);
    const rowBytes = hdu.layout.naxes[0]!;
    let expected = 10 * rowBytes;
    for (let t = 100; t < 110; t++) expected += dv.getInt32(hdu.dataOffset + t * rowBytes);
    expect(src.bytes).toBe(expected);
    expect(src.calls).toBe(2); // one run of rows, one merged heap range
  });
});

describe('iterateImage on compressed images', () => {
  it('chunks of whole tile rows concatenate to the full read', async () => {
    const { hdu } = await hduOf('compressed/astropy/rice_int16_tiles.fits'); // tiles 48 rows high
    const full = await hdu.readImage();
    const parts: number[] = [];
    const starts: number[] = [];
    for await (const c of hdu.iterateImage({ slices: 48 })) {
      starts.push(c.start);
      expect(c.shape[1]).toBe(257);
      parts.push(...(c.data as Int16Array));
    }
    expect(starts).toEqual([0, 48, 96, 144, 192, 240, 288]);
    expect(parts).toEqual([...(full.data as Int16Array)]);
    let n = 0;
    for await (const c of hdu.iterateImage()) n += c.shape[0]!;
    expect(n).toBe(300);
  });
});
