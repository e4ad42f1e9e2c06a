/**
 * The GPU tile decoders against the CPU on random inputs (fast-check):
 * RICE_1 (BYTEPIX 1, 2, 4, any block size) and PLIO_1 (old and extended
 * headers) on random tiles at unaligned offsets, with random sections and
 * scalings; corrupted streams must give the CPU's exact error; quantized
 * tiles (NO_DITHER, SUBTRACTIVE_DITHER_1/2, ZBLANK, dither restarts past 10000
 * pixels) must dequantize to the same float32 / float64 bits.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gpuCtx, haveGpu, noGpuReason } from './gpu-setup.js';
import { TILE_FIELDS, type TileJobSpec } from '../../src/tiled/tile-decode.js';
import type { PixelScaling } from '../../src/image/pixel-type.js';
import type { QuantizeMethod } from '../../src/codecs/quantize/dequantize.js';
import { plioEncode, riceEncode } from '../helpers/encoders.js';
import { bitDiffs } from './compare.js';
import { decodeBoth, stageTiles, type Built, type Outcome } from './tile-jobs.js';
import { constants as zc, deflateSync, gzipSync } from 'node:zlib';
import { xorshift32 } from '../helpers/xorshift.js';

/** A 2-D tiled image: each tile's pixel values from `pixels(tile, count)`, encoded by `encode`, stored with `gaps` bytes between tiles. */
function build(
  dims: [number, number],
  tile: [number, number],
  scaling: PixelScaling,
  base: Omit<TileJobSpec, 'hdu' | 'scaling' | 'dims' | 'tile' | 'counts' | 'start' | 'shape' | 'step'>,
  pixels: (t: number, n: number) => ArrayLike<number>,
  encode: (values: ArrayLike<number>) => Uint8Array,
  gaps: number[],
  zparams: (t: number) => [number, number, number],
  section?: { start: number[]; shape: number[]; step: number[] },
): Built {
  const { counts, tiles, staging } = stageTiles(dims, tile, (t, rows, cols) => encode(pixels(t, rows * cols)), gaps, zparams);
  const sec = section ?? { start: [0, 0], shape: [...dims], step: [1, 1] };
  const spec: TileJobSpec = { ...base, hdu: 1, scaling, dims: [...dims], tile: [...tile], counts, start: sec.start, shape: sec.shape, step: sec.step };
  return { spec, tiles, staging };
}

let lastReport: { gpuTiles: number; cpuTiles: number } = { gpuTiles: 0, cpuTiles: 0 };

async function both(b: Built): Promise<[Outcome, Outcome]> {
  const r = await decodeBoth(gpuCtx!, b);
  if ('report' in r[0] && r[0].report) lastReport = r[0].report;
  return r;
}

function expectSame([gpu, cpu]: [Outcome, Outcome]): void {
  if ('error' in cpu || 'error' in gpu) {
    expect(gpu).toEqual(cpu);
    return;
  }
  expect(bitDiffs(gpu.data, cpu.data)).toEqual([]);
}

const raw = (bitpix: number, dtype: PixelScaling['dtype'], extra: Partial<PixelScaling> = {}): PixelScaling => ({
  bitpix,
  raw: bitpix === 8 ? 'uint8' : bitpix === 16 ? 'int16' : bitpix === 32 ? 'int32' : bitpix === -32 ? 'float32' : 'float64',
  dtype,
  mode: 'raw',
  bscale: 1,
  bzero: 0,
  blank: undefined,
  ...extra,
});

/** Pixel values mixing runs, small steps and arbitrary values (like rice.test.ts). */
function values(seed: number, n: number, wrap: (v: number) => number): number[] {
  const r = xorshift32(seed);
  const out: number[] = [];
  let v = r() | 0;
  for (let i = 0; i < n; i++) {
    const m = r() % 4;
    v = m === 0 ? v : m === 1 ? v + ((r() % 5) - 2) : m === 2 ? v + ((r() % 1000) - 500) : r() | 0;
    v = wrap(v | 0);
    out.push(v);
  }
  return out;
}

const WRAP = { 1: (v: number) => v & 0xff, 2: (v: number) => (v << 16) >> 16, 4: (v: number) => v | 0 } as const;

/** Corrupt a stream: cut it, or flip bytes. */
function corrupt(bytes: Uint8Array, how: number, at: number): Uint8Array {
  if (how === 0) return bytes;
  if (how === 1) return bytes.subarray(0, Math.floor((bytes.length * (at % 100)) / 100));
  const b = bytes.slice();
  if (b.length) b[at % b.length] ^= 1 << (at % 8);
  if (how === 3 && b.length > 1) b[(at * 7) % b.length] ^= 0xff;
  return b;
}

