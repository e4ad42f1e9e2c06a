/**
 * HCOMPRESS_1 on the GPU (hcompress.wgsl.ts, through tiles-gpu.ts) against
 * the CPU decoder (hcompress.ts), bit for bit:
 *  - every HCOMPRESS_1 file of the corpus, whole and as a section, with every
 *    tile decoded by the kernel;
 *  - the CFITSIO-written codec fixtures (direct and quadtree planes, SMOOTH,
 *    int32 values near ±2^31, 1×1 / 1×N / N×1 tiles) straight through the kernel;
 *  - random images encoded by the project's encoder (int16 / int32 ranges with
 *    extremes, lossless and lossy, SMOOTH on and off, odd tile shapes,
 *    sections, unaligned tiles, quantized floats);
 *  - corrupt streams: the kernel flags exactly the tiles hcompress.ts rejects,
 *    writes nothing outside its tile, and a corrupt tile gives the CPU's error;
 *  - tiles it must leave to the CPU (values beyond its exactness bound, scratch
 *    beyond the limit) and scratch shared by several dispatches.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gpuCtx, haveGpu, noGpuReason, watchFallbacks } from './gpu-setup.js';
import { bitDiffs } from './compare.js';
import { decodeBoth, stageTiles, type Built, type Outcome } from './tile-jobs.js';
import { HCOMPRESS_GPU_LIMITS, type TileDecodeReport } from '../../src/tiled/tiles-gpu.js';
import { HC_CORRUPT, HC_OK, HC_USE_CPU, HCOMPRESS_BINDINGS, HCOMPRESS_JOB_WORDS, HCOMPRESS_WGSL, hcompressScratchWords } from '../../src/codecs/hcompress/decode.wgsl.js';
import type { TileJobSpec } from '../../src/tiled/tile-decode.js';
import { allTileCodecs } from '../../src/codecs/registry-all.js';
import { pakoInflater } from '../../src/codecs/gzip/inflate.js';
import { hcompressEncode } from '../../src/codecs/hcompress/encode.js';
import type { PixelScaling } from '../../src/image/pixel-type.js';
import { U } from '../../src/gpu/constants.js';
import { readBack, runPasses, wordsBuffer } from '../../src/gpu/dispatch.js';
import { FitsError } from '../../src/core/errors.js';
import { open } from '../helpers/fitsflow.js';
import type { Hdu } from '../../src/file/hdu.js';
import { onGpuEvent } from '../../src/gpu/device.js';
import { corpusPath, loadManifest } from '../helpers/corpus.js';
import { xorshift32 } from '../helpers/xorshift.js';


// ------------------------------------------------------------------ inputs

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/codecs/hcompress');
interface FixtureCase {
  name: string;
  nx: number;
  ny: number;
  scale: number;
  smooth: boolean;
}
const fixtures = (JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8')) as { cases: FixtureCase[] }).cases;
const fixtureStream = (c: FixtureCase) => new Uint8Array(readFileSync(join(FIXTURES, `${c.name}.hc`)));

/** Corpus files with an HCOMPRESS_1 HDU. */
const corpusFiles = loadManifest()
  .files.map((f) => f.path)
  .filter((p) => readFileSync(corpusPath(p)).includes("'HCOMPRESS_1'"));

/** Pixel values: smooth ramps, noise, runs and the range's extremes, wrapped into [lo, hi]. */
function pixels(seed: number, n: number, lo: number, hi: number): number[] {
  const r = xorshift32(seed);
  const span = hi - lo + 1;
  const out: number[] = [];
  let v = lo + (r() % span);
  for (let i = 0; i < n; i++) {
    const m = r() % 8;
    if (m < 3) v += (r() % 9) - 4;
    else if (m < 5) v += (r() % 2001) - 1000;
    else if (m === 5) v = r() % 2 ? lo : hi;
    else if (m === 6) v = lo + ((r() * 65536 + r()) % span);
    v = Math.min(hi, Math.max(lo, v));
    out.push(v);
  }
  return out;
}

const RANGES = { int16: [-32768, 32767], int32: [-(2 ** 31), 2 ** 31 - 1], small: [-40, 40] } as const;

