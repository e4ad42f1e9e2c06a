/**
 * addCompressedImageStream: pixels in chunks of any length give the same
 * bytes as addCompressedImage with the whole image, for every codec and tile
 * shape (bands of tiles along the slowest axis, partial last band); a chunk
 * of the wrong type is refused before anything is written, a stream of the
 * wrong length discards the output once its HDU has started.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DType, ImageArray } from '../../src/image/pixel-type.js';
import { open } from '../helpers/fitsflow.js';
import { nodeDeflater } from '../../src/node/deflate.js';
import type { CompressedImageOptions } from '../../src/write/compressed-image.js';
import { MemorySink } from '../../src/write/sink.js';
import { FitsWriter } from '../../src/write/writer.js';


let seed = 5;
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const gauss = () => (rnd() + rnd() + rnd() - 1.5) * 10;
const NY = 45;
const NX = 77;
const f32 = Float32Array.from({ length: NY * NX }, (_, i) => 200 + gauss() + (i % NX) / 10);
f32[100] = NaN;
for (let i = 9 * NX; i < 10 * NX; i++) f32[i] = 1; // not quantizable
const f64 = Float64Array.from(f32);
const i16 = Int16Array.from(f32, (v) => (v === v ? Math.round(v * 3) : 0));
const mask = Int32Array.from({ length: NY * NX }, (_, i) => (Math.floor(i / 13) % 4 === 0 ? 7 : 0));
const cube = Float32Array.from({ length: 5 * 12 * 20 }, () => 50 + gauss());

async function whole(data: ImageArray, shape: number[], opts: CompressedImageOptions): Promise<Uint8Array> {
  const sink = new MemorySink();
  const w = new FitsWriter(sink, { checksum: true, deflate: nodeDeflater });
  await w.addCompressedImage(data, { ...opts, shape });
  await w.close();
  return sink.bytes();
}

async function streamed(data: ImageArray, shape: number[], dtype: DType, opts: CompressedImageOptions, cuts: number[]): Promise<Uint8Array> {
  const sink = new MemorySink();
  const w = new FitsWriter(sink, { checksum: true, deflate: nodeDeflater });
  async function* chunks() {
    let at = 0;
    for (const c of cuts) {
      const end = Math.min(data.length, at + c);
      yield data.subarray(at, end) as ImageArray;
      at = end;
    }
    if (at < data.length) yield data.subarray(at) as ImageArray;
  }
  await w.addCompressedImageStream({ ...opts, shape, dtype }, chunks());
  await w.close();
  return sink.bytes();
}

const cases: [string, ImageArray, number[], DType, CompressedImageOptions][] = [
  ['RICE_1 q=4 rows', f32, [NY, NX], 'float32', { quantize: 4 }],
  ['GZIP_2 q=8 10×20 tiles', f32, [NY, NX], 'float32', { compression: 'GZIP_2', quantize: 8, tileShape: [10, 20], ditherSeed: 3 }],
  ['RICE_1 f64 dither 2, 4-row tiles', f64, [NY, NX], 'float64', { quantize: 16, dither: 'SUBTRACTIVE_DITHER_2', tileShape: [4, NX] }],
  ['GZIP_1 lossless', f32, [NY, NX], 'float32', { compression: 'GZIP_1', quantize: 'none', tileShape: [7, 30] }],
  ['HCOMPRESS_1 int16', i16, [NY, NX], 'int16', { compression: 'HCOMPRESS_1' }],
  ['PLIO_1', mask, [NY, NX], 'int32', { compression: 'PLIO_1', tileShape: [5, NX] }],
  ['cube 2×5×20 tiles', cube, [5, 12, 20], 'float32', { quantize: 4, tileShape: [2, 5, 20] }],
  ['1-D', i16, [NY * NX], 'int16', { tileShape: [1000] }],
  ['NOCOMPRESS f32 8×30 tiles', f32, [NY, NX], 'float32', { compression: 'NOCOMPRESS', tileShape: [8, 30] }],
  ['NOCOMPRESS int16', i16, [NY, NX], 'int16', { compression: 'NOCOMPRESS' }],
];

describe('compressed image streams', () => {
  for (const [name, data, shape, dtype, opts] of cases) {
    it(`${name}: same bytes as the whole image, for any chunking`, async () => {
      const ref = Buffer.from(await whole(data, shape, opts));
      expect(Buffer.compare(Buffer.from(await streamed(data, shape, dtype, opts, [data.length])), ref)).toBe(0);
      await fc.assert(
        fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 2 * NX + 5 }), { minLength: 1, maxLength: 12 }), async (cuts) => {
          expect(Buffer.compare(Buffer.from(await streamed(data, shape, dtype, opts, cuts)), ref)).toBe(0);
        }),
        { numRuns: 8 },
      );
    });
  }

  it('a quantized image without null pixels: blank cards fill the block reserved for ZBLANK, pixels unchanged', async () => {
    // Pad the user header until the streamed header (sized with ZBLANK) is one block longer than the whole image's.
    let found = false;
    for (let n = 0; n < 36 && !found; n++) {
      const header = Array.from({ length: n }, (_, i) => ({ keyword: 'COMMENT', comment: `padding ${i}`, commentary: true }));
      const opts: CompressedImageOptions = { quantize: 4, tileShape: [2, 5, 20], header };
      const ref = await whole(cube, [5, 12, 20], opts);
      const got = await streamed(cube, [5, 12, 20], 'float32', opts, [333]);
      if (got.length === ref.length) {
        expect(Buffer.compare(Buffer.from(got), Buffer.from(ref))).toBe(0);
        continue;
      }
      found = true;
      expect(got.length).toBe(ref.length + 2880);
      const read = async (bytes: Uint8Array) => {
        const f = await open(bytes);
        const h = await f.hdu(1);
        const img = await h.readImage();
        expect(await h.verifyChecksum()).toMatchObject({ checksum: 'ok', datasum: 'ok' });
        const blanks = h.header.cards.filter((c) => c.keyword === '' && c.commentary).length;
        await f.close();
        return { data: Array.from(img.data as Float32Array), blanks };
      };
      const a = await read(ref);
      const b = await read(got);
      expect(b.data).toEqual(a.data);
      expect(b.blanks).toBeGreaterThan(a.blanks);
    }
    expect(found).toBe(true);
  });

  it('refuses a chunk of another type or too many pixels before writing anything', async () => {
    for (const [chunks, dtype] of [[[f64], 'float32'], [[Float32Array.from({ length: f32.length + 1 })], 'float32']] as const) {
      const sink = new MemorySink();
      const w = new FitsWriter(sink);
      await expect(w.addCompressedImageStream({ shape: [NY, NX], dtype, quantize: 4 }, chunks as readonly ImageArray[])).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
      expect(sink.position).toBe(0);
      // The writer is still usable.
      await w.addCompressedImage(f32, { shape: [NY, NX] });
      await w.close();
    }
  });

  it('discards the output when the stream ends short or runs over after its HDU started', async () => {
    for (const chunks of [[f32.subarray(1)], [f32, f32.subarray(0, 1)]]) {
      const sink = new MemorySink();
      const w = new FitsWriter(sink);
      await expect(w.addCompressedImageStream({ shape: [NY, NX], dtype: 'float32', quantize: 4 }, chunks)).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
      expect(sink.position).toBe(0);
      await expect(w.close()).rejects.toMatchObject({ code: 'IO' });
    }
  });
});
