/** verifyFile on randomly damaged files: a report or a FitsError, never another exception. */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { FitsError, open } from '../helpers/fitsflow.js';
import { verifyFile } from '../../src/verify/verify-file.js';
import { corpusPath } from '../helpers/corpus.js';

const samples = ['tables/bintable_vla.fits', 'ascii/ascii_table.fits', 'images/blank_int16.fits'].map((p) => new Uint8Array(readFileSync(corpusPath(p))));

describe('verifyFile fuzz', () => {
  it('damaged headers and data', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(samples.length - 1),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 12 }),
        fc.option(fc.nat(), { nil: undefined }),
        async (which, edits, cut) => {
          const base = samples[which]!;
          const b = base.slice(0, cut === undefined ? base.length : cut % (base.length + 1));
          // Most edits land in the first header, where the checks are.
          for (const [at, v] of edits) if (b.length) b[at % Math.min(b.length, 8640)] = v;
          try {
            await verifyFile(await open(b), { checksums: true });
          } catch (e) {
            if (!(e instanceof FitsError)) throw e;
          }
        },
      ),
      { numRuns: 400 },
    );
  }, 120_000);
});
