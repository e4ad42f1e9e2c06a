/** Filter and sort on tables as the reader returns them (corpus files). */
import { describe, expect, it } from 'vitest';
import { open } from '../helpers/fitsflow.js';
import { corpusPath } from '../helpers/corpus.js';
import { cellSize } from '../../src/table/column.js';
import type { FitsTable, Cell } from '../../src/table/ops/fits-table.js';

async function readFirstTable(path: string): Promise<FitsTable> {
  const file = await open(corpusPath(path));
  try {
    for (const hdu of await file.hdus()) if (hdu.kind === 'bintable' || hdu.kind === 'table') return await hdu.readTable();
    throw new Error('no table');
  } finally {
    await file.close();
  }
}

/** Reference order: nulls last, NaN after numbers, stable. */
function refOrder(values: Cell[], desc: boolean): number[] {
  const idx = values.map((_, i) => i);
  const cmp = (x: Cell, y: Cell): number => {
    if (x === null || y === null) return x === null && y === null ? 0 : x === null ? 1 : -1;
    if (typeof x === 'number' && typeof y === 'number' && (Number.isNaN(x) || Number.isNaN(y))) {
      return Number.isNaN(x) && Number.isNaN(y) ? 0 : Number.isNaN(x) ? 1 : -1;
    }
    const c = (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0;
    return desc ? -c : c;
  };
  return idx.sort((a, b) => cmp(values[a]!, values[b]!));
}

describe('operations on reader tables', () => {
  it('sorts every sortable column of the corpus tables like a comparator sort', async () => {
    for (const path of ['tables/bintable_all_tforms.fits', 'tables/bintable_big.fits', 'tables/bintable_fitsio.fits', 'ascii/ascii_table.fits']) {
      // 30000 rows of the big table are plenty (and keep the comparator sort quick).
      const t = (await readFirstTable(path)).slice(0, 30000);
      const rows = [...t.rows()];
      for (const col of t.columns) {
        if (col.cellShape === null || cellSize(col) !== 1 || col.dtype === 'complex64' || col.dtype === 'complex128') continue;
        const values = rows.map((r) => r[col.name]!);
        for (const desc of [false, true]) {
          const got = t.sortIndices(col.name, { descending: desc });
          const want = refOrder(values, desc);
          let diff = -1;
          for (let i = 0; i < want.length && diff < 0; i++) if (got[i] !== want[i]) diff = i;
          expect(diff, `${path} ${col.name} desc=${desc}`).toBe(-1);
        }
      }
    }
  });

  it('filters the big event list like a row-by-row check', async () => {
    const t = await readFirstTable('tables/bintable_big.fits');
    const rows = [...t.rows()];
    const cases: [string, (r: Record<string, Cell>) => boolean][] = [
      ['PHA > 100 && PI <= 500', (r) => (r.PHA as number) > 100 && (r.PI as number) <= 500],
      ['ENERGY < 2.5 || FLAG', (r) => (r.ENERGY as number) < 2.5 || r.FLAG === true],
      ["SRC == 'src001' && !FLAG", (r) => r.SRC === 'src001' && r.FLAG === false],
      ['VEC[2] > X / 100', (r) => ((r.VEC as Float32Array)[2] as number) > (r.X as number) / 100],
      ['ID % 7 == 3', (r) => Number(r.ID as bigint) % 7 === 3],
      ['sqrt(X * X + Y * Y) < 500 and CCD != 2', (r) => Math.sqrt((r.X as number) ** 2 + (r.Y as number) ** 2) < 500 && r.CCD !== 2],
    ];
    for (const [expr, f] of cases) {
      const want: number[] = [];
      rows.forEach((r, i) => f(r) && want.push(i));
      const got = Array.from(t.filterIndices(expr));
      expect(got.length, expr).toBe(want.length);
      expect(got, expr).toEqual(want);
    }
    // Chained view operations keep rows intact.
    const out = t.filter('PHA > 100').sort(['CCD', 'TIME'], { descending: [false, true] }).select(['CCD', 'TIME', 'SRC']).head(5);
    const ref = rows
      .map((r, i) => ({ r, i }))
      .filter(({ r }) => (r.PHA as number) > 100)
      .sort((a, b) => (a.r.CCD as number) - (b.r.CCD as number) || (b.r.TIME as number) - (a.r.TIME as number) || a.i - b.i)
      .slice(0, 5)
      .map(({ r }) => ({ CCD: r.CCD, TIME: r.TIME, SRC: r.SRC }));
    expect([...out.rows()]).toEqual(ref);
  });
});
