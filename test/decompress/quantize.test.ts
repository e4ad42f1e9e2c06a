/**
 * Dequantization of quantized float tiles against CFITSIO (funpack) on tiles
 * of the shared corpus and on fpack-made tiles that exercise the wrap-around
 * of the random sequence (fixtures from test/fixtures/codecs/make_gzip_quantize.py).
 *
 * The quantized integers: for GZIP tiles they are the inflated stream itself
 * (decoded here with gzip.ts); for Rice tiles the fixture holds the integers
 * CFITSIO returns for a copy of the table with ZSCALE = 1, ZZERO = 0 and no
 * dithering (see the script), and, when src/codecs/rice/decode.ts is present,
 * the Rice decoder's integers are checked against them too.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { gzipDecodeInt32 } from '../../src/codecs/gzip/decode.js';
import {
  cfitsioRandoms,
  dequantize,
  ditherOffset,
  N_RANDOM,
  NULL_VALUE,
  ZERO_VALUE,
  type DequantizeOptions,
  type QuantizeMethod,
} from '../../src/codecs/quantize/dequantize.js';
import { isFitsError, type FitsErrorCode } from '../../src/core/errors.js';
import {
  beFloat,
  beInt32,
  firstBitMismatch,
  fromBase64,
  loadGzqCases,
  sha256,
  toBeBytes,
  type GzqCase,
  type GzqTile,
} from './gzip-quantize-fixtures.js';

type RiceDecode = (src: Uint8Array, out: Int32Array, blockSize: number, tile?: number) => void;
const riceDecode: RiceDecode | undefined = await import('../../src/codecs/rice/decode.js')
  .then((m: { riceDecode?: RiceDecode }) => m.riceDecode)
  .catch(() => undefined);

const quantizedCases = loadGzqCases().filter((c) => c.tiles.some((t) => t.kind === 'quantized'));

function methodOf(c: GzqCase): QuantizeMethod {
  return c.zquantiz === 'SUBTRACTIVE_DITHER_1' || c.zquantiz === 'SUBTRACTIVE_DITHER_2' ? c.zquantiz : 'NO_DITHER';
}

function optionsOf(c: GzqCase, t: GzqTile): DequantizeOptions {
  const zblank = t.zblank ?? c.zblank ?? undefined;
  return {
    zscale: t.zscale!,
    zzero: t.zzero!,
    method: methodOf(c),
    ditherSeed: c.zdither0 ?? 1,
    tileIndex: t.index,
    ...(zblank !== undefined ? { zblank } : {}),
  };
}

function intsOf(c: GzqCase, t: GzqTile): Int32Array {
  if (t.ints !== undefined) return beInt32(fromBase64(t.ints));
  const ints = new Int32Array(t.npix);
  gzipDecodeInt32(fromBase64(t.compressed), ints, c.zcmptype as 'GZIP_1' | 'GZIP_2', t.index);
  return ints;
}

/** Straight transcription of CFITSIO's unquantize_i4r8 loop, pixel by pixel. */
function referenceDequantize(ints: Int32Array, o: DequantizeOptions): Float64Array {
  const rnd = cfitsioRandoms();
  const out = new Float64Array(ints.length);
  let iseed = (o.tileIndex + o.ditherSeed - 1) % N_RANDOM;
  let next = Math.trunc(Math.fround(rnd[iseed] * 500));
  for (let k = 0; k < ints.length; k++) {
    const v = ints[k];
    if (o.zblank !== undefined && v === o.zblank) out[k] = NaN;
    else if (o.method === 'NO_DITHER') out[k] = v * o.zscale + o.zzero;
    else if (o.method === 'SUBTRACTIVE_DITHER_2' && v === ZERO_VALUE) out[k] = 0;
    else out[k] = (v - rnd[next] + 0.5) * o.zscale + o.zzero;
    next++;
    if (next === N_RANDOM) {
      iseed++;
      if (iseed === N_RANDOM) iseed = 0;
      next = Math.trunc(Math.fround(rnd[iseed] * 500));
    }
  }
  return out;
}

function expectFitsError(fn: () => unknown, code: FitsErrorCode): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(isFitsError(thrown, code), String(thrown)).toBe(true);
}

