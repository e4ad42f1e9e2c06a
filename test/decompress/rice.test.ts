import { riceEncode } from '../helpers/encoders.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { riceDecode } from '../../src/codecs/rice/decode.js';
import { FitsError, isFitsError } from '../../src/core/errors.js';
import { timed } from '../helpers/timed.js';
import {
  corpusTiles,
  decodeGuarded,
  expectSameValues,
  expectedOf,
  fromBase64,
  haveCorpus,
  loadCases,
  loadCorpusIndex,
  sha256Hex,
  tilePixelCount,
} from './codec-fixtures.js';

type Bytepix = 1 | 2 | 4;
const ARRAY_TYPE = { 1: Uint8Array, 2: Int16Array, 4: Int32Array } as const;

// ------------------------------------------------------------------ test-only encoder

function pixelArray(bytepix: Bytepix, maxLength = 400) {
  return fc
    .array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer()), { minLength: 1, maxLength })
    .map((steps) => {
      const out = new ARRAY_TYPE[bytepix](steps.length);
      let v = 0;
      for (let i = 0; i < steps.length; i++) {
        const [mode, r] = steps[i];
        v = mode === 0 ? v : mode === 1 ? v + (r % 5) : mode === 2 ? v + (r % 1000) : r;
        v |= 0;
        out[i] = v;
      }
      return out;
    });
}

const bytepixArb = fc.constantFrom<Bytepix>(1, 2, 4);

function decode(src: Uint8Array, bytepix: Bytepix, n: number, blockSize: number) {
  return decodeGuarded(ARRAY_TYPE[bytepix] as Int32ArrayConstructor, n, src, (s, out) => riceDecode(s, out, blockSize));
}

function expectCorrupt(f: () => void): void {
  try {
    f();
  } catch (e) {
    expect(isFitsError(e, 'CORRUPT_DATA'), String(e)).toBe(true);
    return;
  }
  throw new Error('expected a CORRUPT_DATA FitsError');
}

// ------------------------------------------------------------------ reference vectors

describe('riceDecode: reference tiles (fixtures from fpack, astropy, fitsio, CFITSIO)', () => {
  for (const c of loadCases('rice')) {
    it(`${c.name} (${c.source}, BYTEPIX ${c.bytepix}, BLOCKSIZE ${c.blocksize ?? 'per tile'})`, () => {
      const bytepix = c.bytepix as Bytepix;
      for (const t of c.tiles) {
        const blockSize = t.blocksize ?? (c.blocksize as number);
        const src = fromBase64(t.compressed);
        const expected = expectedOf(t, ARRAY_TYPE[bytepix]);
        const { out, error } = decode(src, bytepix, t.npix, blockSize);
        expect(error, `tile ${t.tile}`).toBeUndefined();
        expectSameValues(out, expected, `tile ${t.tile}`);
        expect(sha256Hex(out)).toBe(t.sha256);
        // The test encoder reproduces the writer's bytes: it is CFITSIO's algorithm.
        expectSameValues(riceEncode(expected, bytepix, blockSize), src, `re-encoding tile ${t.tile}`);
      }
    });
  }

  it('covers BYTEPIX 1, 2, 4 with BLOCKSIZE 16 and 32 from every writer', () => {
    const cases = loadCases('rice');
    const seen = new Set(cases.map((c) => `${c.bytepix}/${c.blocksize}/${c.writer}`));
    for (const bp of [1, 2, 4]) {
      for (const w of ['fpack', 'astropy']) expect(seen).toContain(`${bp}/32/${w}`);
      expect(seen).toContain(`${bp}/16/astropy`);
    }
    expect(seen).toContain('2/32/fitsio');
  });
});

describe.skipIf(!haveCorpus)('riceDecode: every RICE_1 tile of the shared corpus', () => {
  for (const entry of loadCorpusIndex().filter((e) => e.codec === 'RICE_1')) {
    it(entry.path, () => {
      const bytepix = entry.bytepix as Bytepix;
      const tiles = corpusTiles(entry);
      tiles.forEach((src, k) => {
        const digest = entry.digest[k];
        if (digest === null) return; // stored as GZIP_COMPRESSED_DATA, not Rice
        const out = new ARRAY_TYPE[bytepix](tilePixelCount(entry.shape, entry.tile, k));
        riceDecode(src, out, entry.blocksize as number, k);
        expect(sha256Hex(out).slice(0, 8), `tile ${k}`).toBe(digest);
      });
    });
  }
});

