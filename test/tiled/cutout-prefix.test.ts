/**
 * Section reads of tile-compressed images decode only the leading pixels of
 * each tile that the section needs (codecs with `prefix`: Rice, PLIO,
 * NOCOMPRESS; src/tiled/tile-decode.ts). The values must be exactly those of
 * the same section cut from the whole decoded image, on the calling thread and
 * in workers; a corrupt tile still throws a FitsError where the prefix needs
 * the missing bytes.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { deflateSync, gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FitsFile, MemorySource, isFitsError, open } from '../helpers/fitsflow.js';
import { FitsWriter } from '../../src/write/writer.js';
import { MemorySink } from '../../src/write/sink.js';
import type { CompressedImageOptions } from '../../src/write/compressed-image.js';
import type { ImageArray } from '../../src/image/pixel-type.js';
import { createNodeWorkerPool } from '../../src/node/worker-pool.js';
import type { WorkerPool } from '../../src/core/worker-pool.js';
import { lastDecodeStats } from '../../src/tiled/tiled-image.js';
import { corpusPath, repoRoot } from '../helpers/corpus.js';
import { riceEncode } from '../../src/codecs/rice/encode.js';
import { riceTileCodec } from '../../src/codecs/rice/tile.js';
import { plioEncode } from '../../src/codecs/plio/encode.js';
import { plioTileCodec } from '../../src/codecs/plio/tile.js';
import { nocompressTileCodec, type IntTileDecoder, type TileCodecParams } from '../../src/codecs/tile-codec.js';
import { pakoInflater } from '../../src/codecs/gzip/inflate.js';
import { gzip1TileCodec } from '../../src/codecs/gzip/tile.js';
import { nodeInflater } from '../../src/node/inflate.js';
import type { Inflater } from '../../src/core/runtime.js';
import { sliceCOrder } from '../helpers/section-slice.js';

const NY = 23;
const NX = 157;
const count = NY * NX;
let seed = 12345;
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const gauss = () => (rnd() + rnd() + rnd() + rnd() - 2) * 30;
// Every pixel differs from its neighbours, so a pixel taken from the wrong place shows.
const i16 = Int16Array.from({ length: count }, (_, i) => Math.round(gauss() + ((i * 37) % 1000) - 500));
const i32 = Int32Array.from({ length: count }, (_, i) => Math.round(100000 * Math.sin(i / 300) + gauss() * 40));
const u8 = Uint8Array.from({ length: count }, (_, i) => (i * 7 + Math.round(gauss())) & 255);
const u16 = Uint16Array.from({ length: count }, (_, i) => (40000 + i + Math.round(gauss())) & 65535);
const mask = Int32Array.from({ length: count }, (_, i) => (Math.floor(i / 13) % 4 === 0 ? 1 + (i % 5) * 100 : 0));
const f32 = Float32Array.from({ length: count }, (_, i) => 100 + gauss() + Math.sin(i / 40) * 10);
f32[NX + 5] = NaN;
for (let i = 4 * NX + 10; i < 4 * NX + 60; i++) f32[i] = 0; // zeros kept exactly by SUBTRACTIVE_DITHER_2
const f64 = Float64Array.from(f32, (v, i) => v + i * 1e-3);
const cube = Int16Array.from({ length: 6 * 9 * 41 }, (_, i) => Math.round(gauss()) + (i % 41) * 10 - ((i / 41) | 0));

interface Case {
  name: string;
  data: ImageArray;
  shape: number[];
  opts: CompressedImageOptions;
}

const CASES: Case[] = [
  { name: 'Rice int16, row tiles', data: i16, shape: [NY, NX], opts: { compression: 'RICE_1' } },
  { name: 'Rice int16, BLOCKSIZE 16, 4×40 tiles with partial edges', data: i16, shape: [NY, NX], opts: { compression: 'RICE_1', blockSize: 16, tileShape: [4, 40] } },
  { name: 'Rice int32, multi-row tiles', data: i32, shape: [NY, NX], opts: { compression: 'RICE_1', tileShape: [5, NX] } },
  { name: 'Rice uint8 (BYTEPIX 1)', data: u8, shape: [NY, NX], opts: { compression: 'RICE_1', tileShape: [3, 64] } },
  { name: 'Rice uint16 (BZERO 32768)', data: u16, shape: [NY, NX], opts: { compression: 'RICE_1', tileShape: [2, NX] } },
  {
    name: 'Rice int16 with BSCALE/BZERO',
    data: i16,
    shape: [NY, NX],
    opts: { compression: 'RICE_1', tileShape: [3, NX], header: { BSCALE: 0.25, BZERO: 1000.5, BLANK: -500 } },
  },
  { name: 'Rice float32, SUBTRACTIVE_DITHER_1', data: f32, shape: [NY, NX], opts: { compression: 'RICE_1', quantize: 4, ditherSeed: 42 } },
  {
    name: 'Rice float32, SUBTRACTIVE_DITHER_2, multi-row tiles',
    data: f32,
    shape: [NY, NX],
    opts: { compression: 'RICE_1', quantize: 8, dither: 'SUBTRACTIVE_DITHER_2', ditherSeed: 17, tileShape: [4, NX] },
  },
  { name: 'Rice float64, NO_DITHER', data: f64, shape: [NY, NX], opts: { compression: 'RICE_1', quantize: 16, dither: 'NO_DITHER', tileShape: [2, 100] } },
  { name: 'Rice int16 cube, 2×3×41 tiles', data: cube, shape: [6, 9, 41], opts: { compression: 'RICE_1', tileShape: [2, 3, 41] } },
  { name: 'PLIO', data: mask, shape: [NY, NX], opts: { compression: 'PLIO_1', tileShape: [2, NX] } },
  { name: 'NOCOMPRESS int16', data: i16, shape: [NY, NX], opts: { compression: 'NOCOMPRESS', tileShape: [3, NX] } },
  { name: 'GZIP_1 int16, row tiles', data: i16, shape: [NY, NX], opts: { compression: 'GZIP_1' } },
  { name: 'GZIP_1 int32, multi-row tiles', data: i32, shape: [NY, NX], opts: { compression: 'GZIP_1', tileShape: [2, NX] } },
  { name: 'GZIP_1 uint16 (BZERO 32768)', data: u16, shape: [NY, NX], opts: { compression: 'GZIP_1', tileShape: [3, 50] } },
  { name: 'GZIP_1 float64 lossless', data: f64, shape: [NY, NX], opts: { compression: 'GZIP_1', quantize: 'none' } },
  { name: 'GZIP_1 float32, SUBTRACTIVE_DITHER_1', data: f32, shape: [NY, NX], opts: { compression: 'GZIP_1', quantize: 4, ditherSeed: 9 } },
  { name: 'GZIP_1 float32, SUBTRACTIVE_DITHER_2', data: f32, shape: [NY, NX], opts: { compression: 'GZIP_1', quantize: 4, dither: 'SUBTRACTIVE_DITHER_2', tileShape: [3, NX] } },
  // GZIP_2: the whole stream is inflated (but for the last plane's tail), only the wanted pixels un-shuffled.
  { name: 'GZIP_2 float32 quantized', data: f32, shape: [NY, NX], opts: { compression: 'GZIP_2', quantize: 4 } },
  { name: 'GZIP_2 float32, SUBTRACTIVE_DITHER_2, multi-row tiles', data: f32, shape: [NY, NX], opts: { compression: 'GZIP_2', quantize: 4, dither: 'SUBTRACTIVE_DITHER_2', tileShape: [3, NX] } },
  { name: 'GZIP_2 int16, row tiles (2 byte planes)', data: i16, shape: [NY, NX], opts: { compression: 'GZIP_2' } },
  { name: 'GZIP_2 int32, 4×40 tiles (4 byte planes)', data: i32, shape: [NY, NX], opts: { compression: 'GZIP_2', tileShape: [4, 40] } },
  { name: 'GZIP_2 float64 lossless (8 byte planes)', data: f64, shape: [NY, NX], opts: { compression: 'GZIP_2', quantize: 'none', tileShape: [2, NX] } },
  { name: 'GZIP_2 uint8 (1 byte plane)', data: u8, shape: [NY, NX], opts: { compression: 'GZIP_2', tileShape: [3, 64] } },
  // Whole-tile codec, unchanged: the same property must hold.
  { name: 'HCOMPRESS int16', data: i16, shape: [NY, NX], opts: { compression: 'HCOMPRESS_1', tileShape: [8, NX] } },
];

async function compressed(c: Case): Promise<Uint8Array> {
  const sink = new MemorySink();
  const w = new FitsWriter(sink);
  await w.addCompressedImage(c.data, { shape: c.shape, ...c.opts });
  await w.close();
  return sink.bytes();
}

const slice = sliceCOrder;

/** Index of the first element that differs (NaN equals NaN, -0 differs from +0), or -1. */
function firstDifference(got: ArrayLike<number | bigint>, want: number[]): number {
  if (got.length !== want.length) return Math.min(got.length, want.length);
  for (let i = 0; i < want.length; i++) if (!Object.is(Number(got[i]), want[i])) return i;
  return -1;
}