const sectionArb = (dims: [number, number]) =>
  fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })).map(([a, b, sy, sx]) => {
    const y0 = a % dims[0];
    const x0 = b % dims[1];
    return { start: [y0, x0], shape: [Math.floor((dims[0] - 1 - y0) / sy) + 1, Math.floor((dims[1] - 1 - x0) / sx) + 1], step: [sy, sx] };
  });

describe.runIf(haveGpu)('GPU codecs = CPU codecs on random tiles', () => {
  it('RICE_1: BYTEPIX 1/2/4, block sizes, unaligned tiles, sections, corrupt streams', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(1, 2, 4) as fc.Arbitrary<1 | 2 | 4>,
        fc.oneof(fc.constantFrom(16, 32), fc.integer({ min: 1, max: 70 })),
        fc.tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 90 })),
        fc.tuple(fc.integer({ min: 1, max: 17 }), fc.integer({ min: 1, max: 50 })),
        fc.array(fc.nat({ max: 7 }), { minLength: 1, maxLength: 5 }),
        fc.nat(),
        fc.constantFrom(0, 0, 0, 1, 2, 3),
        fc.boolean(),
        async (bytepix, blocksize, [ny, nx], [ty, tx], gaps, seed, how, useSection) => {
          const dims: [number, number] = [ny, nx];
          const zbitpix = bytepix === 1 ? 8 : bytepix === 2 ? 16 : 32;
          const dtype = bytepix === 1 ? 'uint8' : bytepix === 2 ? 'int16' : 'int32';
          const bad = (seed % 5) + 0; // which tile gets corrupted
          const b = build(
            dims,
            [Math.min(ty, ny), Math.min(tx, nx)],
            raw(zbitpix, dtype),
            { codec: 'RICE_1', zbitpix, bytepix, blocksize, smooth: false, quantized: false, method: 'NO_DITHER', ditherSeed: 1 },
            (t, n) => values(seed + t * 7919, n, WRAP[bytepix]),
            (v) => riceEncode(v, bytepix, blocksize),
            gaps,
            () => [NaN, 0, NaN],
            useSection ? fc.sample(sectionArb(dims), { numRuns: 1, seed })[0] : undefined,
          );
          if (how) {
            // Re-encode one tile corrupted, appended at the end.
            const n = b.tiles.length / TILE_FIELDS;
            const t = bad % n;
            const off = b.tiles[t * TILE_FIELDS + 2]!;
            const len = b.tiles[t * TILE_FIELDS + 3]!;
            const c = corrupt(b.staging.subarray(off, off + len), how, seed);
            const staging = new Uint8Array(b.staging.length + c.length + 3);
            staging.set(b.staging);
            staging.set(c, b.staging.length + 3);
            b.tiles[t * TILE_FIELDS + 2] = b.staging.length + 3;
            b.tiles[t * TILE_FIELDS + 3] = c.length;
            b.staging = staging;
          }
          expectSame(await both(b));
        },
      ),
      { numRuns: 120 },
    );
  });

  it('RICE_1 into scaled outputs: uint16 offset, BSCALE/BZERO/BLANK to float32 and float64', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(2, 4) as fc.Arbitrary<2 | 4>,
        fc.constantFrom('offset', 'scale'),
        fc.double({ min: -1e5, max: 1e5, noNaN: true }),
        fc.double({ min: -1e9, max: 1e9, noNaN: true }),
        fc.integer({ min: -40, max: 40 }),
        fc.nat(),
        async (bytepix, mode, bscale, bzero, blank, seed) => {
          const zbitpix = bytepix === 2 ? 16 : 32;
          const scaling: PixelScaling =
            mode === 'offset'
              ? raw(zbitpix, zbitpix === 16 ? 'uint16' : 'uint32', { mode: 'offset', bzero: zbitpix === 16 ? 32768 : 2147483648 })
              : raw(zbitpix, zbitpix === 16 ? 'float32' : 'float64', { mode: 'scale', bscale, bzero, blank });
          const b = build(
            [23, 31],
            [5, 31],
            scaling,
            { codec: 'RICE_1', zbitpix, bytepix, blocksize: 32, smooth: false, quantized: false, method: 'NO_DITHER', ditherSeed: 1 },
            (t, n) => values(seed + t, n, (v) => (seed % 3 === 0 ? ((v % 50) + 50) % 81 - 40 : WRAP[bytepix](v))),
            (v) => riceEncode(v, bytepix, 32),
            [1, 2, 3],
            () => [NaN, 0, NaN],
          );
          expectSame(await both(b));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('PLIO_1: old and extended lists, unaligned tiles, sections, corrupt lists', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 200 })),
        fc.integer({ min: 1, max: 9 }),
        fc.constantFrom('old', 'extended') as fc.Arbitrary<'old' | 'extended'>,
        fc.array(fc.nat({ max: 5 }), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        fc.constantFrom(0, 0, 0, 1, 2, 3),
        fc.boolean(),
        async ([ny, nx], ty, form, gaps, seed, how, useSection) => {
          const dims: [number, number] = [ny, nx];
          const b = build(
            dims,
            [Math.min(ty, ny), nx],
            raw(32, 'int32'),
            { codec: 'PLIO_1', zbitpix: 32, bytepix: 4, blocksize: 32, smooth: false, quantized: false, method: 'NO_DITHER', ditherSeed: 1 },
            (t, n) => {
              // Masks: runs of small values, some large ones (PLIO allows 0 … 2^27-1).
              const v = values(seed + t * 31, n, (x) => x);
              let cur = 0;
              return Int32Array.from(v, (x, i) => {
                if (i % (1 + (Math.abs(x) % 37)) === 0) cur = Math.abs(x) % 4 === 0 ? Math.abs(x) % 2 ** 27 : Math.abs(x) % 6;
                return cur;
              });
            },
            (v) => corrupt(plioEncode(v as Int32Array, form), how, seed),
            gaps,
            () => [NaN, 0, NaN],
            useSection ? fc.sample(sectionArb(dims), { numRuns: 1, seed })[0] : undefined,
          );
          expectSame(await both(b));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('quantized tiles: every method, ZBLANK, float32 and float64, dither restarts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('NO_DITHER', 'SUBTRACTIVE_DITHER_1', 'SUBTRACTIVE_DITHER_2') as fc.Arbitrary<QuantizeMethod>,
        fc.constantFrom('float32', 'float64') as fc.Arbitrary<'float32' | 'float64'>,
        fc.oneof(fc.double({ min: 1e-6, max: 10, noNaN: true }), fc.constantFrom(0.0123, 1.5e-3, 3.0517578125e-5)),
        fc.oneof(fc.double({ min: -1e10, max: 1e10, noNaN: true }), fc.constant(0), fc.constant(2147483648 * 0.0123)),
        fc.integer({ min: 1, max: 10000 }),
        fc.boolean(),
        fc.nat(),
        async (method, dtype, zscale, zzero, ditherSeed, big, seed) => {
          const zbitpix = dtype === 'float32' ? -32 : -64;
          const nx = big ? 26000 : 97;
          const ny = big ? 2 : 13;
          const b = build(
            [ny, nx],
            [1, nx],
            raw(zbitpix, dtype),
            { codec: 'RICE_1', zbitpix, bytepix: 4, blocksize: 32, smooth: false, quantized: true, method, ditherSeed },
            (t, n) => {
              const v = values(seed + t, n, (x) => x);
              // Sprinkle ZBLANK (-2147483647) and SUBTRACTIVE_DITHER_2's zero marker (-2147483646).
              for (let i = seed % 7; i < n; i += 53) v[i] = i % 2 ? -2147483647 : -2147483646;
              return v;
            },
            (v) => riceEncode(v, 4, 32),
            [0, 3],
            (t) => [zscale * (1 + t / 8), zzero - t, t % 2 ? -2147483647 : NaN],
          );
          expectSame(await both(b));
        },
      ),
      { numRuns: 30 },
    );
  });
});

