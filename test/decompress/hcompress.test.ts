import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hcompressDecode } from '../../src/codecs/hcompress/decode.js';
import { type FitsError, isFitsError } from '../../src/core/errors.js';

// ------------------------------------------------------------------ fixtures

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/codecs/hcompress');

/** One entry of manifest.json, written by test/fixtures/codecs/make_hcompress.py. */
interface FixtureCase {
  name: string;
  source: string;
  tile?: number;
  /** [ZTILE1, ZTILE2] of the file the tile came from. */
  ztile?: [number, number];
  smooth: boolean;
  cfitsio: 'fits_hdecompress' | 'fits_hdecompress64';
  nx: number;
  ny: number;
  scale: number;
  sha256: string;
  min: number;
  max: number;
  sum: number;
  head: number[];
  values?: number[];
}

const manifest = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8')) as { cases: FixtureCase[] };
const cases = manifest.cases;
const streamCache = new Map<string, Uint8Array>();
/** A fresh copy of the case's compressed bytes. */
function streamOf(c: FixtureCase): Uint8Array {
  let bytes = streamCache.get(c.name);
  if (!bytes) streamCache.set(c.name, (bytes = new Uint8Array(readFileSync(join(FIXTURES, `${c.name}.hc`)))));
  return bytes.slice();
}
const caseNamed = (name: string) => cases.find((c) => c.name === name)!;

/** SHA-256 of the pixels as int32 little-endian bytes (the manifest's digest). */
function sha256Int32(pixels: Int32Array): string {
  const bytes = new Uint8Array(pixels.length * 4);
  const view = new DataView(bytes.buffer);
  pixels.forEach((v, i) => view.setInt32(i * 4, v, true));
  return createHash('sha256').update(bytes).digest('hex');
}

function decodeCase(c: FixtureCase, smooth = c.smooth): Int32Array {
  const out = new Int32Array(c.nx * c.ny);
  hcompressDecode(streamOf(c), out, smooth, 0);
  return out;
}

/** Expects `fn` to throw FitsError CORRUPT_DATA. */
function expectCorrupt(fn: () => unknown): FitsError {
  try {
    fn();
  } catch (e) {
    expect(isFitsError(e, 'CORRUPT_DATA'), String(e)).toBe(true);
    return e as FitsError;
  }
  throw new Error('expected CORRUPT_DATA, but decoding succeeded');
}

// ------------------------------------------------------------------ test-only encoder

const HUFFMAN_CODES = [0x3e, 0x00, 0x01, 0x08, 0x02, 0x09, 0x1a, 0x1b, 0x03, 0x1c, 0x0a, 0x1d, 0x0b, 0x1e, 0x3f, 0x0c];
const HUFFMAN_LENGTHS = [6, 3, 3, 4, 3, 4, 5, 5, 3, 5, 4, 5, 4, 5, 6, 4];

class BitWriter {
  readonly bytes: number[] = [];
  private acc = 0;
  private n = 0;

  put(value: number, bits: number): void {
    for (let k = bits - 1; k >= 0; k--) {
      this.acc = (this.acc << 1) | ((value >>> k) & 1);
      if (++this.n === 8) this.flush();
    }
  }

  /** Pads the current byte with zeros. */
  flush(): void {
    if (this.n === 0) return;
    this.bytes.push((this.acc << (8 - this.n)) & 255);
    this.acc = 0;
    this.n = 0;
  }
}

const bitLength = (v: bigint) => (v === 0n ? 0 : v.toString(2).length);

const log2Ceil = (n: number) => {
  let k = 0;
  while (1 << k < n) k++;
  return k;
};