const rawScaling = (zbitpix: 16 | 32): PixelScaling => ({
  bitpix: zbitpix,
  raw: zbitpix === 16 ? 'int16' : 'int32',
  dtype: zbitpix === 16 ? 'int16' : 'int32',
  mode: 'raw',
  bscale: 1,
  bzero: 0,
  blank: undefined,
});

// ------------------------------------------------------------------ the kernel alone

interface Stream {
  bytes: Uint8Array;
  pixels: number;
  /** Row length (the tile's ZTILE1 extent). */
  nx: number;
}

type CpuResult = { ints: Int32Array } | { error: string };

/** What the CPU path does with one tile: hcompress.ts plus codec-registry's row-length check. */
function cpuDecode(s: Stream, smooth: boolean): CpuResult {
  const dec = allTileCodecs(pakoInflater).decoder('HCOMPRESS_1', { zbitpix: 32, bytepix: 4, blocksize: 32, smooth, quantized: false });
  const ints = new Int32Array(s.pixels);
  try {
    if (dec.kind !== 'int') throw new Error('not an integer decoder');
    dec.decode(s.bytes, ints, 5, [s.pixels / s.nx, s.nx]);
    return { ints };
  } catch (e) {
    return { error: e instanceof FitsError ? `${e.code}: ${e.message}` : String(e) };
  }
}

const GUARD = 7;
const SENTINEL = 0x5a5a5a5a;

/**
 * Runs the HCOMPRESS kernel on `streams` (one dispatch; tiles at unaligned
 * offsets, each output window fenced by sentinel words). Returns each tile's
 * status and pixels, and whether every word outside the windows is intact.
 */
async function runKernel(streams: Stream[], smooth: boolean): Promise<{ status: number[]; ints: Int32Array[]; fencesIntact: boolean }> {
  const ctx = gpuCtx!;
  let at = 0;
  const offs: number[] = [];
  for (const [k, s] of streams.entries()) {
    at += k % 5;
    offs.push(at);
    at += s.bytes.length;
  }
  const raw = new Uint8Array(Math.ceil((at + 8) / 4) * 4).fill(0xa5);
  streams.forEach((s, k) => raw.set(s.bytes, offs[k]));
  const jobs: number[] = [];
  let intsAt = GUARD;
  let scratchAt = 0;
  for (const [k, s] of streams.entries()) {
    jobs.push(offs[k]!, s.bytes.length, intsAt, s.pixels, s.nx, scratchAt);
    intsAt += s.pixels + GUARD;
    scratchAt += hcompressScratchWords(s.pixels, s.nx);
  }
  const bufRaw = ctx.pool.upload(raw);
  const bufInts = ctx.pool.upload(new Int32Array(intsAt).fill(SENTINEL), U.STORAGE | U.COPY_SRC);
  const bufJobs = ctx.pool.upload(Uint32Array.from(jobs));
  const bufStatus = ctx.pool.acquire(Math.max(16, streams.length * 4), U.STORAGE | U.COPY_SRC);
  const bufParams = wordsBuffer(ctx, [0, streams.length, smooth ? 1 : 0]);
  const bufScratch = ctx.pool.acquire(Math.max(16, scratchAt * 4), U.STORAGE);
  try {
    const pipeline = await ctx.pipelines.get(HCOMPRESS_WGSL, 'main', {}, HCOMPRESS_BINDINGS);
    await runPasses(ctx, [{ pipeline, buffers: [bufRaw, bufInts, bufJobs, bufStatus, bufParams, bufScratch], invocations: streams.length }]);
    const st = await readBack(ctx, bufStatus, streams.length * 4);
    const ib = await readBack(ctx, bufInts, intsAt * 4);
    const all = new Int32Array(ib.buffer, ib.byteOffset, intsAt);
    const ints: Int32Array[] = [];
    let fencesIntact = all.subarray(0, GUARD).every((x) => x === SENTINEL);
    for (let k = 0; k < streams.length; k++) {
      const base = jobs[k * HCOMPRESS_JOB_WORDS + 2]!;
      const n = streams[k]!.pixels;
      ints.push(all.slice(base, base + n));
      fencesIntact &&= all.subarray(base + n, base + n + GUARD).every((x) => x === SENTINEL);
    }
    return { status: Array.from(new Uint32Array(st.buffer, st.byteOffset, streams.length)), ints, fencesIntact };
  } finally {
    for (const b of [bufRaw, bufInts, bufJobs, bufStatus, bufParams, bufScratch]) ctx.pool.release(b);
  }
}