/** Big-endian bytes of values of a width (1, 2, 4 or 8 bytes; 8: float64). */
function beBytes(values: ArrayLike<number>, width: number): Uint8Array {
  const out = new Uint8Array(values.length * width);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (width === 1) dv.setUint8(i, v & 0xff);
    else if (width === 2) dv.setInt16(2 * i, v);
    else if (width === 4) dv.setInt32(4 * i, v);
    else dv.setFloat64(8 * i, v / 7);
  }
  return out;
}

/** GZIP_2's byte shuffle (the inverse of gzip.ts's unshuffle). */
function shuffle(bytes: Uint8Array, width: number): Uint8Array {
  const n = bytes.length / width;
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < n; i++) for (let j = 0; j < width; j++) out[j * n + i] = bytes[i * width + j]!;
  return out;
}

function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** A gzip / zlib stream of `data` in one of many shapes writers (and broken files) produce. */
function compress(data: Uint8Array, form: number, level: number): Uint8Array {
  const strategies = [zc.Z_DEFAULT_STRATEGY, zc.Z_FILTERED, zc.Z_HUFFMAN_ONLY, zc.Z_RLE, zc.Z_FIXED];
  const opts = { level, strategy: strategies[form % strategies.length] };
  const gz = new Uint8Array(gzipSync(data, opts));
  const withFlags = (flg: number, extra: number[]) => {
    const out = new Uint8Array(gz.length + extra.length);
    out.set(gz.subarray(0, 10));
    out[3] = flg;
    out.set(extra, 10);
    out.set(gz.subarray(10), 10 + extra.length);
    return out;
  };
  switch (Math.floor(form / strategies.length) % 8) {
    case 0: return gz;
    case 1: return new Uint8Array(deflateSync(data, opts)); // zlib wrapper
    case 2: return withFlags(8 | 16, [...Array.from('tile.raw', (c) => c.charCodeAt(0)), 0, ...Array.from('a comment', (c) => c.charCodeAt(0)), 0]); // FNAME, FCOMMENT
    case 3: return withFlags(4, [3, 0, 1, 2, 3]); // FEXTRA
    case 4: {
      // FHCRC: the GPU leaves these to the CPU inflater.
      const head = new Uint8Array(gz.subarray(0, 10));
      head[3] = 2;
      const crc = crc32(head) & 0xffff;
      return withFlags(2, [crc & 0xff, crc >> 8]);
    }
    case 5: return Uint8Array.from([...gz, 0, 0, 7]); // trailing bytes
    case 6: return Uint8Array.from([...gz, ...gzipSync(new Uint8Array(0))]); // a second (empty) member
    default: return gz;
  }
}