/** CFITSIO's htrans64 (forward H-transform), in BigInt so it is exact by construction. */
function hTransform(a: bigint[], nx: number, ny: number): void {
  const log2n = log2Ceil(Math.max(nx, ny));
  let shift = 0n;
  let mask = -2n;
  let mask2 = mask << 1n;
  let prnd = 1n;
  let prnd2 = prnd << 1n;
  let nrnd2 = prnd2 - 1n;
  let nxtop = nx;
  let nytop = ny;
  const shuffle = (offset: number, n: number, n2: number) => {
    const odd: bigint[] = [];
    for (let i = 1; i < n; i += 2) odd.push(a[offset + i * n2]);
    for (let i = 2; i < n; i += 2) a[offset + (i >> 1) * n2] = a[offset + i * n2];
    const half = (n + 1) >> 1;
    odd.forEach((v, t) => (a[offset + (half + t) * n2] = v));
  };
  for (let k = 0; k < log2n; k++) {
    const oddx = nxtop % 2;
    const oddy = nytop % 2;
    let i = 0;
    for (; i < nxtop - oddx; i += 2) {
      let s00 = i * ny;
      let s10 = s00 + ny;
      for (let j = 0; j < nytop - oddy; j += 2) {
        const h0 = (a[s10 + 1] + a[s10] + a[s00 + 1] + a[s00]) >> shift;
        const hx = (a[s10 + 1] + a[s10] - a[s00 + 1] - a[s00]) >> shift;
        const hy = (a[s10 + 1] - a[s10] + a[s00 + 1] - a[s00]) >> shift;
        const hc = (a[s10 + 1] - a[s10] - a[s00 + 1] + a[s00]) >> shift;
        a[s10 + 1] = hc;
        a[s10] = (hx >= 0n ? hx + prnd : hx) & mask;
        a[s00 + 1] = (hy >= 0n ? hy + prnd : hy) & mask;
        a[s00] = (h0 >= 0n ? h0 + prnd2 : h0 + nrnd2) & mask2;
        s00 += 2;
        s10 += 2;
      }
      if (oddy) {
        const h0 = (a[s10] + a[s00]) << (1n - shift);
        const hx = (a[s10] - a[s00]) << (1n - shift);
        a[s10] = (hx >= 0n ? hx + prnd : hx) & mask;
        a[s00] = (h0 >= 0n ? h0 + prnd2 : h0 + nrnd2) & mask2;
      }
    }
    if (oddx) {
      let s00 = i * ny;
      for (let j = 0; j < nytop - oddy; j += 2) {
        const h0 = (a[s00 + 1] + a[s00]) << (1n - shift);
        const hy = (a[s00 + 1] - a[s00]) << (1n - shift);
        a[s00 + 1] = (hy >= 0n ? hy + prnd : hy) & mask;
        a[s00] = (h0 >= 0n ? h0 + prnd2 : h0 + nrnd2) & mask2;
        s00 += 2;
      }
      if (oddy) {
        const h0 = a[s00] << (2n - shift);
        a[s00] = (h0 >= 0n ? h0 + prnd2 : h0 + nrnd2) & mask2;
      }
    }
    for (let r = 0; r < nxtop; r++) shuffle(ny * r, nytop, 1);
    for (let c = 0; c < nytop; c++) shuffle(c, nxtop, ny);
    nxtop = (nxtop + 1) >> 1;
    nytop = (nytop + 1) >> 1;
    shift = 1n;
    mask = mask2;
    prnd = prnd2;
    mask2 = mask2 << 1n;
    prnd2 = prnd2 << 1n;
    nrnd2 = prnd2 - 1n;
  }
}

/**
 * Writes one bit plane of a quadrant (nqx rows of nqy magnitudes, row stride
 * `stride`) either directly or as a quadtree, in the layout the decoder (and
 * CFITSIO) reads. Not CFITSIO's encoder: it does not pick the shorter form.
 */
