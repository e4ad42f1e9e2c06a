import { extendedList, oldList, plioEncode, wordsToBytes } from '../helpers/encoders.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plioDecode } from '../../src/codecs/plio/decode.js';
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

function decode(src: Uint8Array, n: number) {
  return decodeGuarded(Int32Array, n, src, (s, out) => plioDecode(s, out));
}

function decodeOk(src: Uint8Array, n: number): number[] {
  const { out, error } = decode(src, n);
  expect(error).toBeUndefined();
  return Array.from(out);
}

function expectCorrupt(src: Uint8Array, n: number): void {
  const { error } = decode(src, n);
  expect(isFitsError(error, 'CORRUPT_DATA'), String(error)).toBe(true);
}

// ------------------------------------------------------------------ test-only encoder

const maskRow = fc
  .array(
    fc.tuple(
      fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 2 ** 27 - 1 })),
      fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5000 })),
    ),
    { maxLength: 16 },
  )
  .map((runs) => {
    const n = runs.reduce((s, [, c]) => s + c, 0);
    const out = new Int32Array(n);
    let i = 0;
    for (const [v, c] of runs) {
      out.fill(v, i, i + c);
      i += c;
    }
    return out;
  });

// ------------------------------------------------------------------ reference vectors

describe('plioDecode: reference tiles (fixtures from astropy, fpack, fitsio, CFITSIO)', () => {
  for (const c of loadCases('plio')) {
    it(`${c.name} (${c.source})`, () => {
      for (const t of c.tiles) {
        const expected = expectedOf(t, Int32Array);
        const { out, error } = decode(fromBase64(t.compressed), t.npix);
        expect(error, `tile ${t.tile}`).toBeUndefined();
        expectSameValues(out, expected, `tile ${t.tile} ${t.label ?? ''}`);
        expect(sha256Hex(out)).toBe(t.sha256);
      }
    });
  }
});

describe.skipIf(!haveCorpus)('plioDecode: every PLIO_1 tile of the shared corpus', () => {
  for (const entry of loadCorpusIndex().filter((e) => e.codec === 'PLIO_1')) {
    it(entry.path, () => {
      corpusTiles(entry).forEach((src, k) => {
        const out = new Int32Array(tilePixelCount(entry.shape, entry.tile, k));
        plioDecode(src, out, k);
        expect(sha256Hex(out).slice(0, 8), `tile ${k}`).toBe(entry.digest[k]);
      });
    });
  }
});

// ------------------------------------------------------------------ instructions and headers
// Expected values below were checked against CFITSIO's pl_l2pi.

describe('plioDecode: instructions', () => {
  it('decodes each opcode', () => {
    expect(decodeOk(oldList([3]), 5)).toEqual([0, 0, 0, 0, 0]); // zeros, rest zero-filled
    expect(decodeOk(oldList([0x4002, 2]), 5)).toEqual([1, 1, 0, 0, 0]); // pv starts at 1
    expect(decodeOk(oldList([0x2004, 0x4002]), 3)).toEqual([5, 5, 0]); // pv += 4
    expect(decodeOk(oldList([0x2009, 0x3004, 0x4002]), 2)).toEqual([6, 6]); // pv -= 4
    expect(decodeOk(oldList([0x1005, 3, 0x4002]), 2)).toEqual([12293, 12293]); // pv = 3 << 12 | 5
    expect(decodeOk(oldList([0x2001, 0x5004]), 4)).toEqual([0, 0, 0, 2]); // 3 zeros then pv
    expect(decodeOk(oldList([0x6003, 0x7001, 0x6000]), 4)).toEqual([4, 3, 3, 0]); // step then one pixel
  });

  it('drops the closing pixel of instruction 5 when the run passes the end', () => {
    expect(decodeOk(oldList([0x2001, 0x5006]), 4)).toEqual([0, 0, 0, 0]);
    expect(decodeOk(oldList([0x2001, 0x5000, 0x4001]), 2)).toEqual([2, 0]); // data 0: nothing
  });

  it('keeps CFITSIO quirks: negative words, negative values', () => {
    // -4095 / 4096 truncates to opcode 0 with data 1; -32768 is opcode -8: ignored.
    expect(decodeOk(oldList([0x2004, -4095, -32768, 0x4003]), 8)).toEqual([0, 5, 5, 5, 0, 0, 0, 0]);
    expect(decodeOk(oldList([0x7003, 0x6001]), 4)).toEqual([-2, -1, 0, 0]);
    expect(decodeOk(oldList([0x1005, -2, 0x4002]), 3)).toEqual([-8187, -8187, 0]);
  });

  it('stops at the end of the tile and ignores the rest of the list', () => {
    expect(decodeOk(oldList([0x4fff, 0x4fff]), 3)).toEqual([1, 1, 1]);
    expect(decodeOk(oldList([0x6001, 0x6001, 0x6001]), 2)).toEqual([2, 3]);
  });

  it('reads the length from words 3 and 4 in the extended header, beyond 32767 words', () => {
    const ins = new Array<number>(40000).fill(0x6000); // 40000 × "pv += 0, one pixel"
    const src = extendedList(ins);
    expect(src.length).toBe(2 * 40007);
    const out = decodeOk(src, 40010);
    expect(out.slice(0, 40000).every((v) => v === 1)).toBe(true);
    expect(out.slice(40000)).toEqual(new Array(10).fill(0));
    // The length really is read from words 3/4: a smaller one cuts the list.
    const cut = src.slice();
    cut[6] = 0; // word 3 high byte
    cut[7] = 10; // word 3 = 10, word 4 = 1: 32778 words
    expect(decodeOk(cut, 40000).filter((v) => v === 1).length).toBe(32778 - 7);
  });

  it('starts the instructions after the header length given in word 1', () => {
    const src = wordsToBytes([0, 9, -100, 11, 0, 0, 0, 0x4005, 0x4005, 0x2001, 0x4002]);
    expect(decodeOk(src, 3)).toEqual([2, 2, 0]);
  });

  it('returns for an empty output without reading the input', () => {
    plioDecode(new Uint8Array(0), new Int32Array(0));
    plioDecode(new Uint8Array(1), new Int32Array(0));
  });
});