// ------------------------------------------------------------------ edge cases

describe('riceDecode: edge cases', () => {
  it('round-trips the extremes of each width (modular accumulation)', () => {
    const cases: [Bytepix, number[]][] = [
      [1, [0, 255, 0, 128, 127, 255, 1]],
      [2, [32767, -32768, 32767, 0, -1, -32768, 1]],
      [4, [2147483647, -2147483648, 2147483647, 0, -1, -2147483648, 1]],
    ];
    for (const [bp, vals] of cases) {
      const x = ARRAY_TYPE[bp].from(vals);
      for (const bs of [1, 2, 3, 32]) {
        const { out, error } = decode(riceEncode(x, bp, bs), bp, x.length, bs);
        expect(error).toBeUndefined();
        expect(out).toEqual(x);
      }
    }
  });

  it('decodes unary codes longer than 64 bits', () => {
    for (const bp of [1, 2, 4] as const) {
      const x = new ARRAY_TYPE[bp](2000);
      x[1000] = bp === 1 ? 200 : 30000;
      const src = riceEncode(x, bp, 2000);
      const { out, error } = decode(src, bp, x.length, 2000);
      expect(error).toBeUndefined();
      expect(out).toEqual(x);
    }
  });

  it('takes the low-entropy (all zero differences) and high-entropy (raw) blocks', () => {
    const flat = new Int16Array(64).fill(-7);
    const flatSrc = riceEncode(flat, 2, 32);
    expect(flatSrc.length).toBe(3); // raw first value + two 4-bit zero codes
    expect(decode(flatSrc, 2, 64, 32).out).toEqual(flat);

    const noisy = Int32Array.from({ length: 64 }, (_, i) => Math.imul(i + 1, 0x9e3779b9));
    const noisySrc = riceEncode(noisy, 4, 32);
    expect(noisySrc[4] >>> 3).toBe(26); // code fsmax + 1: raw 32-bit differences
    expect(decode(noisySrc, 4, 64, 32).out).toEqual(noisy);
  });

  it('returns for an empty output without reading the input', () => {
    riceDecode(new Uint8Array(0), new Int16Array(0), 32);
    riceDecode(new Uint8Array(0), new Uint8Array(0), 32);
  });

  it('accepts unused bytes after the stream, as CFITSIO does', () => {
    const x = Int16Array.from([5, 6, 7, 8, 100, -100]);
    const src = new Uint8Array([...riceEncode(x, 2, 32), 1, 2, 3]);
    expect(decode(src, 2, x.length, 32).out).toEqual(x);
  });

  it('rejects input shorter than the first value plus one byte', () => {
    expectCorrupt(() => riceDecode(new Uint8Array([0, 1]), new Int16Array(1), 32));
    expectCorrupt(() => riceDecode(new Uint8Array([0, 0, 0, 0]), new Int32Array(5), 32, 3));
  });

  it('rejects 32-bit block codes above fsmax + 1', () => {
    for (const code of [27, 28, 31]) {
      expectCorrupt(() => riceDecode(new Uint8Array([0, 0, 0, 0, code << 3, 0, 0, 0]), new Int32Array(4), 32));
    }
  });

  it('rejects a block size that is not a positive integer', () => {
    for (const bs of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expectCorrupt(() => riceDecode(new Uint8Array([0, 0, 0]), new Int16Array(4), bs));
    }
  });

  it('accepts a block size larger than the tile', () => {
    const x = Int16Array.from({ length: 50 }, (_, i) => (i * i) % 97);
    expect(decode(riceEncode(x, 2, 50), 2, 50, 2 ** 31).out).toEqual(x);
    expect(decode(riceEncode(x, 2, 50), 2, 50, Number.MAX_SAFE_INTEGER).out).toEqual(x);
  });

  it('rejects output arrays of other types', () => {
    const src = new Uint8Array([0, 0, 0]);
    for (const out of [new Uint8ClampedArray(2), new Float32Array(2), new Uint16Array(2)]) {
      let err: unknown;
      try {
        riceDecode(src, out as unknown as Int16Array, 32, 4);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FitsError);
      expect((err as FitsError).code).toBe('BAD_ARGUMENT');
    }
  });

  it('puts the tile index in errors', () => {
    try {
      riceDecode(new Uint8Array([1]), new Int16Array(3), 32, 17);
      throw new Error('no error');
    } catch (e) {
      expect(isFitsError(e, 'CORRUPT_DATA')).toBe(true);
      expect((e as FitsError).tile).toBe(17);
    }
  });

  it('decodes tiles larger than the reusable scratch buffer, then small ones again', () => {
    const big = Int32Array.from({ length: 300_000 }, (_, i) => Math.imul(i, 0x2545f491) ^ (i >>> 3));
    const bigSrc = riceEncode(big, 4, 32);
    expect(bigSrc.length).toBeGreaterThan(4 << 18); // past the scratch limit
    const out = new Int32Array(big.length);
    riceDecode(bigSrc, out, 32);
    expectSameValues(out, big);
    const small = Int32Array.from([1, 2, 3, 4, 5]);
    expect(decode(riceEncode(small, 4, 32), 4, 5, 32).out).toEqual(small);
  });
});