function writePlane(
  w: BitWriter,
  mag: bigint[],
  offset: number,
  stride: number,
  nqx: number,
  nqy: number,
  bit: number,
  quadtree: boolean,
  offEdgeFlags: boolean,
): void {
  // Optionally also set the flags of children beyond an odd edge, which readers must ignore.
  const offEdge = (i: number, j: number, rows: number, cols: number) =>
    offEdgeFlags ? (2 * j + 1 >= cols ? 0b0101 : 0) | (2 * i + 1 >= rows ? 0b0011 : 0) : 0;
  const bitAt = (r: number, c: number) => (r < nqx && c < nqy && ((mag[offset + r * stride + c] >> BigInt(bit)) & 1n) === 1n ? 1 : 0);
  const bx = (nqx + 1) >> 1;
  const by = (nqy + 1) >> 1;
  // Level 0: one 4-bit code per 2×2 pixel block.
  let level = { rows: bx, cols: by, codes: [] as number[] };
  for (let i = 0; i < bx; i++) {
    for (let j = 0; j < by; j++) {
      const flags = (bitAt(2 * i, 2 * j) << 3) | (bitAt(2 * i, 2 * j + 1) << 2) | (bitAt(2 * i + 1, 2 * j) << 1) | bitAt(2 * i + 1, 2 * j + 1);
      level.codes.push(flags | (flags !== 0 ? offEdge(i, j, nqx, nqy) : 0));
    }
  }
  if (!quadtree) {
    w.put(0, 4);
    for (const code of level.codes) w.put(code, 4);
    return;
  }
  w.put(0xf, 4);
  // Coarser levels: a code flags which of its 2×2 children are non-zero, up to 1×1.
  const levels = [level];
  const log2n = log2Ceil(Math.max(nqx, nqy));
  for (let k = 1; k < Math.max(1, log2n); k++) {
    const child = levels[levels.length - 1];
    const rows = Math.max(1, (child.rows + 1) >> 1);
    const cols = Math.max(1, (child.cols + 1) >> 1);
    const flag = (r: number, c: number) => (r < child.rows && c < child.cols && child.codes[r * child.cols + c] !== 0 ? 1 : 0);
    const codes: number[] = [];
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const flags = (flag(2 * i, 2 * j) << 3) | (flag(2 * i, 2 * j + 1) << 2) | (flag(2 * i + 1, 2 * j) << 1) | flag(2 * i + 1, 2 * j + 1);
        codes.push(flags | (flags !== 0 ? offEdge(i, j, child.rows, child.cols) : 0));
      }
    }
    level = { rows, cols, codes };
    levels.push(level);
  }
  const top = levels[levels.length - 1];
  const huffman = (v: number) => w.put(HUFFMAN_CODES[v], HUFFMAN_LENGTHS[v]);
  huffman(top.codes[0] ?? 0);
  // Then each finer level: codes of the flagged children, walking the level backwards.
  for (let k = levels.length - 2; k >= 0; k--) {
    const child = levels[k];
    for (let p = child.rows * child.cols - 1; p >= 0; p--) if (child.codes[p] !== 0) huffman(child.codes[p]);
  }
}

/**
 * A lossless HCOMPRESS_1 stream of a rows×cols image (row-major), choosing
 * direct or quadtree coding per plane from `quadtreeChoice`.
 */