interface Section {
  start: number[];
  shape: number[];
  step: number[];
}

/** Sections worth naming: edges, single columns and rows, single pixels. */
function edgeSections(dims: readonly number[]): Section[] {
  const n = dims.length;
  const last = dims.map((d) => d - 1);
  const ones = dims.map(() => 1);
  const full = (i: number) => ({ start: 0, count: dims[i]! });
  const make = (f: (i: number) => { start: number; count: number }): Section => {
    const axes = dims.map((_, i) => f(i));
    return { start: axes.map((a) => a.start), shape: axes.map((a) => a.count), step: dims.map(() => 1) };
  };
  const x = n - 1;
  return [
    make((i) => (i === x ? { start: dims[x]! - 30, count: 30 } : full(i))), // touching the right edge
    make((i) => (i === x ? { start: Math.floor(dims[x]! / 2), count: 1 } : full(i))), // one column
    make((i) => (i === x ? { start: last[x]!, count: 1 } : full(i))), // the last column
    make((i) => (i === x ? { start: 0, count: 1 } : full(i))), // the first column
    make((i) => (i === 0 ? { start: last[0]!, count: 1 } : full(i))), // the last row (plane)
    make((i) => (i === 0 ? { start: last[0]!, count: 1 } : i === x ? { start: 3, count: 20 } : full(i))), // part of the last row
    { start: last, shape: ones, step: ones }, // the very last pixel
    { start: dims.map(() => 0), shape: ones, step: ones }, // the very first pixel
    make((i) => ({ start: Math.floor(dims[i]! / 3), count: Math.max(1, Math.floor(dims[i]! / 3)) })), // a middle block
    { start: dims.map(() => 1), shape: dims.map((d) => Math.floor((d - 2) / 3) + 1), step: dims.map(() => 3) }, // strided
  ];
}

