/**
 * Bad input: truncated, flipped and oversized files give FitsErrors — never
 * another exception, a hang, or a giant allocation.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { open, digestFile, FitsError } from '../helpers/fitsflow.js';
import { corpusPath, loadManifest } from '../helpers/corpus.js';

/** Digest the bytes; return 'ok' or the FitsError code. Anything else fails the test. */
async function outcome(bytes: Uint8Array): Promise<string> {
  let result: string;
  try {
    const f = await open(bytes.slice()); // a copy: a user's bytes are never modified
    await digestFile(f);
    result = 'ok';
  } catch (e) {
    if (!(e instanceof FitsError)) throw e;
    result = e.code;
  }
  return result;
}

const files = loadManifest().files.map((f) => f.path).filter((p) => !p.includes('bintable_big'));

describe('truncated files', () => {
  it('every block boundary of every corpus file gives ok or a FitsError', async () => {
    let cases = 0;
    for (const path of files) {
      const bytes = new Uint8Array(readFileSync(corpusPath(path)));
      const copy = bytes.slice();
      for (let cut = 0; cut < bytes.length; cut += 2880) {
        const r = await outcome(bytes.subarray(0, cut));
        expect(typeof r).toBe('string');
        cases++;
      }
      expect(bytes).toEqual(copy);
    }
    expect(cases).toBeGreaterThan(1000);
  });

  it('random cut points', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...files), fc.double({ min: 0, max: 1, noNaN: true }), async (path, frac) => {
        const bytes = new Uint8Array(readFileSync(corpusPath(path)));
        const r = await outcome(bytes.subarray(0, Math.floor(bytes.length * frac)));
        expect(typeof r).toBe('string');
      }),
      { numRuns: 200 },
    );
  });
});

describe('flipped bytes', () => {
  it('in header cards', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...files),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2879 * 2 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        async (path, flips) => {
          const bytes = new Uint8Array(readFileSync(corpusPath(path)));
          for (const [at, v] of flips) if (at < bytes.length) bytes[at] = v;
          expect(typeof (await outcome(bytes))).toBe('string');
        },
      ),
      { numRuns: 400 },
    );
  });

  it('digits of NAXISn, BITPIX, PCOUNT replaced by huge or negative values', async () => {
    const keys = ['NAXIS1', 'NAXIS2', 'NAXIS3', 'NAXIS', 'BITPIX', 'PCOUNT', 'GCOUNT', 'TFIELDS', 'ZNAXIS1', 'ZTILE1', 'THEAP'];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...files),
        fc.constantFrom(...keys),
        fc.constantFrom('99999999999999999999', '-1', '0', '4294967296', '999999999', '1e300', "'x'", '2147483648'),
        async (path, key, value) => {
          const bytes = new Uint8Array(readFileSync(corpusPath(path)));
          const text = String.fromCharCode(...bytes.subarray(0, Math.min(bytes.length, 2880 * 4)));
          const at = text.indexOf(key.padEnd(8) + '= ');
          if (at < 0 || at % 80 !== 0) return;
          const field = value.padStart(20).slice(-20);
          for (let i = 0; i < 20; i++) bytes[at + 10 + i] = field.charCodeAt(i);
          expect(typeof (await outcome(bytes))).toBe('string');
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('random bytes', () => {
  it('never crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 9000 }), fc.boolean(), async (junk, fitsPrefix) => {
        const bytes = fitsPrefix ? new Uint8Array([...Array.from('SIMPLE  =                    T', (c) => c.charCodeAt(0)), ...junk]) : junk;
        expect(typeof (await outcome(bytes))).toBe('string');
      }),
      { numRuns: 300 },
    );
  });
});