/**
 * The kernel against the CPU on each stream: CORRUPT exactly when the CPU
 * throws; otherwise the CPU's pixels (OK), or USE_CPU. Returns the statuses.
 */
async function expectKernelMatchesCpu(streams: Stream[], smooth: boolean): Promise<number[]> {
  const got = await runKernel(streams, smooth);
  expect(got.fencesIntact, 'words outside the tiles were written').toBe(true);
  streams.forEach((s, k) => {
    const cpu = cpuDecode(s, smooth);
    const status = got.status[k];
    if ('error' in cpu) expect(status, `stream ${k}: the CPU says ${cpu.error}`).toBe(HC_CORRUPT);
    else {
      expect([HC_OK, HC_USE_CPU], `stream ${k}: the CPU decodes it`).toContain(status);
      if (status === HC_OK) expect(bitDiffs(got.ints[k]!, cpu.ints), `stream ${k}`).toEqual([]);
    }
  });
  return got.status;
}

/** An encoded tile of random pixels. */
function encoded(rows: number, cols: number, range: keyof typeof RANGES, scale: number, seed: number): Stream {
  const [lo, hi] = RANGES[range];
  return { bytes: hcompressEncode(pixels(seed, rows * cols, lo, hi), rows, cols, scale), pixels: rows * cols, nx: cols };
}

function withHeader(src: Uint8Array, edit: (view: DataView) => void): Uint8Array {
  const copy = src.slice();
  edit(new DataView(copy.buffer));
  return copy;
}

// ------------------------------------------------------------------ whole jobs (decodeTilesGpu)

/** A 2-D image of `dims` in tiles of `tile`, each tile's bytes from `encode(t, rows, cols)`, with `gap` bytes before each. */
function build(
  dims: [number, number],
  tile: [number, number],
  spec: Pick<TileJobSpec, 'zbitpix' | 'smooth' | 'quantized' | 'method' | 'scaling'>,
  encode: (t: number, rows: number, cols: number) => Uint8Array,
  gaps: number[],
  section?: { start: number[]; shape: number[]; step: number[] },
  zscale = NaN,
): Built {
  const { counts, tiles, staging } = stageTiles(dims, tile, encode, gaps, (t) => [zscale * (1 + t / 8), -t, NaN]);
  const sec = section ?? { start: [0, 0], shape: [...dims], step: [1, 1] };
  return {
    spec: { hdu: 1, codec: 'HCOMPRESS_1', bytepix: 4, blocksize: 32, ditherSeed: 17, ...spec, dims: [...dims], tile: [...tile], counts, ...sec },
    tiles,
    staging,
  };
}

const both = (b: Built) => decodeBoth(gpuCtx!, b);

/** GPU and CPU give the same pixels or the same error; returns the GPU's report (undefined on error). */
function expectSame([gpu, cpu]: [Outcome, Outcome]): TileDecodeReport | undefined {
  if ('error' in cpu || 'error' in gpu) {
    expect(gpu).toEqual(cpu);
    return undefined;
  }
  expect(bitDiffs(gpu.data, cpu.data)).toEqual([]);
  return gpu.report;
}

/** A single-tile job holding `bytes` as a rows × cols tile. */
function singleTile(bytes: Uint8Array, rows: number, cols: number, smooth: boolean): Built {
  return build([rows, cols], [rows, cols], { zbitpix: 32, smooth, quantized: false, method: 'NO_DITHER', scaling: rawScaling(32) }, () => bytes, [3]);
}

// ------------------------------------------------------------------ tests