const sectionArb = (dims: readonly number[]) =>
  fc.tuple(
    ...dims.map((d) =>
      fc
        .record({ start: fc.integer({ min: 0, max: d - 1 }), step: fc.integer({ min: 1, max: 3 }), want: fc.integer({ min: 1, max: d }) })
        .map(({ start, step, want }) => ({ start, step, count: Math.max(1, Math.min(want, Math.floor((d - 1 - start) / step) + 1)) })),
    ),
  ).map((axes): Section => ({ start: axes.map((a) => a.start), shape: axes.map((a) => a.count), step: axes.map((a) => a.step) }));

const params = (p: Partial<TileCodecParams>): TileCodecParams => ({ zbitpix: 16, bytepix: 4, blocksize: 32, smooth: false, quantized: false, ...p });

describe('prefix decoders give the first pixels of the whole decode', () => {
  it('Rice, BYTEPIX 1, 2 and 4, any block size', () => {
    const arrays = { 1: Uint8Array, 2: Int16Array, 4: Int32Array } as const;
    fc.assert(
      fc.property(
        fc.constantFrom(1 as const, 2 as const, 4 as const),
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: 1, maxLength: 300 }),
        fc.nat(),
        (bytepix, blocksize, values, cut) => {
          const C = arrays[bytepix];
          const px = new C(values.length);
          values.forEach((v, i) => (px[i] = v)); // stored modulo 2^(8·BYTEPIX), as Rice accumulates
          // Smooth runs as well as noise, so every kind of block occurs.
          for (let i = 0; i < px.length; i++) if (values[i]! % 3 === 0) px[i] = px[Math.max(0, i - 1)]!;
          const dec = riceTileCodec(params({ zbitpix: bytepix * 8, bytepix, blocksize }), pakoInflater) as IntTileDecoder;
          expect(dec.prefix).toBe(true);
          const src = riceEncode(px, bytepix, blocksize);
          const n = 1 + (cut % px.length);
          const out = new C(n);
          dec.decode(src, out, 0, [px.length]);
          expect(Array.from(out)).toEqual(Array.from(px.subarray(0, n)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('PLIO', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 400 }), fc.nat(), (levels, cut) => {
        const px = Int32Array.from(levels, (v, i) => (v === 0 ? 0 : v * 1000 + (i % 7)));
        const words = plioEncode(px);
        const src = new Uint8Array(words.length * 2);
        const dv = new DataView(src.buffer);
        words.forEach((w, k) => dv.setInt16(2 * k, w));
        const dec = plioTileCodec(params({ zbitpix: 32 }), pakoInflater) as IntTileDecoder;
        expect(dec.prefix).toBe(true);
        const n = 1 + (cut % px.length);
        const out = new Int32Array(n);
        dec.decode(src, out, 0, [px.length]);
        expect(Array.from(out)).toEqual(Array.from(px.subarray(0, n)));
      }),
      { numRuns: 200 },
    );
  });

  for (const [name, inflater] of [['node:zlib', nodeInflater], ['pako', pakoInflater]] as [string, Inflater][]) {
    it(`GZIP_1 (${name}): the prefix of the inflated bytes, from a gzip or zlib stream`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 3000 }), fc.nat(), fc.integer({ min: 0, max: 3 }), fc.boolean(), (pixels, cut, noise, quantized) => {
          const raw = new Uint8Array(pixels * 4);
          const dv = new DataView(raw.buffer);
          for (let i = 0; i < pixels; i++) dv.setInt32(4 * i, Math.round(Math.sin(i / 50) * 1000 + gauss() * noise * 100));
          const src = cut % 2 === 0 ? gzipSync(raw, { level: 1 + (cut % 9) }) : deflateSync(raw, { level: 1 + (cut % 9) });
          const n = 1 + (cut % pixels);
          expect(inflater.prefix).toBeDefined();
          if (quantized) {
            const dec = gzip1TileCodec(params({ zbitpix: -32, quantized: true }), inflater) as IntTileDecoder;
            expect(dec.prefix).toBe(true);
            const out = new Int32Array(n);
            dec.decode(src, out, 0, [pixels]);
            for (let i = 0; i < n; i++) expect(out[i]).toBe(dv.getInt32(4 * i));
          } else {
            const dec = gzip1TileCodec(params({ zbitpix: 32 }), inflater);
            expect(dec.prefix).toBe(true);
            const out = new Uint8Array(n * 4);
            dec.decode(src, out as never, 0, [pixels]);
            expect(Buffer.compare(Buffer.from(out), Buffer.from(raw.subarray(0, n * 4)))).toBe(0);
          }
        }),
        { numRuns: 150 },
      );
    });

    it(`GZIP_1 (${name}): a stream cut or damaged before the needed bytes throws CORRUPT_DATA`, () => {
      const raw = new Uint8Array(8000);
      for (let i = 0; i < raw.length; i++) raw[i] = (i * 7919) % 251;
      const src = gzipSync(raw);
      const dec = gzip1TileCodec(params({ zbitpix: 16 }), inflater);
      const attempt = (s: Uint8Array, bytes: number) => {
        try {
          dec.decode(s, new Uint8Array(bytes) as never, 4, [4000]);
          return undefined;
        } catch (e) {
          return e;
        }
      };
      const cut = src.subarray(0, src.length >> 1);
      expect(isFitsError(attempt(cut, 7000), 'CORRUPT_DATA')).toBe(true);
      const damaged = src.slice();
      damaged.fill(0xff, 10, 40); // the first deflate block's header and codes
      expect(isFitsError(attempt(damaged, 100), 'CORRUPT_DATA')).toBe(true);
      expect(isFitsError(attempt(src.subarray(0, 1), 100), 'CORRUPT_DATA')).toBe(true);
    });
  }

  it('NOCOMPRESS copies the prefix and still checks the whole tile size', () => {
    const dec = nocompressTileCodec(params({ zbitpix: 16 }), pakoInflater);
    if (dec.kind !== 'bytes') throw new Error('NOCOMPRESS gives bytes');
    const src = Uint8Array.from({ length: 40 }, (_, i) => i);
    const out = new Uint8Array(14);
    dec.decode(src, out, 0, [4, 5]);
    expect(Array.from(out)).toEqual(Array.from(src.subarray(0, 14)));
    expect(() => dec.decode(src.subarray(0, 38), out, 3, [4, 5])).toThrow(/38 bytes, expected 40/);
  });

  it('Rice: a stream cut before the last needed pixel throws CORRUPT_DATA', () => {
    const px = Int16Array.from({ length: 500 }, (_, i) => ((i * 7919) % 5003) - 2500);
    const src = riceEncode(px, 2, 32);
    const dec = riceTileCodec(params({ bytepix: 2 }), pakoInflater) as IntTileDecoder;
    const cut = src.subarray(0, src.length >> 1);
    // The first pixels are in the bytes kept; the last ones are not.
    dec.decode(cut, new Int16Array(20), 5, [500]);
    let error: unknown;
    try {
      dec.decode(cut, new Int16Array(400), 5, [500]);
    } catch (e) {
      error = e;
    }
    expect(isFitsError(error, 'CORRUPT_DATA')).toBe(true);
  });
});

