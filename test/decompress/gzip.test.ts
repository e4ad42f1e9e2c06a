/**
 * GZIP_1 / GZIP_2 tile decoding and the inflaters, against tiles of the shared
 * corpus (fixtures from test/fixtures/codecs/make_gzip_quantize.py, checked
 * there against CFITSIO's funpack), plus fuzzing of malformed streams.
 */
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { gzip1Decode, gzip2Decode, gzipDecodeInt32, unshuffleBytes } from '../../src/codecs/gzip/decode.js';
import {
  detectDeflateWrapper,
  inflateOutputCap,
  pakoInflater,
  type Inflater,
} from '../../src/codecs/gzip/inflate.js';
import { nodeInflater } from '../../src/node/inflate.js';
import { createNodeRuntime } from '../../src/node/runtime.js';
import { FitsError, isFitsError, type FitsErrorCode } from '../../src/core/errors.js';
import { beInt32, fromBase64, loadGzqCases, sha256, type GzqCase } from './gzip-quantize-fixtures.js';

const cases = loadGzqCases();
const gzipCases = cases.filter((c) => c.zcmptype === 'GZIP_1' || c.zcmptype === 'GZIP_2');
const inflaters: [string, Inflater][] = [
  ['pako', pakoInflater],
  ['node:zlib', nodeInflater],
];


/** Stream width per ZBITPIX, as documented in gzip.ts. */
function streamBytepix(c: GzqCase, quantized: boolean): number {
  switch (c.zbitpix) {
    case 8:
      return 1;
    case 16:
      return 2;
    case 32:
    case -32:
      return 4;
    default:
      return quantized ? 4 : 8;
  }
}

/** Run `fn`, which must throw a FitsError with `code`; returns it. */
function expectFitsError(fn: () => unknown, code: FitsErrorCode): FitsError {
  try {
    fn();
  } catch (e) {
    expect(isFitsError(e), String(e)).toBe(true);
    expect((e as FitsError).code).toBe(code);
    return e as FitsError;
  }
  throw new Error(`expected FitsError ${code}, nothing was thrown`);
}

function shuffleReference(pixels: Uint8Array, bytepix: number): Uint8Array {
  const n = pixels.length / bytepix;
  const out = new Uint8Array(pixels.length);
  for (let i = 0; i < n; i++) for (let b = 0; b < bytepix; b++) out[b * n + i] = pixels[i * bytepix + b];
  return out;
}

test('the fixtures cover every GZIP case of the brief', () => {
  const names = gzipCases.map((c) => c.name);
  for (const want of [
    'astropy__gzip1_int16',
    'astropy__gzip1_f32_lossless',
    'astropy__gzip2_int32',
    'astropy__gzip2_f64_lossless',
    'astropy__gzip2_f32_quant',
    'fpack__gzip1_f32_lossless',
    'fpack__gzip2_int16',
    'fpack__gzip2_f32_quant',
    'fitsio__gzip1_f32_lossless',
    'fitsio__gzip2_int32',
  ]) {
    expect(names).toContain(want);
  }
});

describe.each(inflaters)('corpus tiles, inflater %s', (_name, inflater) => {

  test.each(gzipCases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    for (const t of c.tiles) {
      if (t.kind === 'gzip-fallback') continue;
      const quantized = t.kind === 'quantized';
      expect(t.bytepix, `tile ${t.index} stream width`).toBe(streamBytepix(c, quantized));
      const bytepix = t.bytepix!;
      const src = fromBase64(t.compressed);
      const before = src.slice();
      const out = new Uint8Array(t.npix * bytepix);
      if (c.zcmptype === 'GZIP_1') gzip1Decode(src, out, t.index, inflater);
      else gzip2Decode(src, out, bytepix, t.index, inflater);
      expect(sha256(out), `tile ${t.index}`).toBe(t.raw !== undefined ? sha256(fromBase64(t.raw)) : t.rawSha256);
      expect(src).toEqual(before);

      if (quantized) {
        const ints = new Int32Array(t.npix);
        gzipDecodeInt32(src, ints, c.zcmptype as 'GZIP_1' | 'GZIP_2', t.index, inflater);
        expect(ints).toEqual(beInt32(out));
      }
    }
  });

  test('tiles read as views into a larger heap buffer', () => {
    const c = gzipCases.find((x) => x.name === 'fpack__gzip2_f32_quant')!;
    const t = c.tiles[1];
    const tileBytes = fromBase64(t.compressed);
    const heap = new Uint8Array(tileBytes.length + 37).fill(0xee);
    heap.set(tileBytes, 13);
    const src = heap.subarray(13, 13 + tileBytes.length);
    const out = new Uint8Array(t.npix * 4);
    gzip2Decode(src, out, 4, t.index, inflater);
    expect(sha256(out)).toBe(sha256(fromBase64(t.raw!)));
    const raw = inflater(src, t.npix * 4);
    expect(Object.getPrototypeOf(raw)).toBe(Uint8Array.prototype);
  });

  test('GZIP_COMPRESSED_DATA fallback tiles (gzip of the raw floats)', () => {
    const fallbacks = cases.flatMap((c) => c.tiles.filter((t) => t.kind === 'gzip-fallback').map((t) => [c, t] as const));
    expect(fallbacks.length).toBeGreaterThan(0);
    for (const [c, t] of fallbacks) {
      const out = new Uint8Array(t.npix * (c.zbitpix === -64 ? 8 : 4));
      gzip1Decode(fromBase64(t.gzipCompressed!), out, t.index, inflater);
      expect(sha256(out)).toBe(sha256(fromBase64(t.raw!)));
    }
  });
});