describe.runIf(haveGpu)('GPU inflate = CPU inflate', () => {
  it('GZIP_1 / GZIP_2 tiles of every width, quantized or not, GZIP_COMPRESSED_DATA; every deflate strategy and level, header variants, corrupt streams', async () => {
    let gpuInflated = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GZIP_1', 'GZIP_2'),
        fc.constantFrom(8, 16, 32, -32, -64, 0),
        fc.tuple(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 120 })),
        fc.integer({ min: 1, max: 9 }),
        fc.nat(39),
        fc.integer({ min: 0, max: 9 }),
        fc.nat(),
        fc.constantFrom(0, 0, 0, 0, 1, 2, 3),
        async (codec, zbitpix0, [ny, nx], ty, form, level, seed, how) => {
          const quantized = zbitpix0 === 0; // quantized float32: int32 in the stream
          const zbitpix = quantized ? -32 : zbitpix0;
          const width = quantized ? 4 : Math.abs(zbitpix) / 8;
          const dtype = zbitpix === 8 ? 'uint8' : zbitpix === 16 ? 'int16' : zbitpix === 32 ? 'int32' : zbitpix === -32 ? 'float32' : 'float64';
          const b = build(
            [ny, nx],
            [Math.min(ty, ny), nx],
            raw(zbitpix, dtype),
            { codec, zbitpix, bytepix: 4, blocksize: 32, smooth: false, quantized, method: 'SUBTRACTIVE_DITHER_1', ditherSeed: 3 },
            (t, n) => values(seed + t, n, (x) => (width === 4 && !quantized && zbitpix < 0 ? (x & 0x3fffffff) | 0x10000000 : x)),
            (v) => {
              let bytes = width === 8 ? beBytes(v, 8) : beBytes(v, width);
              if (codec === 'GZIP_2') bytes = shuffle(bytes, width);
              return corrupt(compress(bytes, form, level), how, seed);
            },
            [0, 1, 2, 3],
            () => [0.25, 10, NaN],
          );
          // Some tiles as GZIP_COMPRESSED_DATA (always GZIP_1 layout of the raw pixels) in float images.
          expectSame(await both(b));
          if (how === 0 && Math.floor(form / 5) % 8 !== 4 && Math.floor(form / 5) % 8 < 5) {
            expect(lastReport.cpuTiles).toBe(0);
            gpuInflated += lastReport.gpuTiles;
          }
        },
      ),
      { numRuns: 150 },
    );
    expect(gpuInflated).toBeGreaterThan(100);
  });

  it('GZIP_COMPRESSED_DATA tiles (lossless copies in quantized images)', async () => {
    const n = 500;
    const floats = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 1e3);
    const bytes = new Uint8Array(n * 4);
    const dv = new DataView(bytes.buffer);
    floats.forEach((x, i) => dv.setFloat32(4 * i, x));
    const gz = new Uint8Array(gzipSync(bytes));
    const b = build([1, n], [1, n], raw(-32, 'float32'), { codec: 'RICE_1', zbitpix: -32, bytepix: 4, blocksize: 32, smooth: false, quantized: true, method: 'SUBTRACTIVE_DITHER_1', ditherSeed: 1 }, () => [], () => gz, [2], () => [1, 0, NaN]);
    b.tiles[1] = 1; // SRC_GZIP
    expectSame(await both(b));
    expect(lastReport.gpuTiles).toBe(1);
  });
});

describe.skipIf(haveGpu)('GPU codecs', () => {
  it(`skipped: ${noGpuReason}`, () => {});
});