describe('the random sequence', () => {
  test('matches fits_init_randoms', () => {
    const r = cfitsioRandoms();
    expect(r).toBeInstanceOf(Float32Array);
    expect(r.length).toBe(10000);
    const bits = new Uint32Array(r.buffer);
    expect(bits[0]).toBe(0x37034e00); // 16807 / (2^31 − 1) as a float
    expect(bits[1]).toBe(0x3e06b1d8);
    expect(bits[9999]).toBe(0x3ef8d164);
    expect(r[2]).toBe(Math.fround(0.7556053400039673));
    for (const v of r) expect(v > 0 && v < 1).toBe(true);
  });

  test('is handed out as a copy', () => {
    const ints = new Int32Array([5, 6, 7]);
    const opts: DequantizeOptions = { zscale: 0.5, zzero: 10, method: 'SUBTRACTIVE_DITHER_1', ditherSeed: 1, tileIndex: 0 };
    const a = new Float64Array(3);
    dequantize(ints, a, opts);
    cfitsioRandoms().fill(0);
    const b = new Float64Array(3);
    dequantize(ints, b, opts);
    expect(b).toEqual(a);
  });

  test('ditherOffset gives the first table index of a tile', () => {
    // (ZDITHER0, tile) → floor(table[(tile + ZDITHER0 − 1) mod 10000] · 500), values from CFITSIO's formula in Python.
    const cases: [number, number, number][] = [
      [1, 0, 0],
      [42, 0, 491],
      [42, 17, 454],
      [10000, 0, 242],
      [10000, 1, 0],
      [9990, 11, 0],
      [1, 9999, 242],
      [7, 299, 299],
    ];
    for (const [seed, tile, want] of cases) expect(ditherOffset(seed, tile)).toBe(want);
  });
});

describe('corpus and fpack tiles, bit for bit against CFITSIO', () => {
  test('the fixtures cover the brief', () => {
    const names = quantizedCases.map((c) => c.name);
    for (const want of [
      'astropy__gzip2_f32_quant',
      'astropy__rice_f32_nodither',
      'astropy__rice_f32_dither1',
      'astropy__rice_f32_dither2_zeros',
      'astropy__rice_f64_dither1',
      'fpack__gzip2_f32_quant',
      'fpack__rice_f32_nan_dither1',
      'fpack__rice_f32_dither2_zeros',
      'synthetic__gzip2_f32_dither2_wrap',
    ]) {
      expect(names).toContain(want);
    }
    const tiles = quantizedCases.flatMap((c) => c.tiles);
    expect(tiles.some((t) => (t.nanCount ?? 0) > 0)).toBe(true);
    expect(tiles.some((t) => t.nanCount === t.npix)).toBe(true);
    expect(tiles.some((t) => (t.zeroValueCount ?? 0) > 0)).toBe(true);
    expect(tiles.some((t) => t.npix > N_RANDOM)).toBe(true);
  });

  test.each(quantizedCases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const width = c.zbitpix === -64 ? 8 : 4;
    for (const t of c.tiles) {
      if (t.kind !== 'quantized') continue;
      const ints = intsOf(c, t);
      const before = ints.slice();
      const out = width === 4 ? new Float32Array(t.npix) : new Float64Array(t.npix);
      dequantize(ints, out, optionsOf(c, t));
      expect(ints).toEqual(before);
      if (t.expected !== undefined) {
        const expected = beFloat(fromBase64(t.expected), width);
        const at = firstBitMismatch(out, expected);
        expect(at, `tile ${t.index} pixel ${at}: ${out[at]} vs ${expected[at]}`).toBe(-1);
      } else {
        expect(sha256(toBeBytes(out)), `tile ${t.index}`).toBe(t.expectedSha256);
      }
      let nans = 0;
      for (const v of out) if (Number.isNaN(v)) nans++;
      expect(nans).toBe(t.nanCount);
    }
  });

  test.skipIf(riceDecode === undefined)('Rice tiles decode to the integers CFITSIO reports', () => {
    for (const c of quantizedCases.filter((x) => x.zcmptype.startsWith('RICE'))) {
      for (const t of c.tiles.filter((x) => x.kind === 'quantized')) {
        const ints = new Int32Array(t.npix);
        riceDecode!(fromBase64(t.compressed), ints, c.riceBlocksize ?? 32, t.index);
        expect(ints, `${c.name} tile ${t.index}`).toEqual(beInt32(fromBase64(t.ints!)));
      }
    }
  });
});