describe('plioDecode: malformed lists', () => {
  it('rejects an odd number of bytes', () => expectCorrupt(new Uint8Array([0, 0, 0, 3, 0]), 4));
  it('rejects a list shorter than its header', () => {
    expectCorrupt(wordsToBytes([0, 0]), 4);
    expectCorrupt(wordsToBytes([0, 7, -100, 5]), 4);
  });
  it('rejects a declared length beyond the data', () => {
    expectCorrupt(wordsToBytes([0, 0, 9, 0x4001]), 4);
    expectCorrupt(wordsToBytes([0, 7, -100, 20, 0, 0, 0, 0x4001]), 4);
    expectCorrupt(wordsToBytes([0, 7, -100, 8, 1, 0, 0, 0x4001]), 4);
  });
  it('rejects a non-positive extended length and a negative header length', () => {
    expectCorrupt(wordsToBytes([0, 7, -100, 0, 0, 0, 0]), 4);
    expectCorrupt(wordsToBytes([0, 7, -100, 7, -1, 0, 0]), 4);
    expectCorrupt(wordsToBytes([0, -3, -100, 7, 0, 0, 0]), 4);
  });
  it('rejects a set-value instruction without its second word', () => {
    expectCorrupt(oldList([0x1005]), 4);
  });
  it('puts the tile index in errors', () => {
    try {
      plioDecode(new Uint8Array(3), new Int32Array(2), 9);
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(FitsError);
      expect((e as FitsError).tile).toBe(9);
    }
  });
});

// ------------------------------------------------------------------ properties


describe('plioDecode: properties', () => {
  it('decode(encode(x)) == x, in both header forms', () => {
    fc.assert(
      fc.property(maskRow, fc.constantFrom<'old' | 'extended'>('old', 'extended'), (x, form) => {
        const src = plioEncode(x, form);
        fc.pre(form === 'extended' || src.length / 2 <= 32767);
        expectSameValues(decode(src, x.length).out, x);
      }),
      { numRuns: 400 },
    );
  });

  it('random bytes with any output length decode or throw CORRUPT_DATA', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.integer({ min: 0, max: 5000 }), (src, n) => {
        timed(() => decode(src, n));
      }),
      { numRuns: 500 },
    );
  });

  it('random words after a valid header decode or throw CORRUPT_DATA', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -32768, max: 32767 }), { maxLength: 300 }), fc.integer({ min: 0, max: 20000 }), (ins, n) => {
        timed(() => decode(extendedList(ins), n));
        timed(() => decode(oldList(ins), n));
      }),
      { numRuns: 300 },
    );
  });

  it('truncated, bit-flipped and mis-sized inputs decode or throw CORRUPT_DATA', () => {
    fc.assert(
      fc.property(
        maskRow,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.integer({ min: -100, max: 100 }),
        (x, cut, flips, delta) => {
          const src = plioEncode(x, 'extended');
          const truncated = src.subarray(0, Math.floor(cut * src.length));
          timed(() => decode(truncated, x.length));
          const flipped = src.slice();
          for (const f of flips) flipped[(f >>> 3) % flipped.length] ^= 1 << (f & 7);
          timed(() => decode(flipped, x.length));
          const n = Math.max(0, x.length + delta);
          const { out, error } = timed(() => decode(src, n));
          expect(error).toBeUndefined();
          const m = Math.min(n, x.length);
          expectSameValues(out.subarray(0, m), x.subarray(0, m));
          expect(out.subarray(m).every((v) => v === 0)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a huge output with a tiny list ends quickly', () => {
    const out = timed(() => decode(oldList([0x4fff]), 3_000_000)).out;
    expect(out[4094]).toBe(1);
    expect(out[4095]).toBe(0);
  });
});