describe.runIf(haveGpu)('HCOMPRESS_1 corpus files on the GPU = CPU', () => {
  it('finds the corpus HCOMPRESS_1 files', () => {
    expect(corpusFiles.length).toBeGreaterThanOrEqual(9);
  });

  async function compare(hdu: Hdu, section?: { start: number[]; shape: number[]; step: number[] }) {
    const cpu = await hdu.readImage({ ...(section ?? {}), workers: false });
    const gpu = await hdu.readImage({ ...(section ?? {}), gpu: true } as never);
    expect(gpu.shape).toEqual(cpu.shape);
    expect(bitDiffs(gpu.data, cpu.data)).toEqual([]);
  }

  for (const path of corpusFiles) {
    it(path, async () => {
      const fallbacks = watchFallbacks();
      const reasons: string[] = [];
      const stop = onGpuEvent((e) => e.type === 'plan' && e.operation === 'compressed-image' && reasons.push(`${e.target}: ${e.reason}`));
      const file = await open(corpusPath(path));
      try {
        for (const hdu of await file.hdus()) {
          if (hdu.kind !== 'compressed-image' || !hdu.shape || hdu.shape.some((n) => n === 0)) continue;
          await compare(hdu);
          const start = hdu.shape.map((n) => Math.floor(n / 3));
          const step = hdu.shape.map((_, i) => 1 + (i % 2));
          const shape = hdu.shape.map((n, i) => Math.floor((n - start[i]! - 1) / step[i]!) + 1);
          await compare(hdu, { start, shape, step });
        }
      } finally {
        fallbacks.stop();
        stop();
        await file.close();
      }
      expect(fallbacks.events).toEqual([]);
      const ran = reasons.filter((r) => r.startsWith('gpu: ') && /tiles/.test(r));
      expect(ran.length).toBeGreaterThan(0);
      // Every tile by the kernel: gpuTiles > 0, cpuTiles === 0.
      for (const r of ran) {
        expect(r).toMatch(/[1-9]\d* tiles decoded by the HCOMPRESS_1 GPU kernel/);
        expect(r).not.toMatch(/on the CPU/);
      }
    });
  }
});

