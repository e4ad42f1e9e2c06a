/**
 * Hand-built compressed HDUs for the container rules the corpus does not
 * reach: 64-bit pixels, every scaling convention, keyword-only quantization
 * parameters, Q descriptors, THEAP, default tiling of 1-D and 3-D images.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FitsFile, MemorySource, isFitsError } from '../helpers/fitsflow.js';
import { bigEndian, card, concat, headerBytes, kv, padData } from '../helpers/make-fits.js';

type Codec = 'GZIP_1' | 'GZIP_2' | 'NOCOMPRESS';

interface Spec {
  zbitpix: number;
  /** FITS order (ZNAXIS1 first). */
  znaxis: number[];
  /** FITS order; omitted → no ZTILEn keywords (default tiling). */
  ztile?: number[];
  codec: Codec;
  /** Big-endian bytes of each tile's pixels (the caller lays tiles out). */
  tiles: Uint8Array[];
  extra?: string[];
  q?: boolean; // 1QB descriptors
  theapGap?: number;
  /** Per-tile ZSCALE/ZZERO columns. */
  zcols?: [number, number][];
}

function shuffle(raw: Uint8Array, w: number): Uint8Array {
  const n = raw.length / w;
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < n; i++) for (let b = 0; b < w; b++) out[b * n + i] = raw[i * w + b]!;
  return out;
}

function build(s: Spec): Uint8Array {
  const w = s.zcols ? 4 : Math.abs(s.zbitpix) / 8;
  const blobs = s.tiles.map((t) => (s.codec === 'NOCOMPRESS' ? t : gzipSync(s.codec === 'GZIP_2' ? shuffle(t, w) : t)));
  const descBytes = s.q ? 16 : 8;
  const rowBytes = descBytes + (s.zcols ? 16 : 0);
  const rows = s.tiles.length;
  const table = new Uint8Array(rows * rowBytes);
  const dv = new DataView(table.buffer);
  let off = 0;
  blobs.forEach((b, i) => {
    const p = i * rowBytes;
    if (s.q) {
      dv.setBigInt64(p, BigInt(b.length));
      dv.setBigInt64(p + 8, BigInt(off));
    } else {
      dv.setInt32(p, b.length);
      dv.setInt32(p + 4, off);
    }
    if (s.zcols) {
      dv.setFloat64(p + descBytes, s.zcols[i]![0]);
      dv.setFloat64(p + descBytes + 8, s.zcols[i]![1]);
    }
    off += b.length;
  });
  const gap = new Uint8Array(s.theapGap ?? 0);
  const heap = concat(gap, ...blobs);
  const cards = [
    kv('XTENSION', 'BINTABLE'), kv('BITPIX', 8), kv('NAXIS', 2), kv('NAXIS1', rowBytes), kv('NAXIS2', rows),
    kv('PCOUNT', heap.length), kv('GCOUNT', 1), kv('TFIELDS', s.zcols ? 3 : 1),
    kv('TTYPE1', 'COMPRESSED_DATA'), kv('TFORM1', s.q ? '1QB' : '1PB'),
    ...(s.zcols ? [kv('TTYPE2', 'ZSCALE'), kv('TFORM2', '1D'), kv('TTYPE3', 'ZZERO'), kv('TFORM3', '1D')] : []),
    ...(s.theapGap ? [kv('THEAP', rows * rowBytes + s.theapGap)] : []),
    kv('ZIMAGE', true), kv('ZBITPIX', s.zbitpix), kv('ZNAXIS', s.znaxis.length),
    ...s.znaxis.map((n, i) => kv(`ZNAXIS${i + 1}`, n)),
    ...(s.ztile ?? []).map((n, i) => kv(`ZTILE${i + 1}`, n)),
    kv('ZCMPTYPE', s.codec),
    ...(s.extra ?? []),
  ];
  const primary = headerBytes([kv('SIMPLE', true), kv('BITPIX', 8), kv('NAXIS', 0)]);
  return concat(primary, headerBytes(cards), padData(concat(table, heap)));
}