function encodeLossless(image: number[], rows: number, cols: number, quadtreeChoice: (plane: number) => boolean, offEdgeFlags = false): Uint8Array {
  const a = image.map(BigInt);
  hTransform(a, rows, cols);
  const h0 = a[0];
  a[0] = 0n; // the decoder replaces coefficient 0 by h0 from the header
  const mag = a.map((v) => (v < 0n ? -v : v));
  const rows2 = (rows + 1) >> 1;
  const cols2 = (cols + 1) >> 1;
  const quadrants: [number, number, number, number][] = [
    [0, rows2, cols2, 0],
    [cols2, rows2, cols >> 1, 1],
    [cols * rows2, rows >> 1, cols2, 1],
    [cols * rows2 + cols2, rows >> 1, cols >> 1, 2],
  ];
  const planes = [0, 0, 0];
  for (const [offset, nqx, nqy, cls] of quadrants) {
    for (let r = 0; r < nqx; r++) {
      for (let c = 0; c < nqy; c++) planes[cls] = Math.max(planes[cls], bitLength(mag[offset + r * cols + c]));
    }
  }
  const w = new BitWriter();
  w.put(0xdd, 8);
  w.put(0x99, 8);
  for (const v of [rows, cols, 0]) w.put(v >>> 0, 32);
  const h0u = BigInt.asUintN(64, h0);
  w.put(Number(h0u >> 32n), 32);
  w.put(Number(h0u & 0xffffffffn), 32);
  for (const p of planes) w.put(p, 8);
  let plane = 0;
  for (const [offset, nqx, nqy, cls] of quadrants) {
    for (let bit = planes[cls] - 1; bit >= 0; bit--) writePlane(w, mag, offset, cols, nqx, nqy, bit, quadtreeChoice(plane++), offEdgeFlags);
  }
  w.put(0, 4);
  w.flush();
  for (let i = 0; i < a.length; i++) if (a[i] !== 0n) w.put(a[i] < 0n ? 1 : 0, 1);
  w.flush();
  return new Uint8Array(w.bytes);
}

// ------------------------------------------------------------------ CFITSIO streams

describe('hcompressDecode: CFITSIO-written tiles', () => {
  it('has fixtures from every corpus HCOMPRESS file plus generated ones', () => {
    const sources = new Set(cases.map((c) => c.source));
    for (const f of [
      'compressed/astropy/hcomp_int16_lossless.fits',
      'compressed/astropy/hcomp_int32_lossy.fits',
      'compressed/astropy/hcomp_int16_lossy_smooth.fits',
      'compressed/astropy/hcomp_f32.fits',
      'compressed/fpack/hcomp_int16.fits.fz',
      'compressed/fpack/hcomp_int32_lossy.fits.fz',
      'compressed/fpack/hcomp_f32.fits.fz',
      'compressed/fitsio/hcomp_int32.fits',
      'compressed/fitsio/hcomp_int16_smooth.fits',
    ]) {
      expect(sources.has(f), f).toBe(true);
    }
    expect(cases.length).toBeGreaterThanOrEqual(50);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s decodes bit for bit like CFITSIO', (_name, c) => {
    const src = streamOf(c);
    const before = src.slice();
    const out = new Int32Array(c.nx * c.ny);
    const info = hcompressDecode(src, out, c.smooth, c.tile);
    expect(info).toEqual({ nx: c.nx, ny: c.ny, scale: c.scale });
    expect(Array.from(out.subarray(0, 8))).toEqual(c.head);
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (const v of out) {
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
    }
    expect({ min, max, sum }).toEqual({ min: c.min, max: c.max, sum: c.sum });
    if (c.values) expect(Array.from(out)).toEqual(c.values);
    expect(sha256Int32(out)).toBe(c.sha256);
    expect(src).toEqual(before);
  });

  it('returns nx = ZTILE1 extent (row length, fastest) and ny = ZTILE2 extent, on non-square tiles', () => {
    const fromFiles = cases.filter((c) => c.ztile);
    expect(fromFiles.length).toBeGreaterThan(10);
    for (const c of fromFiles) {
      const [ztile1, ztile2] = c.ztile!;
      const info = hcompressDecode(streamOf(c), new Int32Array(c.nx * c.ny), c.smooth);
      expect(info.nx).toBeLessThanOrEqual(ztile1);
      expect(info.ny).toBeLessThanOrEqual(ztile2);
      if (c.tile === 0) expect([info.nx, info.ny]).toEqual([ztile1, ztile2]);
    }
    // 65×64, 257×16, 100×24, 37×13, 512×6 tiles and 62×44, 257×12, 26×9 edge tiles
    const shapes = new Set(fromFiles.map((c) => `${c.nx}x${c.ny}`));
    for (const s of ['65x64', '62x44', '257x16', '257x12', '100x24', '37x13', '26x9', '512x6']) expect(shapes.has(s), s).toBe(true);
  });

  it('keeps values that need 64-bit intermediates (int32 pixels near ±2^31)', () => {
    const c = caseNamed('fitsio_int32_large_t0');
    const out = decodeCase(c);
    expect(c.cfitsio).toBe('fits_hdecompress64');
    expect(Array.from(out.subarray(0, 4))).toEqual([2147483647, -2147483648, 2147483647, -2147483648]);
    expect(sha256Int32(out)).toBe(c.sha256);
  });

  it('applies SMOOTH only when asked, and it is a no-op for lossless streams', () => {
    const lossy = caseNamed('astropy_hcomp_int16_lossy_smooth_t0');
    expect(lossy.smooth).toBe(true);
    expect(sha256Int32(decodeCase(lossy, false))).not.toBe(lossy.sha256);
    const lossless = caseNamed('fitsio_hcomp_int32_t0');
    expect(sha256Int32(decodeCase(lossless, true))).toBe(lossless.sha256);
  });

  it('decodes a 1×1 stream to 0, as CFITSIO does', () => {
    for (const c of cases.filter((k) => k.nx === 1 && k.ny === 1)) expect(Array.from(decodeCase(c))).toEqual([0]);
  });

  it('gives the same results when scratch buffers are reused across sizes and after a failure', () => {
    const order = ['fpack_hcomp_int16_t0', 'direct_int16_3x5_s0', 'fitsio_int32_large_smooth_t4', 'fpack_hcomp_int16_t0', 'astropy_hcomp_f32_t19'];
    for (const name of order) {
      const c = caseNamed(name);
      expect(sha256Int32(decodeCase(c))).toBe(c.sha256);
      const broken = streamOf(c).subarray(0, 40);
      expectCorrupt(() => hcompressDecode(broken, new Int32Array(c.nx * c.ny), c.smooth));
    }
  });
});