// ------------------------------------------------------------------ properties


describe('riceDecode: properties', () => {
  it('decode(encode(x)) == x for every width and block size', () => {
    fc.assert(
      fc.property(
        bytepixArb.chain((bp) => fc.tuple(fc.constant(bp), pixelArray(bp), fc.integer({ min: 1, max: 80 }))),
        ([bp, x, bs]) => {
          const { out, error } = decode(riceEncode(x, bp, bs), bp, x.length, bs);
          expect(error).toBeUndefined();
          expectSameValues(out, x);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('a truncated stream always throws CORRUPT_DATA', () => {
    fc.assert(
      fc.property(
        bytepixArb.chain((bp) => fc.tuple(fc.constant(bp), pixelArray(bp), fc.integer({ min: 1, max: 64 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }))),
        ([bp, x, bs, cut]) => {
          const src = riceEncode(x, bp, bs);
          const short = src.subarray(0, Math.floor(cut * src.length));
          const { error } = timed(() => decode(short, bp, x.length, bs));
          expect(error).toBeInstanceOf(FitsError);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('bit-flipped streams decode or throw CORRUPT_DATA, within bounds', () => {
    fc.assert(
      fc.property(
        bytepixArb.chain((bp) =>
          fc.tuple(fc.constant(bp), pixelArray(bp), fc.integer({ min: 1, max: 64 }), fc.array(fc.nat(), { minLength: 1, maxLength: 8 })),
        ),
        ([bp, x, bs, flips]) => {
          const src = riceEncode(x, bp, bs);
          for (const f of flips) src[(f >>> 3) % src.length] ^= 1 << (f & 7);
          timed(() => decode(src, bp, x.length, bs));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('random bytes with any output length and block size decode or throw CORRUPT_DATA', () => {
    fc.assert(
      fc.property(
        bytepixArb,
        fc.uint8Array({ maxLength: 600 }),
        fc.integer({ min: 0, max: 5000 }),
        fc.oneof(fc.integer({ min: 1, max: 64 }), fc.constantFrom(0, -1, 1.5, Number.NaN, 2 ** 31, 2 ** 53)),
        (bp, src, n, bs) => {
          const { error } = timed(() => decode(src, bp, n, bs));
          if (!(Number.isInteger(bs) && bs > 0)) expect(error).toBeDefined();
        },
      ),
      { numRuns: 500 },
    );
  });

  it('an output shorter than the tile gets its prefix; a longer one decodes or throws', () => {
    fc.assert(
      fc.property(
        bytepixArb.chain((bp) => fc.tuple(fc.constant(bp), pixelArray(bp), fc.integer({ min: 1, max: 64 }), fc.integer({ min: -50, max: 200 }))),
        ([bp, x, bs, delta]) => {
          const n = Math.max(0, x.length + delta);
          const { out, error } = timed(() => decode(riceEncode(x, bp, bs), bp, n, bs));
          if (n <= x.length) expect(error).toBeUndefined();
          if (error === undefined) expectSameValues(out.subarray(0, Math.min(n, x.length)), x.subarray(0, Math.min(n, x.length)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a huge output with a few bytes of input ends quickly', () => {
    for (const bp of [1, 2, 4] as const) {
      const src = new Uint8Array(bp + 3).fill(0xff);
      const { error } = timed(() => decode(src, bp, 5_000_000, 32));
      expect(error).toBeDefined();
    }
  });
});