describe('rules', () => {
  const base = { zscale: 0.37, zzero: 1000.25, ditherSeed: 42, tileIndex: 5 };

  test('NO_DITHER is ints · ZSCALE + ZZERO in float64, rounded once to float32', () => {
    const ints = new Int32Array([0, 1, -1, 123456, -2147483648, 2147483647, NULL_VALUE]);
    const f64 = new Float64Array(ints.length);
    const f32 = new Float32Array(ints.length);
    dequantize(ints, f64, { ...base, method: 'NO_DITHER' });
    dequantize(ints, f32, { ...base, method: 'NO_DITHER' });
    for (let k = 0; k < ints.length; k++) {
      expect(f64[k]).toBe(ints[k] * 0.37 + 1000.25);
      expect(f32[k]).toBe(Math.fround(ints[k] * 0.37 + 1000.25));
    }
    // Without ZBLANK, NULL_VALUE is an ordinary number.
    expect(Number.isNaN(f64[6])).toBe(false);
  });

  test('ZBLANK becomes NaN in every method, and null pixels still consume a random number', () => {
    const ints = new Int32Array(50).map((_, i) => (i % 7 === 3 ? NULL_VALUE : i * 11 - 200));
    const clean = ints.map((v) => (v === NULL_VALUE ? 0 : v));
    for (const method of ['NO_DITHER', 'SUBTRACTIVE_DITHER_1', 'SUBTRACTIVE_DITHER_2'] as const) {
      const withNulls = new Float64Array(50);
      const without = new Float64Array(50);
      dequantize(ints, withNulls, { ...base, method, zblank: NULL_VALUE });
      dequantize(clean, without, { ...base, method });
      for (let k = 0; k < 50; k++) {
        if (ints[k] === NULL_VALUE) expect(withNulls[k]).toBeNaN();
        else expect(withNulls[k]).toBe(without[k]);
      }
    }
  });

  test('SUBTRACTIVE_DITHER_2 keeps zeros exact; SUBTRACTIVE_DITHER_1 does not', () => {
    const ints = new Int32Array([ZERO_VALUE, 7, ZERO_VALUE]);
    const d2 = new Float32Array(3);
    const d1 = new Float64Array(3);
    dequantize(ints, d2, { ...base, method: 'SUBTRACTIVE_DITHER_2', zblank: NULL_VALUE });
    dequantize(ints, d1, { ...base, method: 'SUBTRACTIVE_DITHER_1' });
    expect(Object.is(d2[0], 0)).toBe(true);
    expect(Object.is(d2[2], 0)).toBe(true);
    expect(d1[0]).toBeLessThan(-1e8);
  });

  test('tiles longer than the table restart the sequence as CFITSIO does', () => {
    const n = 3 * N_RANDOM + 123;
    const ints = new Int32Array(n).map((_, i) => ((i * 7919) % 2001) - 1000);
    for (const [ditherSeed, tileIndex] of [
      [10000, 0],
      [10000, 1],
      [1, 0],
      [9999, 77],
    ]) {
      const o: DequantizeOptions = { ...base, ditherSeed, tileIndex, method: 'SUBTRACTIVE_DITHER_1' };
      const out = new Float64Array(n);
      dequantize(ints, out, o);
      expect(firstBitMismatch(out, referenceDequantize(ints, o))).toBe(-1);
    }
  });

  test('float32 output is the float64 result rounded once', () => {
    fc.assert(
      fc.property(
        fc.int32Array({ minLength: 0, maxLength: 600 }),
        fc.double({ min: 1e-6, max: 1e4, noNaN: true }),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.constantFrom<QuantizeMethod>('NO_DITHER', 'SUBTRACTIVE_DITHER_1', 'SUBTRACTIVE_DITHER_2'),
        fc.integer({ min: 1, max: 10000 }),
        fc.integer({ min: 0, max: 100000 }),
        fc.option(fc.constantFrom(NULL_VALUE, 0, -5), { nil: undefined }),
        (ints, zscale, zzero, method, ditherSeed, tileIndex, zblank) => {
          const o: DequantizeOptions = { zscale, zzero, method, ditherSeed, tileIndex, ...(zblank !== undefined ? { zblank } : {}) };
          const before = ints.slice();
          const f64 = new Float64Array(ints.length);
          const f32 = new Float32Array(ints.length);
          dequantize(ints, f64, o);
          dequantize(ints, f32, o);
          expect(ints).toEqual(before);
          expect(f64).toEqual(referenceDequantize(ints, o));
          expect(firstBitMismatch(f32, Float32Array.from(f64))).toBe(-1);
        },
      ),
      { numRuns: 200 },
    );
  });

  test('argument checks', () => {
    const o: DequantizeOptions = { ...base, method: 'SUBTRACTIVE_DITHER_1' };
    expectFitsError(() => dequantize(new Int32Array(3), new Float32Array(4), o), 'BAD_ARGUMENT');
    expectFitsError(() => dequantize(new Int32Array(4), new Float32Array(4), { ...o, tileIndex: -1 }), 'BAD_ARGUMENT');
    expectFitsError(() => dequantize(new Int32Array(4), new Float32Array(4), { ...o, tileIndex: 0.5 }), 'BAD_ARGUMENT');
    expectFitsError(() => dequantize(new Int32Array(4), new Float32Array(4), { ...o, ditherSeed: 0, tileIndex: 0 }), 'BAD_HEADER');
    expectFitsError(() => dequantize(new Int32Array(4), new Float32Array(4), { ...o, ditherSeed: -3, tileIndex: 2 }), 'BAD_HEADER');
    expectFitsError(() => dequantize(new Int32Array(4), new Float32Array(4), { ...o, ditherSeed: 1.5 }), 'BAD_HEADER');
    expectFitsError(
      () => dequantize(new Int32Array(4), new Float32Array(4), { ...o, method: 'DITHER_3' as QuantizeMethod }),
      'BAD_ARGUMENT',
    );
    // Where CFITSIO is well defined, so are we: seed 0 from tile 1 on, seeds above 10000 wrap.
    const a = new Float64Array(4);
    const b = new Float64Array(4);
    dequantize(new Int32Array(4), a, { ...o, ditherSeed: 0, tileIndex: 1 });
    dequantize(new Int32Array(4), b, { ...o, ditherSeed: 10000, tileIndex: 1 });
    expect(a).toEqual(b);
    // A longer scratch array of integers is fine: only out.length values are read.
    const c = new Float64Array(2);
    dequantize(new Int32Array([1, 2, 3, 4]), c, { ...o, method: 'NO_DITHER' });
    expect(c).toEqual(new Float64Array([1 * 0.37 + 1000.25, 2 * 0.37 + 1000.25]));
  });
});