describe.runIf(haveGpu)('the HCOMPRESS_1 kernel = hcompress.ts', () => {
  it('decodes every CFITSIO-written fixture (direct and quadtree planes, SMOOTH, int32 near ±2^31)', async () => {
    for (const smooth of [false, true]) {
      const cases = fixtures.filter((c) => c.smooth === smooth);
      const streams = cases.map((c) => ({ bytes: fixtureStream(c), pixels: c.nx * c.ny, nx: c.nx }));
      const status = await expectKernelMatchesCpu(streams, smooth);
      expect(status.every((s) => s === HC_OK)).toBe(true);
      // And the other SMOOTH setting (a no-op for lossless streams, a change for lossy ones).
      expect((await expectKernelMatchesCpu(streams, !smooth)).every((s) => s === HC_OK)).toBe(true);
    }
  });

  it('decodes tiny and odd shapes, all ranges, lossless and lossy, in one dispatch', async () => {
    const streams: Stream[] = [];
    let seed = 1;
    for (const [rows, cols] of [[1, 1], [1, 2], [2, 1], [1, 9], [9, 1], [2, 2], [3, 3], [5, 8], [8, 5], [1, 64], [64, 1], [17, 33], [31, 2], [4, 129]]) {
      for (const range of ['small', 'int16', 'int32'] as const) {
        for (const scale of [0, 1, 3, 64]) streams.push(encoded(rows!, cols!, range, scale, seed++));
      }
    }
    for (const smooth of [false, true]) {
      const status = await expectKernelMatchesCpu(streams, smooth);
      expect(status.every((s) => s === HC_OK)).toBe(true);
    }
  });

  it('decodes larger tiles (deep transform levels) at int32 extremes, lossless and lossy, with SMOOTH', async () => {
    const streams: Stream[] = [];
    for (const [rows, cols] of [[256, 256], [64, 512], [512, 64], [129, 200]]) {
      for (const scale of [0, 37]) streams.push(encoded(rows!, cols!, 'int32', scale, rows! + cols! + scale));
    }
    for (const smooth of [false, true]) expect(await expectKernelMatchesCpu(streams, smooth)).toEqual(streams.map(() => HC_OK));
  });

  it('flags exactly the streams hcompress.ts rejects: truncations, bit flips, headers, random bytes', async () => {
    const bases: Stream[] = [
      ...fixtures.filter((c) => c.nx * c.ny <= 65 * 64).map((c) => ({ bytes: fixtureStream(c), pixels: c.nx * c.ny, nx: c.nx })),
      encoded(16, 24, 'int16', 0, 7),
      encoded(7, 13, 'int32', 5, 8),
    ];
    const streams: Stream[] = [];
    // Every truncation of a few streams.
    for (const base of [bases[0]!, bases[bases.length - 1]!, bases.find((b) => b.pixels === 9 * 4)!]) {
      for (let len = 0; len < base.bytes.length; len++) streams.push({ ...base, bytes: base.bytes.subarray(0, len) });
    }
    // Header fields: magic, shape (incl. transposed and wrapping products), scale, h0, plane counts, format codes.
    const b = bases[bases.length - 2]!; // 16 × 24
    for (const [rows, cols] of [[0, 384], [24, 16], [16, 24], [-16, -24], [0x7fffffff, 0x7fffffff], [1 << 30, 1 << 30], [0x10000, 0x10000 + 384 / 16], [32, 12]]) {
      streams.push({ ...b, bytes: withHeader(b.bytes, (v) => (v.setInt32(2, rows!), v.setInt32(6, cols!))) });
    }
    streams.push({ ...b, bytes: withHeader(b.bytes, (v) => v.setUint8(1, 0x98)) });
    for (const planes of [0, 1, 52, 53, 255]) streams.push({ ...b, bytes: withHeader(b.bytes, (v) => v.setUint8(23, planes)) });
    for (const high of [1 << 21, -(1 << 21) - 1, (1 << 21) - 1, -(1 << 21), 0x7fffffff]) streams.push({ ...b, bytes: withHeader(b.bytes, (v) => v.setInt32(14, high)) });
    for (const format of [1, 5, 14]) streams.push({ ...b, bytes: withHeader(b.bytes, (v) => v.setUint8(25, (format << 4) | (v.getUint8(25) & 15))) });
    // A short stream declaring a big tile with 52 planes everywhere: bounded, corrupt.
    const big = new Uint8Array(64).fill(0xff);
    big.set([0xdd, 0x99, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 52, 52, 52]);
    streams.push({ bytes: big, pixels: 1024 * 1024, nx: 1024 });
    // Random flips and cuts.
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ which: fc.nat(), flips: fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), cut: fc.nat(), body: fc.uint8Array({ maxLength: 200 }) }),
          { minLength: 40, maxLength: 80 },
        ),
        fc.boolean(),
        async (edits, smooth) => {
          const all = [...streams];
          for (const e of edits) {
            const base = bases[e.which % bases.length]!;
            if (e.cut % 7 === 6) {
              // Random bytes after the magic code, for this base's shape.
              const bytes = new Uint8Array(2 + e.body.length);
              bytes.set([0xdd, 0x99]);
              bytes.set(e.body, 2);
              all.push({ ...base, bytes });
              continue;
            }
            const bytes = base.bytes.slice();
            for (const f of e.flips) bytes[f % bytes.length] ^= 1 << (f % 8);
            const end = e.cut % 3 === 0 ? e.cut % (bytes.length + 1) : bytes.length;
            all.push({ ...base, bytes: bytes.subarray(0, end) });
          }
          const start = performance.now();
          await expectKernelMatchesCpu(all, smooth);
          expect(performance.now() - start).toBeLessThan(60_000);
        },
      ),
      { numRuns: 6 },
    );
  });

  it('leaves to the CPU the values it cannot prove exact in float64, and only those', async () => {
    const b = encoded(16, 24, 'int16', 0, 11);
    const streams: Stream[] = [
      // h0 near 2^52 (the CPU holds it exactly, but the transform's sums would not stay below 2^53).
      { ...b, bytes: withHeader(b.bytes, (v) => v.setInt32(14, (1 << 20) + 5)) },
      // A scale that pushes h0 = 2^20 beyond 2^48 when undigitized.
      { ...b, bytes: withHeader(b.bytes, (v) => (v.setInt32(10, 1 << 30), v.setInt32(14, 0), v.setInt32(18, 1 << 20))) },
      // The largest scale (SMOOTH then interpolates at huge magnitudes).
      { ...b, bytes: withHeader(b.bytes, (v) => (v.setInt32(10, 0x7fffffff), v.setInt32(14, 0), v.setInt32(18, 1 << 20))) },
      // Within the bound (h0 · scale = 2^47): decoded on the GPU.
      { ...b, bytes: withHeader(b.bytes, (v) => (v.setInt32(10, 1 << 27), v.setInt32(14, 0), v.setInt32(18, 1 << 20))) },
    ];
    for (const smooth of [false, true]) {
      const status = await expectKernelMatchesCpu(streams, smooth);
      expect(status).toEqual([HC_USE_CPU, HC_USE_CPU, HC_USE_CPU, HC_OK]);
      const [gpu, cpu] = await both(singleTile(streams[1]!.bytes, 16, 24, smooth));
      expect(expectSame([gpu, cpu])).toEqual({ gpuTiles: 0, cpuTiles: 1, rawTiles: 0 });
    }
  });
});