describe('tile size and argument checks', () => {
  const c = gzipCases.find((x) => x.name === 'astropy__gzip2_f32_quant')!;
  const t = c.tiles[1];
  const src = fromBase64(t.compressed);

  test.each(inflaters)('a tile inflating to a different size is CORRUPT_DATA with the tile index (%s)', (_n, inflater) => {
    for (const size of [t.npix * 4 - 4, t.npix * 4 - 1, t.npix * 4 + 4, 0]) {
      const e1 = expectFitsError(() => gzip1Decode(src, new Uint8Array(size), t.index, inflater), 'CORRUPT_DATA');
      expect(e1.tile).toBe(t.index);
      if (size % 4 === 0) {
        const e2 = expectFitsError(() => gzip2Decode(src, new Uint8Array(size), 4, t.index, inflater), 'CORRUPT_DATA');
        expect(e2.tile).toBe(t.index);
        expectFitsError(() => gzipDecodeInt32(src, new Int32Array(size / 4), 'GZIP_2', t.index, inflater), 'CORRUPT_DATA');
      }
    }
  });

  test('bad bytepix or a partial pixel is BAD_ARGUMENT', () => {
    for (const bytepix of [0, 3, 5, 16, -4, 2.5, NaN]) {
      expectFitsError(() => gzip2Decode(src, new Uint8Array(t.npix * 4), bytepix, 3), 'BAD_ARGUMENT');
    }
    expectFitsError(() => gzip2Decode(src, new Uint8Array(t.npix * 4 + 2), 4), 'BAD_ARGUMENT');
    expectFitsError(() => unshuffleBytes(new Uint8Array(8), new Uint8Array(12), 4), 'BAD_ARGUMENT');
  });

  test('neither gzip nor zlib is CORRUPT_DATA', () => {
    for (const bad of [new Uint8Array(0), new Uint8Array([0x1f]), new Uint8Array([0x1f, 0x8c, 8, 0]), new Uint8Array(40)]) {
      expectFitsError(() => gzip1Decode(bad, new Uint8Array(16), 7), 'CORRUPT_DATA');
    }
    expect(() => detectDeflateWrapper(new Uint8Array([0x78, 0x9c]))).not.toThrow();
    expect(detectDeflateWrapper(new Uint8Array([0x78, 0x9c]))).toBe('zlib');
    expect(detectDeflateWrapper(new Uint8Array([0x1f, 0x8b]))).toBe('gzip');
  });

  test('expected sizes are checked, and the output buffer is capped by what deflate can produce', () => {
    expectFitsError(() => inflateOutputCap(10, -1), 'BAD_ARGUMENT');
    expectFitsError(() => inflateOutputCap(10, 1.5), 'BAD_ARGUMENT');
    expect(inflateOutputCap(10, 2 ** 40)).toBeLessThan(20_000);
    // A 20-byte stream declared as a terabyte tile: no terabyte allocation, just a size error.
    const tiny = new Uint8Array(gzipSync(new Uint8Array([1, 2, 3])));
    for (const [, inflater] of inflaters) expect(inflater(tiny, 2 ** 40)).toEqual(new Uint8Array([1, 2, 3]));
    expectFitsError(() => gzip1Decode(tiny, new Uint8Array(1 << 20)), 'CORRUPT_DATA');
  });
});

describe('the inflater is a parameter', () => {
  test('the codec default is pako; the Node runtime passes node:zlib', () => {
    expect(createNodeRuntime({ workers: 0 }).inflate).toBe(nodeInflater);
  });

  test('a custom inflater is used, and its failures become CORRUPT_DATA for the tile', () => {
    const data = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const out = new Uint8Array(8);
    gzip2Decode(new Uint8Array([9]), out, 2, 0, (_src, size) => data.subarray(0, size));
    expect(out).toEqual(new Uint8Array([1, 5, 2, 6, 3, 7, 4, 8]));

    const boom: Inflater = () => {
      throw new TypeError('boom');
    };
    const e = expectFitsError(() => gzip1Decode(new Uint8Array(4), new Uint8Array(4), 12, boom), 'CORRUPT_DATA');
    expect(e.tile).toBe(12);
    expect(e.cause).toBeInstanceOf(TypeError);

    // An inflater that breaks its contract by returning too much is still caught.
    expectFitsError(() => gzip1Decode(new Uint8Array(4), new Uint8Array(4), 1, () => new Uint8Array(100)), 'CORRUPT_DATA');
  });
});