test('plain float32 arithmetic (what a naive GPU port would do) is not bit-exact', () => {
  // Measures the claims in quantize.ts's notes for the WGSL port. CFITSIO
  // quantizes tiles holding NaNs (and SUBTRACTIVE_DITHER_2 tiles) to integers
  // near −2^31 with ZZERO near +2^31·ZSCALE, so float32 arithmetic on the raw
  // integers loses whole quantization steps; rebasing the integers by a
  // per-tile i0 (with ZZERO' = ZZERO + i0·ZSCALE computed in float64) keeps the
  // error to a few ulp, but still not zero.
  const rnd = cfitsioRandoms();
  const bits = new Float32Array(2);
  const asInt = new Int32Array(bits.buffer);
  const stats = { naive: { differ: 0, steps: 0 }, rebased: { differ: 0, steps: 0, ulps: 0 } };
  let total = 0;
  for (const c of quantizedCases.filter((x) => x.zbitpix === -32 && methodOf(x) !== 'NO_DITHER')) {
    for (const t of c.tiles.filter((x) => x.kind === 'quantized')) {
      const o = optionsOf(c, t);
      const ints = intsOf(c, t);
      const exact = new Float32Array(t.npix);
      dequantize(ints, exact, o);
      let next = ditherOffset(o.ditherSeed, o.tileIndex);
      const s = Math.fround(o.zscale);
      const i0 = Math.round(-o.zzero / o.zscale);
      const z0 = Math.fround(o.zzero);
      const z1 = Math.fround(o.zzero + i0 * o.zscale);
      const f32 = Math.fround;
      for (let k = 0; k < t.npix && next < N_RANDOM; k++, next++) {
        if (Number.isNaN(exact[k]) || ints[k] === ZERO_VALUE) continue;
        total++;
        const naive = f32(f32(f32(f32(f32(ints[k]) - rnd[next]) + 0.5) * s) + z0);
        const rebased = f32(f32(f32(f32(f32(ints[k] - i0) - rnd[next]) + 0.5) * s) + z1);
        if (naive !== exact[k]) {
          stats.naive.differ++;
          stats.naive.steps = Math.max(stats.naive.steps, Math.abs(naive - exact[k]) / o.zscale);
        }
        if (rebased !== exact[k]) {
          stats.rebased.differ++;
          stats.rebased.steps = Math.max(stats.rebased.steps, Math.abs(rebased - exact[k]) / o.zscale);
          bits[0] = rebased;
          bits[1] = exact[k];
          if (Math.sign(bits[0]) === Math.sign(bits[1])) stats.rebased.ulps = Math.max(stats.rebased.ulps, Math.abs(asInt[0] - asInt[1]));
        }
      }
    }
  }
  expect(total).toBeGreaterThan(10000);
  expect(stats.naive.differ).toBeGreaterThan(0);
  expect(stats.naive.steps).toBeGreaterThan(1);
  expect(stats.rebased.differ).toBeGreaterThan(0);
  const pct = (n: number) => ((100 * n) / total).toFixed(1);
  console.log(
    `float32 on raw integers: ${pct(stats.naive.differ)} % of ${total} pixels differ, by up to ${stats.naive.steps.toFixed(1)} ZSCALE; ` +
      `rebased: ${pct(stats.rebased.differ)} % differ, by up to ${stats.rebased.ulps} ulp (${stats.rebased.steps.toExponential(1)} ZSCALE)`,
  );
});
