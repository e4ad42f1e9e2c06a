/**
 * Property tests: random binary tables (every TFORM, NaNs, nulls, zero rows,
 * P/Q arrays, heap gaps and unsorted heaps) written by a test-only writer read
 * back exactly — whole, by row and column subsets, and streamed in batches.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digestFile, open } from '../helpers/fitsflow.js';
import type { ByteSource } from '../../src/core/byte-source.js';
import { FitsFile } from '../../src/file/fits-file.js';
import { binaryTableFits } from '../fixtures/tables/write-bintable.js';
import { expectColumn, tableArb, writeOptionsArb } from './read-model.js';

/** A source with only the asynchronous read (like HTTP): exercises read-ahead. */
function asyncOnly(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    async read(offset, length, into) {
      const view = bytes.subarray(offset, Math.min(bytes.length, offset + length));
      if (!into) return view.slice();
      into.set(view);
      return into.subarray(0, view.length);
    },
  };
}

describe('random binary tables read back exactly', () => {
  it('whole table, memory and async sources, input untouched', async () => {
    await fc.assert(
      fc.asyncProperty(tableArb, writeOptionsArb, fc.boolean(), async ({ n, columns }, opts, viaAsync) => {
        const bytes = binaryTableFits(columns.map((c) => c.write), n, opts);
        const before = bytes.slice();
        const file = viaAsync ? new FitsFile(asyncOnly(bytes)) : await open(bytes);
        const hdu = await file.hdu(1);
        const t = await hdu.readTable();
        expect(t.numRows).toBe(n);
        columns.forEach((c, i) => expectColumn(t.columns[i]!, c.expect, 0, n, `${c.write.name} ${c.write.tform}`));
        await digestFile(file); // the digest reads every kind without error
        expect(bytes).toEqual(before);
      }),
      { numRuns: 300 },
    );
  });

  it('row ranges and column subsets equal the same slice of the whole', async () => {
    await fc.assert(
      fc.asyncProperty(tableArb, writeOptionsArb, fc.nat(), fc.nat(), fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), async ({ n, columns }, opts, a, b, picks) => {
        const bytes = binaryTableFits(columns.map((c) => c.write), n, opts);
        const hdu = await (await open(bytes)).hdu(1);
        const start = n === 0 ? 0 : a % (n + 1);
        const count = (n - start) === 0 ? 0 : b % (n - start + 1);
        const which = picks.map((p) => p % columns.length);
        const byIndex = await hdu.readTable({ columns: which, rows: { start, count } });
        const byName = await hdu.readTable({ columns: which.map((i) => columns[i]!.write.name), rows: { start, count } });
        expect(byIndex.numRows).toBe(count);
        which.forEach((ci, k) => {
          expectColumn(byIndex.columns[k]!, columns[ci]!.expect, start, count, `index ${ci}`);
          expectColumn(byName.columns[k]!, columns[ci]!.expect, start, count, `name ${ci}`);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('iterateTable batches concatenate to the whole table', async () => {
    await fc.assert(
      fc.asyncProperty(tableArb, fc.integer({ min: 1, max: 30 }), async ({ n, columns }, per) => {
        const bytes = binaryTableFits(columns.map((c) => c.write), n);
        const hdu = await (await open(bytes)).hdu(1);
        let start = 0;
        for await (const batch of hdu.iterateTable({ rows: per })) {
          expect(batch.numRows).toBe(Math.min(per, n - start));
          columns.forEach((c, i) => expectColumn(batch.columns[i]!, c.expect, start, batch.numRows, `batch@${start} ${c.write.tform}`));
          start += batch.numRows;
        }
        expect(start).toBe(n);
      }),
      { numRuns: 150 },
    );
  });
});

describe('TNULL', () => {
  it('marks nulls only when written as an integer (astropy: isinstance(tnull, int))', async () => {
    const cells = [[5], [-999], [7]];
    for (const [raw, nulls] of [['-999', [false, true, false]], ['-999.0', [false, false, false]]] as const) {
      const bytes = binaryTableFits([{ name: 'A', tform: 'J', cells, keywords: { TNULL: { raw } } }], 3);
      const col = (await (await (await open(bytes)).hdu(1)).readTable()).columns[0]!;
      expect([0, 1, 2].map((i) => !(col.validity ? (col.validity[0]! >> i) & 1 : 1))).toEqual(nulls);
      expect(Array.from(col.data as Int32Array)).toEqual([5, -999, 7]);
    }
  });
});