describe.runIf(haveGpu)('HCOMPRESS_1 images: decodeTilesGpu = decodeTiles', () => {
  const sectionArb = (dims: [number, number]) =>
    fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })).map(([a, b, sy, sx]) => {
      const y0 = a % dims[0];
      const x0 = b % dims[1];
      return { start: [y0, x0], shape: [Math.floor((dims[0] - 1 - y0) / sy) + 1, Math.floor((dims[1] - 1 - x0) / sx) + 1], step: [sy, sx] };
    });

  it('property: random int16 / int32 images, lossless and lossy, SMOOTH, odd tiles (incl. 1×N, N×1), sections', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(16, 32) as fc.Arbitrary<16 | 32>,
        fc.constantFrom('full', 'full', 'small') as fc.Arbitrary<'full' | 'small'>,
        fc.oneof(fc.constant(0), fc.constant(1), fc.integer({ min: 2, max: 9 }), fc.integer({ min: 10, max: 5000 })),
        fc.boolean(),
        fc.tuple(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 90 })),
        fc.oneof(
          fc.tuple(fc.integer({ min: 1, max: 33 }), fc.integer({ min: 1, max: 45 })),
          fc.tuple(fc.constant(1), fc.integer({ min: 1, max: 90 })),
          fc.tuple(fc.integer({ min: 1, max: 70 }), fc.constant(1)),
        ),
        fc.array(fc.nat({ max: 7 }), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        fc.boolean(),
        async (zbitpix, rangeKind, scale, smooth, [ny, nx], [ty, tx], gaps, seed, useSection) => {
          const dims: [number, number] = [ny, nx];
          const range = rangeKind === 'small' ? 'small' : zbitpix === 16 ? 'int16' : 'int32';
          const b = build(
            dims,
            [Math.min(ty, ny), Math.min(tx, nx)],
            { zbitpix, smooth, quantized: false, method: 'NO_DITHER', scaling: rawScaling(zbitpix) },
            (t, rows, cols) => encoded(rows, cols, range, scale, seed + t * 7919).bytes,
            gaps,
            useSection ? fc.sample(sectionArb(dims), { numRuns: 1, seed })[0] : undefined,
          );
          const report = expectSame(await both(b));
          expect(report?.gpuTiles).toBeGreaterThan(0);
          expect(report?.cpuTiles).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('quantized float tiles (SUBTRACTIVE_DITHER_1) dequantize to the same float32 / float64 bits', async () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const zbitpix = dtype === 'float32' ? -32 : -64;
      const scaling: PixelScaling = { bitpix: zbitpix, raw: dtype, dtype, mode: 'raw', bscale: 1, bzero: 0, blank: undefined };
      const b = build(
        [37, 50],
        [10, 50],
        { zbitpix, smooth: true, quantized: true, method: 'SUBTRACTIVE_DITHER_1', scaling },
        (t, rows, cols) => encoded(rows, cols, 'int16', 4, 99 + t).bytes,
        [0, 5],
        undefined,
        0.0123,
      );
      const report = expectSame(await both(b));
      expect(report).toEqual({ gpuTiles: 4, cpuTiles: 0, rawTiles: 0 });
    }
  });

  it('property: a corrupt or truncated tile gives the CPU path’s FitsError', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(fc.integer({ min: 2, max: 40 }), fc.integer({ min: 2, max: 60 })),
        fc.tuple(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 30 })),
        fc.nat(),
        fc.constantFrom('cut', 'flip', 'flips', 'shape', 'magic'),
        fc.boolean(),
        async ([ny, nx], [ty, tx], seed, how, smooth) => {
          const tile: [number, number] = [Math.min(ty, ny), Math.min(tx, nx)];
          const counts = Math.ceil(ny / tile[0]) * Math.ceil(nx / tile[1]);
          const bad = seed % counts;
          const b = build(
            [ny, nx],
            tile,
            { zbitpix: 16, smooth, quantized: false, method: 'NO_DITHER', scaling: rawScaling(16) },
            (t, rows, cols) => {
              const bytes = encoded(rows, cols, 'int16', seed % 3 === 0 ? 0 : 9, seed + t).bytes;
              if (t !== bad) return bytes;
              switch (how) {
                case 'cut':
                  return bytes.subarray(0, seed % bytes.length);
                case 'flip':
                  return withHeader(bytes, (v) => v.setUint8(seed % bytes.length, v.getUint8(seed % bytes.length) ^ (1 << seed % 8)));
                case 'flips':
                  return withHeader(bytes, (v) => {
                    for (let k = 0; k < 5; k++) v.setUint8((seed * (k + 3)) % bytes.length, (seed >> k) & 0xff);
                  });
                case 'shape':
                  return withHeader(bytes, (v) => (v.setInt32(2, cols), v.setInt32(6, rows))); // transposed
                default:
                  return withHeader(bytes, (v) => v.setUint8(0, 0));
              }
            },
            [1, 2],
          );
          expectSame(await both(b));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('a short stream that declares a big tile fails fast, with the CPU’s error', async () => {
    const big = new Uint8Array(64).fill(0xff);
    big.set([0xdd, 0x99, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 52, 52, 52]);
    const start = performance.now();
    const [gpu, cpu] = await both(singleTile(big, 512, 512, true));
    expect('error' in cpu).toBe(true);
    expect(gpu).toEqual(cpu);
    expect(performance.now() - start).toBeLessThan(30_000);
  });

  it('shares the scratch across dispatches, and leaves tiles beyond the scratch limit to the CPU', async () => {
    const saved = { ...HCOMPRESS_GPU_LIMITS };
    try {
      const make = () =>
        build(
          [45, 64],
          [9, 20],
          { zbitpix: 32, smooth: true, quantized: false, method: 'NO_DITHER', scaling: rawScaling(32) },
          (t, rows, cols) => encoded(rows, cols, 'int32', t % 2 ? 0 : 6, 500 + t).bytes,
          [0, 1, 2, 3],
        );
      // About two tiles per dispatch.
      HCOMPRESS_GPU_LIMITS.batchBytes = 2 * 4 * hcompressScratchWords(9 * 20, 20);
      expect(expectSame(await both(make()))).toEqual({ gpuTiles: 20, cpuTiles: 0, rawTiles: 0 });
      // Full-width tiles (9 × 20) over the limit, edge tiles (9 × 4) under it.
      HCOMPRESS_GPU_LIMITS.tileBytes = 4 * hcompressScratchWords(9 * 4, 4);
      expect(expectSame(await both(make()))).toEqual({ gpuTiles: 5, cpuTiles: 15, rawTiles: 0 });
    } finally {
      Object.assign(HCOMPRESS_GPU_LIMITS, saved);
    }
  });
});

describe.skipIf(haveGpu)('HCOMPRESS_1 on the GPU', () => {
  it(`skipped: ${noGpuReason}`, () => {});
});