// ------------------------------------------------------------------ round trips

describe('hcompressDecode: lossless round trips through a test encoder', () => {
  const image = (rows: number, cols: number, values: number[]) => Array.from({ length: rows * cols }, (_, i) => values[i % values.length]);

  it('inverts CFITSIO’s forward H-transform on odd, tiny and non-square shapes', () => {
    for (const [rows, cols] of [
      [1, 2],
      [2, 1],
      [1, 9],
      [9, 1],
      [3, 3],
      [5, 8],
      [8, 5],
      [16, 3],
      [17, 33],
    ]) {
      const values = image(rows, cols, [7, -3, 1000, 0, -32768, 32767, 12, 5, -1]);
      for (const quadtree of [false, true]) {
        const src = encodeLossless(values, rows, cols, () => quadtree);
        const out = new Int32Array(rows * cols);
        expect(hcompressDecode(src, out, false)).toEqual({ nx: cols, ny: rows, scale: 0 });
        expect(Array.from(out)).toEqual(values);
      }
    }
  });

  it('ignores flags for quadtree children and pixels beyond an odd edge, as CFITSIO does', () => {
    for (const [rows, cols] of [
      [3, 5],
      [5, 3],
      [7, 7],
      [1, 11],
      [11, 1],
      [13, 6],
      [9, 31],
    ]) {
      const values = image(rows, cols, [900, -45, 3, 77, 0, 12345, -6]);
      for (const quadtree of [false, true]) {
        const clean = encodeLossless(values, rows, cols, () => quadtree);
        const flagged = encodeLossless(values, rows, cols, () => quadtree, true);
        expect(flagged).not.toEqual(clean);
        const out = new Int32Array(rows * cols);
        hcompressDecode(flagged, out, false);
        expect(Array.from(out)).toEqual(values);
      }
    }
  });

  it('property: random images of any shape and int32 range decode to themselves', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 1, max: 24 }),
        fc.constantFrom(0, 1, 255, 40000, 2 ** 31 - 1),
        fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: 1, maxLength: 64 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 16 }),
        fc.boolean(),
        (rows, cols, range, seeds, choices, smooth) => {
          fc.pre(rows * cols > 1);
          // Clamp the random values into the chosen range so small ranges give sparse planes.
          const values = image(rows, cols, seeds).map((v) => (range === 0 ? 0 : Math.max(-range - 1, Math.min(range, v % (range + 1))) | 0));
          const src = encodeLossless(values, rows, cols, (p) => choices[p % choices.length], choices[0]);
          const out = new Int32Array(rows * cols);
          hcompressDecode(src, out, smooth); // SMOOTH does nothing at scale 0
          expect(Array.from(out)).toEqual(values);
        },
      ),
      { numRuns: 300 },
    );
  });
});