async function read(bytes: Uint8Array, opts = {}) {
  const hdu = await new FitsFile(new MemorySource(bytes)).hdu(1);
  return { hdu, img: await hdu.readImage(opts) };
}

describe('synthetic compressed images', () => {
  it('int64 (GZIP_1), two row tiles', async () => {
    const v = [1n, -2n, 2n ** 62n, -(2n ** 63n), 5n, 6n];
    const { hdu, img } = await read(build({ zbitpix: 64, znaxis: [3, 2], codec: 'GZIP_1', tiles: [bigEndian(64, v.slice(0, 3)), bigEndian(64, v.slice(3))] }));
    expect(hdu.dtype).toBe('int64');
    expect(img.shape).toEqual([2, 3]);
    expect([...(img.data as BigInt64Array)]).toEqual(v);
  });

  it('uint64 (BZERO 2^63, GZIP_2) and a 1-D cutout of it', async () => {
    const raw = [-(2n ** 63n), 0n, 2n ** 63n - 1n, 7n];
    const bytes = build({ zbitpix: 64, znaxis: [4], ztile: [2], codec: 'GZIP_2', tiles: [bigEndian(64, raw.slice(0, 2)), bigEndian(64, raw.slice(2))], extra: [card(`BZERO   = ${'9223372036854775808'.padStart(20)}`), kv('BSCALE', 1)] });
    const { hdu, img } = await read(bytes);
    expect(hdu.dtype).toBe('uint64');
    expect([...(img.data as BigUint64Array)]).toEqual([0n, 2n ** 63n, 2n ** 64n - 1n, 2n ** 63n + 7n]);
    const cut = await hdu.readImage({ start: [1], shape: [2] });
    expect([...(cut.data as BigUint64Array)]).toEqual([2n ** 63n, 2n ** 64n - 1n]);
  });

  it('int32 with BSCALE/BZERO/BLANK (NOCOMPRESS) → float64 with NaN', async () => {
    const raw = [1, -999, 3, 4];
    const { hdu, img } = await read(build({ zbitpix: 32, znaxis: [4], codec: 'NOCOMPRESS', tiles: [bigEndian(32, raw)], extra: [kv('BSCALE', 0.5), kv('BZERO', 10), kv('BLANK', -999)] }));
    expect(hdu.dtype).toBe('float64');
    expect([...img.data as Float64Array]).toEqual([10.5, NaN, 11.5, 12]);
  });

  it('BLANK alone is not applied to integer pixels', async () => {
    const { hdu, img } = await read(build({ zbitpix: 16, znaxis: [3], codec: 'GZIP_1', tiles: [bigEndian(16, [1, -5, 3])], extra: [kv('BLANK', -5)] }));
    expect(hdu.dtype).toBe('int16');
    expect([...img.data as Int16Array]).toEqual([1, -5, 3]);
  });

  it('ZBITPIX 8 with BZERO -128 → float32; ZBITPIX 32 with BZERO 2^31 → uint32', async () => {
    const a = await read(build({ zbitpix: 8, znaxis: [3], codec: 'GZIP_2', tiles: [bigEndian(8, [0, 128, 255])], extra: [kv('BZERO', -128)] }));
    expect(a.hdu.dtype).toBe('float32');
    expect([...a.img.data as Float32Array]).toEqual([-128, 0, 127]);
    const b = await read(build({ zbitpix: 32, znaxis: [3], codec: 'GZIP_2', tiles: [bigEndian(32, [-(2 ** 31), 0, 2 ** 31 - 1])], extra: [kv('BZERO', 2147483648)] }));
    expect(b.hdu.dtype).toBe('uint32');
    expect([...b.img.data as Uint32Array]).toEqual([0, 2 ** 31, 2 ** 32 - 1]);
  });

  it('float32 image with BSCALE (lossless GZIP): scaled in float32', async () => {
    const { hdu, img } = await read(build({ zbitpix: -32, znaxis: [2], codec: 'GZIP_1', tiles: [bigEndian(-32, [1.5, -0])], extra: [kv('BSCALE', 3), kv('BZERO', 0.1)] }));
    expect(hdu.dtype).toBe('float32');
    expect([...img.data as Float32Array]).toEqual([Math.fround(Math.fround(4.5) + Math.fround(0.1)), Math.fround(0.1)]);
  });

  it('quantization from ZSCALE/ZZERO keywords, ZBLANK keyword, no dither (GZIP_1 int32 tiles)', async () => {
    const ints = [0, 4, -2147483647, 10];
    const { hdu, img } = await read(build({ zbitpix: -32, znaxis: [4], codec: 'GZIP_1', tiles: [bigEndian(32, ints)], extra: [kv('ZSCALE', 0.25), kv('ZZERO', 100), kv('ZBLANK', -2147483647)] }));
    expect(hdu.dtype).toBe('float32');
    expect([...img.data as Float32Array]).toEqual([100, 101, NaN, 102.5]);
  });

  it('BLANK stands in for ZBLANK in quantized images', async () => {
    const { img } = await read(build({ zbitpix: -64, znaxis: [2], codec: 'GZIP_2', zcols: [[2, 1]], tiles: [bigEndian(32, [7, -99])], extra: [kv('BLANK', -99)] }));
    expect([...img.data as Float64Array]).toEqual([15, NaN]);
  });

  it('ZQUANTIZ = NONE with a ZSCALE column is NO_DITHER; an unknown ZQUANTIZ is UNSUPPORTED', async () => {
    const ok = await read(build({ zbitpix: -32, znaxis: [2], codec: 'GZIP_1', zcols: [[0.5, 0]], tiles: [bigEndian(32, [2, 3])], extra: [kv('ZQUANTIZ', 'NONE')] }));
    expect([...ok.img.data as Float32Array]).toEqual([1, 1.5]);
    const bad = build({ zbitpix: -32, znaxis: [2], codec: 'GZIP_1', zcols: [[0.5, 0]], tiles: [bigEndian(32, [2, 3])], extra: [kv('ZQUANTIZ', 'MAGIC_DITHER')] });
    const e = await read(bad).catch((x) => x);
    expect(isFitsError(e, 'UNSUPPORTED')).toBe(true);
  });

  it('Q descriptors and a THEAP gap', async () => {
    const { img } = await read(build({ zbitpix: 16, znaxis: [2, 2], codec: 'GZIP_1', q: true, theapGap: 37, tiles: [bigEndian(16, [1, 2]), bigEndian(16, [3, 4])] }));
    expect([...img.data as Int16Array]).toEqual([1, 2, 3, 4]);
  });

  it('default tiling of a 3-D image is one row per tile', async () => {
    const tiles = Array.from({ length: 6 }, (_, t) => bigEndian(16, [t * 10, t * 10 + 1]));
    const { hdu, img } = await read(build({ zbitpix: 16, znaxis: [2, 3, 2], codec: 'NOCOMPRESS', tiles }));
    expect(hdu.shape).toEqual([2, 3, 2]);
    expect([...img.data as Int16Array]).toEqual([0, 1, 10, 11, 20, 21, 30, 31, 40, 41, 50, 51]);
    const cut = await hdu.readImage({ start: [1, 0, 1], shape: [1, 2, 1], step: [1, 2, 1] });
    expect([...cut.data as Int16Array]).toEqual([31, 51]);
  });

  it('ZNAXIS = 0: no data', async () => {
    const { hdu, img } = await read(build({ zbitpix: 16, znaxis: [], codec: 'NOCOMPRESS', tiles: [] }));
    expect(hdu.shape).toBeNull();
    expect(img.shape).toEqual([]);
    expect(img.data.length).toBe(0);
  });

  it('a gzip tile that inflates to the wrong size is CORRUPT_DATA naming the tile', async () => {
    const bytes = build({ zbitpix: 16, znaxis: [3, 2], codec: 'GZIP_1', tiles: [bigEndian(16, [1, 2, 3]), bigEndian(16, [1, 2])] });
    const e = await read(bytes).catch((x) => x);
    expect(isFitsError(e, 'CORRUPT_DATA')).toBe(true);
    expect(e.hdu).toBe(1);
    expect(e.tile).toBe(1);
  });
});
