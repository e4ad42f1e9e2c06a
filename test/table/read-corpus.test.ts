/**
 * Every table, ASCII-table and random-groups HDU of the corpus gives its
 * reference digest (DIGEST.md §4, §5); subsets and batches of corpus tables
 * equal the corresponding slices of the whole read.
 */
import { describe, expect, it } from 'vitest';
import { digestHdu, open } from '../helpers/fitsflow.js';
import { compareDigest } from '../helpers/compare-digest.js';
import { expectSameRows, tableCorpusPath, tableManifest } from './read-helpers.js';

const TABLE_KINDS = new Set(['bintable', 'table', 'random-groups']);
type HduRef = { index: number; kind: string; [k: string]: unknown };

const files = tableManifest.files
  .map((f) => ({ path: f.path, hdus: ((f.digest as { hdus?: HduRef[] } | null)?.hdus ?? []).filter((h) => TABLE_KINDS.has(h.kind)) }))
  .filter((f) => f.hdus.length > 0);

describe('corpus table digests', () => {
  it('covers the table, ASCII and random-groups files', () => {
    const paths = files.map((f) => f.path);
    for (const p of ['tables/bintable_all_tforms.fits', 'tables/bintable_vla.fits', 'ascii/ascii_raw.fits', 'groups/random_groups_int16_scaled.fits', 'mef/mixed_kinds.fits', 'compressed/fpack/mef.fits.fz']) {
      expect(paths).toContain(p);
    }
  });

  for (const f of files) {
    it(f.path, async () => {
      const file = await open(tableCorpusPath(f.path));
      try {
        for (const want of f.hdus) {
          const got = await digestHdu(await file.hdu(want.index));
          expect(compareDigest(JSON.parse(JSON.stringify(got)), want as never), `HDU ${want.index}`).toEqual([]);
        }
      } finally {
        await file.close();
      }
    });
  }
});

describe('corpus tables: subsets and batches equal slices of the whole', () => {
  for (const f of files) {
    for (const h of f.hdus.filter((x) => x.kind !== 'random-groups')) {
      it(`${f.path} HDU ${h.index}`, async () => {
        const file = await open(tableCorpusPath(f.path));
        try {
          const hdu = await file.hdu(h.index);
          const whole = await hdu.readTable();
          const n = whole.numRows;
          // a few row ranges, including empty and single-row ones
          for (const [start, count] of [[0, n], [0, 0], [n, 0], [Math.floor(n / 3), Math.ceil(n / 4)], [n - 1, n ? 1 : 0]]) {
            if (start! < 0 || start! + count! > n) continue;
            const part = await hdu.readTable({ rows: { start: start!, count: count! } });
            part.columns.forEach((c, i) => expectSameRows(c, whole.columns[i]!, start!, count!));
          }
          // columns in reverse order, by name and by index
          const reversed = whole.columns.map((_, i) => whole.columns.length - 1 - i);
          const byIndex = await hdu.readTable({ columns: reversed });
          byIndex.columns.forEach((c, k) => expectSameRows(c, whole.columns[reversed[k]!]!, 0, n));
          // batches of 7 rows (big tables: about 40 batches)
          let start = 0;
          for await (const b of hdu.iterateTable({ rows: Math.max(7, Math.ceil(n / 40)) })) {
            b.columns.forEach((c, i) => expectSameRows(c, whole.columns[i]!, start, b.numRows));
            start += b.numRows;
          }
          expect(start).toBe(n);
        } finally {
          await file.close();
        }
      });
    }
  }
});