// ------------------------------------------------------------------ malformed input

/** A valid stream of a 16-row × 24-column image, to mutate. */
const SAMPLE_ROWS = 16;
const SAMPLE_COLS = 24;
const SAMPLE_PIXELS = Array.from({ length: SAMPLE_ROWS * SAMPLE_COLS }, (_, i) => ((i * 7919) % 1000) - 300 + (i % SAMPLE_COLS) * 50);
const SAMPLE = encodeLossless(SAMPLE_PIXELS, SAMPLE_ROWS, SAMPLE_COLS, (p) => p % 3 !== 0);

function withHeader(src: Uint8Array, edit: (view: DataView) => void): Uint8Array {
  const copy = src.slice();
  edit(new DataView(copy.buffer));
  return copy;
}

/**
 * Decodes into a window of a larger buffer and checks the call either returns
 * or throws CORRUPT_DATA, fast, without touching the input or anything outside
 * the window.
 */
function decodeGuarded(src: Uint8Array, pixels: number, smooth: boolean): void {
  const before = src.slice();
  const guard = 16;
  const backing = new Int32Array(pixels + 2 * guard).fill(0x5a5a5a5a);
  const out = backing.subarray(guard, guard + pixels);
  const start = performance.now();
  try {
    hcompressDecode(src, out, smooth, 3);
  } catch (e) {
    expect(isFitsError(e, 'CORRUPT_DATA'), String(e)).toBe(true);
    expect((e as FitsError).tile).toBe(3);
  }
  expect(performance.now() - start).toBeLessThan(2000);
  expect(src).toEqual(before);
  for (let i = 0; i < guard; i++) {
    expect(backing[i]).toBe(0x5a5a5a5a);
    expect(backing[guard + pixels + i]).toBe(0x5a5a5a5a);
  }
}

/** Pixel count the stream declares, when small enough to allocate; else a mismatching one. */
function declaredPixels(src: Uint8Array): number {
  if (src.length < 10) return 16;
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const rows = view.getInt32(2);
  const cols = view.getInt32(6);
  return rows >= 1 && cols >= 1 && rows * cols <= 1 << 16 ? rows * cols : 16;
}