describe('unshuffle', () => {
  test('inverts the GZIP_2 shuffle for 1, 2, 4 and 8 bytes, aligned or not', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 4, 8),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: 7 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (bytepix, npix, misalign, seed) => {
          const pixels = new Uint8Array(npix * bytepix).map((_, i) => (i * 2654435761 + seed) >>> 24);
          const shuffled = shuffleReference(pixels, bytepix);
          const before = shuffled.slice();
          const backing = new Uint8Array(pixels.length + 16).fill(0xa5);
          const out = backing.subarray(misalign, misalign + pixels.length);
          unshuffleBytes(shuffled, out, bytepix);
          expect(out).toEqual(pixels);
          expect(shuffled).toEqual(before);
          for (let i = 0; i < backing.length; i++) {
            if (i < misalign || i >= misalign + pixels.length) expect(backing[i]).toBe(0xa5);
          }
        },
      ),
    );
  });

  test('round trip through gzip for every width', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 4, 8), fc.uint8Array({ minLength: 0, maxLength: 64 }), (bytepix, seed) => {
        const npix = seed.length;
        const pixels = new Uint8Array(npix * bytepix).map((_, i) => seed[i % Math.max(1, npix)] ^ (i & 0x0f));
        const gz = new Uint8Array(gzipSync(shuffleReference(pixels, bytepix)));
        for (const [, inflater] of inflaters) {
          const out = new Uint8Array(pixels.length);
          gzip2Decode(gz, out, bytepix, undefined, inflater);
          expect(out).toEqual(pixels);
        }
      }),
      { numRuns: 50 },
    );
  });
});

describe.each(inflaters)('malformed streams, inflater %s', (_name, inflater) => {

  /** Either returns at most `size` bytes, or throws CORRUPT_DATA; never touches src. */
  function inflateSafely(src: Uint8Array, size: number): Uint8Array | FitsError {
    const before = src.slice();
    let result: Uint8Array | FitsError;
    try {
      result = inflater(src, size);
      expect(result.length).toBeLessThanOrEqual(size);
    } catch (e) {
      expect(isFitsError(e, 'CORRUPT_DATA'), String(e)).toBe(true);
      result = e as FitsError;
    }
    expect(src).toEqual(before);
    return result;
  }

  test('random bytes (with and without a gzip header)', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.uint8Array({ maxLength: 400 }), fc.integer({ min: 0, max: 5000 }), (magic, body, size) => {
        const src = magic ? new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, ...body]) : body;
        inflateSafely(src, size);
        // The tile decoders: CORRUPT_DATA, nothing written outside `out`.
        const backing = new Uint8Array(size + 8).fill(0x5a);
        const out = backing.subarray(4, 4 + size - (size % 4));
        try {
          gzip2Decode(src, out, 4, 3, inflater);
        } catch (e) {
          expect(isFitsError(e, 'CORRUPT_DATA')).toBe(true);
        }
        expect(backing.subarray(0, 4).every((b) => b === 0x5a)).toBe(true);
        expect(backing.subarray(4 + out.length).every((b) => b === 0x5a)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test('truncated tiles always fail', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 2000 }), fc.double({ min: 0, max: 1, noNaN: true }), (data, frac) => {
        const gz = new Uint8Array(gzipSync(data));
        const cut = Math.floor(frac * (gz.length - 1));
        const r = inflateSafely(gz.subarray(0, cut), data.length);
        expect(r).toBeInstanceOf(FitsError);
      }),
      { numRuns: 200 },
    );
  });

  test('a flipped bit fails or changes nothing (CRC-32 and ISIZE catch the rest)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 2000 }), fc.nat(), fc.integer({ min: 0, max: 7 }), (data, at, bit) => {
        const gz = new Uint8Array(gzipSync(data));
        gz[at % gz.length] ^= 1 << bit;
        const r = inflateSafely(gz, data.length);
        if (!(r instanceof FitsError)) expect(r).toEqual(data);
      }),
      { numRuns: 300 },
    );
  });

  test('decompression bombs stop at the expected size, fast', () => {
    // 64 gzip members of 16 MiB of zeros each: 1 GiB of output from ~1 MB.
    const member = new Uint8Array(gzipSync(new Uint8Array(16 << 20), { level: 9 }));
    const bomb = new Uint8Array(member.length * 64);
    for (let i = 0; i < 64; i++) bomb.set(member, i * member.length);
    for (const size of [0, 1000, 4096 * 4, 20 << 20]) {
      const t0 = performance.now();
      const e = expectFitsError(() => inflater(bomb, size), 'CORRUPT_DATA');
      expect(e.message).toMatch(/larger than the expected/);
      expect(performance.now() - t0).toBeLessThan(size > 1 << 20 ? 2000 : 100);
      expectFitsError(() => gzip1Decode(bomb, new Uint8Array(size), 5, inflater), 'CORRUPT_DATA');
    }
  });
});

test('both inflaters agree on valid gzip and zlib streams', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 0, max: 9 }), (data, level) => {
      const gz = new Uint8Array(gzipSync(data, { level }));
      for (const [, inflater] of inflaters) {
        expect(inflater(gz, data.length)).toEqual(data);
        expect(inflater(gz, data.length + 100)).toEqual(data);
      }
    }),
    { numRuns: 60 },
  );
});