let dir: string;
let pool: WorkerPool;

beforeAll(async () => {
  // The Node decode worker script (inside the repository, so its imports resolve), as bench/compressed-read.mjs builds it.
  mkdirSync(join(repoRoot, 'tmp'), { recursive: true });
  dir = mkdtempSync(join(repoRoot, 'tmp', 'cutout-prefix-'));
  await build({
    entry: { 'decode-worker-node': join(repoRoot, 'src/node/decode-worker.ts') },
    outDir: dir,
    format: ['esm'],
    platform: 'node',
    target: 'es2022',
    dts: false,
    silent: true,
    sourcemap: false,
    config: false,
  });
  pool = createNodeWorkerPool({ size: 2, workerUrl: pathToFileURL(join(dir, 'decode-worker-node.js')) });
}, 120_000);

afterAll(async () => {
  await pool?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A runtime without adapters: GZIP tiles inflate with pako (the web runtime's inflater). */
const pakoRuntime = { name: 'pako-only' };

describe('a section equals the same section of the whole decoded image', () => {
  const cases: { name: string; bytes: () => Promise<Uint8Array>; shape?: number[]; pako?: boolean }[] = [
    ...CASES.map((c) => ({ name: c.name, bytes: () => compressed(c), shape: c.shape })),
    ...CASES.filter((c) => c.opts.compression === 'GZIP_1').map((c) => ({ name: `${c.name}, inflated by pako`, bytes: () => compressed(c), shape: c.shape, pako: true })),
    // Quantized tiles with lossless GZIP_COMPRESSED_DATA fallback tiles.
    { name: 'corpus rice_f32_dither2_zeros.fits', bytes: async () => new Uint8Array(readFileSync(corpusPath('compressed/astropy/rice_f32_dither2_zeros.fits'))) },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const file = await open(await c.bytes(), c.pako ? { runtime: pakoRuntime } : {});
      const hdu = await file.hdu(1);
      const full = await hdu.readImage({ workers: false });
      if (c.shape) expect(full.shape).toEqual(c.shape);
      const dims = full.shape;
      const check = async (s: Section, workers: false | WorkerPool) => {
        const got = await hdu.readImage({ ...s, workers });
        expect(got.dtype).toBe(full.dtype);
        const at = firstDifference(got.data, slice(full.data, dims, s.start, s.shape, s.step));
        expect(at, `${JSON.stringify(s)} (${workers ? 'workers' : 'calling thread'}) differs at element ${at}`).toBe(-1);
      };
      for (const s of edgeSections(dims)) {
        await check(s, false);
        if (!c.pako) await check(s, pool);
      }
      await fc.assert(
        fc.asyncProperty(sectionArb(dims), async (s) => {
          await check(s, false);
        }),
        { numRuns: 60 },
      );
      await file.close();
    });
  }

  it('workers decode prefixes too', async () => {
    // Enough row tiles that the workers take some of them (the calling thread decodes too).
    const side = 1024;
    const px = Int16Array.from({ length: side * side }, (_, i) => ((i * 7919) % 5003) - 2500);
    const file = await open(await compressed({ name: 'big', data: px, shape: [side, side], opts: { compression: 'RICE_1' } }));
    const hdu = await file.hdu(1);
    const s: Section = { start: [100, 301], shape: [900, 77], step: [1, 1] };
    const want = slice(px, [side, side], s.start, s.shape, s.step);
    let workerTiles = 0;
    for (let k = 0; k < 10 && workerTiles === 0; k++) {
      const got = await hdu.readImage({ ...s, workers: pool });
      expect(firstDifference(got.data, want)).toBe(-1);
      workerTiles += lastDecodeStats.workerTiles;
    }
    expect(workerTiles).toBeGreaterThan(0);
    await file.close();
  });
});

/** The file's bytes and where tile `tile`'s COMPRESSED_DATA descriptor (1PB: count, heap offset) is. */
async function descriptorOf(bytes: Uint8Array, tile: number): Promise<{ at: number; heap: number; length: number; offset: number }> {
  const hdu = await new FitsFile(new MemorySource(bytes)).hdu(1);
  expect(String(hdu.header.get('TTYPE1')).trim()).toBe('COMPRESSED_DATA');
  expect(String(hdu.header.get('TFORM1'))).toMatch(/^1P/);
  const rowBytes = hdu.layout.naxes[0]!;
  const at = hdu.dataOffset + tile * rowBytes;
  const dv = new DataView(bytes.buffer, bytes.byteOffset + at, 8);
  return { at, heap: hdu.dataOffset + rowBytes * hdu.layout.naxes[1]!, length: dv.getInt32(0), offset: dv.getInt32(4) };
}

describe('corrupt tiles', () => {
  const rice: Case = { name: 'rice', data: i16, shape: [NY, NX], opts: { compression: 'RICE_1' } };

  for (const c of [rice, { ...rice, name: 'gzip1', opts: { compression: 'GZIP_1' } } as Case]) {
  it(`${c.opts.compression}: a tile cut short where the section needs it throws a FitsError, inline and in workers`, async () => {
    const bytes = await compressed(c);
    const d = await descriptorOf(bytes, 7);
    // Keep 12 bytes of tile 7's stream: enough for its first pixels only.
    new DataView(bytes.buffer, bytes.byteOffset + d.at, 4).setInt32(0, 12);
    const hdu = await new FitsFile(new MemorySource(bytes)).hdu(1);
    for (const workers of [false, pool] as const) {
      // Columns 100…119 of row 7: far beyond the pixels 12 bytes hold.
      const e = await hdu.readImage({ start: [5, 100], shape: [4, 20], workers }).catch((x: unknown) => x);
      expect(isFitsError(e, 'CORRUPT_DATA')).toBe(true);
      expect((e as { tile?: number }).tile).toBe(7);
    }
    // A section of other rows does not touch tile 7.
    expect((await hdu.readImage({ start: [8, 100], shape: [4, 20], workers: false })).shape).toEqual([4, 20]);
  });
  }

  it('garbage in the needed prefix throws a FitsError', async () => {
    const bytes = await compressed({ ...rice, data: i32, opts: { compression: 'RICE_1', tileShape: [2, NX] } });
    const d = await descriptorOf(bytes, 3);
    // Block codes 27…31 do not exist for 32-bit pixels: 0xff bytes from just after the first pixel.
    bytes.fill(0xff, d.heap + d.offset + 4, d.heap + d.offset + d.length);
    const hdu = await new FitsFile(new MemorySource(bytes)).hdu(1);
    const e = await hdu.readImage({ start: [6, 0], shape: [2, 10], workers: false }).catch((x: unknown) => x);
    expect(isFitsError(e, 'CORRUPT_DATA')).toBe(true);
    expect((e as { tile?: number }).tile).toBe(3);
  });

  it('corruption only in the skipped tail of a tile is not seen by a section that stops before it (documented)', async () => {
    const bytes = await compressed(rice);
    const d = await descriptorOf(bytes, 7);
    new DataView(bytes.buffer, bytes.byteOffset + d.at, 4).setInt32(0, d.length - 40);
    const hdu = await new FitsFile(new MemorySource(bytes)).hdu(1);
    const got = await hdu.readImage({ start: [7, 0], shape: [1, 10], workers: false });
    expect(Array.from(got.data as Int16Array)).toEqual(Array.from(i16.subarray(7 * NX, 7 * NX + 10)));
    // The whole image (and any section that needs the tail) still fails.
    const e = await hdu.readImage({ workers: false }).catch((x: unknown) => x);
    expect(isFitsError(e, 'CORRUPT_DATA')).toBe(true);
    expect((e as { tile?: number }).tile).toBe(7);
  });
});