describe('hcompressDecode: malformed input', () => {
  const pixels = SAMPLE_ROWS * SAMPLE_COLS;

  it('decodes the sample stream used by these tests', () => {
    const out = new Int32Array(pixels);
    hcompressDecode(SAMPLE, out, false);
    expect(Array.from(out)).toEqual(SAMPLE_PIXELS);
  });

  it('rejects short headers, a bad magic code and impossible shapes', () => {
    expectCorrupt(() => hcompressDecode(SAMPLE.subarray(0, 24), new Int32Array(pixels), false));
    expectCorrupt(() => hcompressDecode(withHeader(SAMPLE, (v) => v.setUint8(0, 0x99)), new Int32Array(pixels), false));
    for (const [rows, cols] of [
      [0, pixels],
      [-SAMPLE_ROWS, -SAMPLE_COLS],
      [SAMPLE_COLS, SAMPLE_ROWS + 1],
      [0x7fffffff, 0x7fffffff],
      [1 << 30, 1 << 30],
    ]) {
      const out = new Int32Array(pixels).fill(-7);
      const e = expectCorrupt(() => hcompressDecode(withHeader(SAMPLE, (v) => (v.setInt32(2, rows), v.setInt32(6, cols))), out, false, 9));
      expect(e.tile).toBe(9);
      expect(out.every((x) => x === -7)).toBe(true);
    }
    // out one pixel short / long
    expectCorrupt(() => hcompressDecode(SAMPLE, new Int32Array(pixels - 1), false));
    expectCorrupt(() => hcompressDecode(SAMPLE, new Int32Array(pixels + 1), false));
  });

  it('rejects bit-plane counts and h0 values beyond what a double holds exactly', () => {
    for (const planes of [53, 64, 255]) {
      expectCorrupt(() => hcompressDecode(withHeader(SAMPLE, (v) => v.setUint8(23, planes)), new Int32Array(pixels), false));
    }
    for (const high of [1 << 21, 0x7fffffff, -(1 << 21) - 1]) {
      expectCorrupt(() => hcompressDecode(withHeader(SAMPLE, (v) => v.setInt32(14, high)), new Int32Array(pixels), false));
    }
  });

  it('rejects a bad bit-plane format code', () => {
    // The first plane's format nybble is the high half of byte 25.
    const bad = withHeader(SAMPLE, (v) => v.setUint8(25, (5 << 4) | (v.getUint8(25) & 15)));
    expectCorrupt(() => hcompressDecode(bad, new Int32Array(pixels), false));
  });

  it('rejects every truncation of a valid stream', () => {
    for (const c of [caseNamed('fpack_hcomp_int16_t18'), caseNamed('direct_int32_9x4_s3_smooth')]) {
      const src = streamOf(c);
      for (let len = 0; len < src.length; len++) {
        expectCorrupt(() => hcompressDecode(src.subarray(0, len), new Int32Array(c.nx * c.ny), c.smooth));
      }
    }
    for (let len = 0; len < SAMPLE.length; len++) expectCorrupt(() => hcompressDecode(SAMPLE.subarray(0, len), new Int32Array(pixels), false));
  });

  it('bounds the work for a short stream that declares a big tile', () => {
    // 1024×1024 pixels, 52 planes in every quadrant, then nothing but quadtree-coded planes.
    const src = new Uint8Array(64).fill(0xff);
    src.set([0xdd, 0x99, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 52, 52, 52]);
    const start = performance.now();
    expectCorrupt(() => hcompressDecode(src, new Int32Array(1024 * 1024), true));
    expect(performance.now() - start).toBeLessThan(2000);
  });

  it('property: random bytes after a valid magic code', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), fc.boolean(), (body, smooth) => {
        const src = new Uint8Array(2 + body.length);
        src.set([0xdd, 0x99]);
        src.set(body, 2);
        decodeGuarded(src, declaredPixels(src), smooth);
      }),
      { numRuns: 400 },
    );
  });

  it('property: a random header (shape, scale, h0, plane counts) on a valid body', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: -5, max: 1 << 20 }),
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 })),
        fc.boolean(),
        (rows, cols, scale, h0, planes, smooth) => {
          const src = withHeader(SAMPLE, (v) => {
            v.setInt32(2, rows);
            v.setInt32(6, cols);
            v.setInt32(10, scale);
            v.setInt32(18, h0);
            planes.forEach((p, i) => v.setUint8(22 + i, p));
          });
          decodeGuarded(src, rows * cols, smooth);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('property: bit flips and truncations of CFITSIO streams', () => {
    const bases = cases.filter((c) => c.nx * c.ny <= 65 * 64).slice(0, 24);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: bases.length - 1 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.boolean(),
        (which, flips, cut, smooth) => {
          const c = bases[which];
          const src = streamOf(c);
          for (const f of flips) src[f % src.length] ^= 1 << (f % 8);
          const end = cut % 4 === 0 ? cut % (src.length + 1) : src.length;
          decodeGuarded(src.subarray(0, end), c.nx * c.ny, smooth);
        },
      ),
      { numRuns: 400 },
    );
  });
});
