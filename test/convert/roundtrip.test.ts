/**
 * FITS → Parquet / Arrow IPC → FITS is lossless over every table of the test
 * corpus (every TFORM, TDIM cells, VLAs, unsigned and scaled columns, TNULL,
 * ASCII tables, zero rows), and DuckDB (an independent reader) reads every
 * Parquet file written with the same row count and the same scalar values.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { corpusPath, loadManifest } from '../helpers/corpus.js';
import { open } from '../helpers/fitsflow.js';
import { convertTable, formatOfPath } from '../../src/convert/convert.js';
import { nodeConvertIo } from '../../src/node/convert.js';
import { ParquetTableReader } from '../../src/convert/parquet.js';
import { binaryTform, tableMetaFromHeader } from '../../src/convert/table-meta.js';
import type { FitsTable } from '../../src/table/ops/fits-table.js';
import { duckdb, expectSameTable, sqlString } from './helpers.js';

interface Case {
  path: string;
  hdu: number;
}

const cases: Case[] = [];
for (const f of loadManifest().files) {
  if (!f.digest) continue;
  const hdus = (f.digest as { hdus: { kind: string; index: number }[] }).hdus;
  for (const h of hdus) if (h.kind === 'bintable' || h.kind === 'table') cases.push({ path: f.path, hdu: h.index });
}

const dir = mkdtempSync(join(tmpdir(), 'fitsflow-convert-'));
const io = nodeConvertIo();

async function readFitsTable(path: string, hdu: number): Promise<{ table: FitsTable; meta: ReturnType<typeof tableMetaFromHeader> }> {
  const f = await open(path);
  try {
    const h = await f.hdu(hdu);
    const table = await h.readTable();
    return { table, meta: tableMetaFromHeader(h.header, table.columns) };
  } finally {
    await f.close();
  }
}

describe('FITS → Parquet → FITS over the corpus', () => {
  it('has table cases', () => expect(cases.length).toBeGreaterThan(8));

  for (const c of cases) {
    it(`${c.path} HDU ${c.hdu}`, async () => {
      const src = corpusPath(c.path);
      const orig = await readFitsTable(src, c.hdu);
      const stem = `${c.path.replace(/[/.]/g, '_')}_${c.hdu}`;
      const pq = join(dir, `${stem}.parquet`);
      const back = join(dir, `${stem}.fits`);
      await convertTable(src, pq, io, { hdu: c.hdu, to: 'parquet', from: 'fits' });

      // fitsflow reads its own Parquet back exactly.
      const reader = await ParquetTableReader.open(new Uint8Array(readFileSync(pq)));
      expect(reader.hasFitsMeta).toBe(true);
      const fromPq = await reader.read();
      expectSameTable(fromPq, orig.table, `${stem} parquet`, { formats: false });

      // FITS again: same cells, same column keywords.
      await convertTable(pq, back, io);
      const again = await readFitsTable(back, 1);
      // ASCII tables become binary tables: other TFORMs, NaN for null floats, integer TNULLs.
      const ascii = orig.table.columns.some((col) => binaryTform(col) !== col.format);
      expectSameTable(again.table, orig.table, `${stem} fits`, { formats: !ascii, floatNullsAsNaN: ascii });
      const strip = (m: typeof orig.meta) => ({ ...m, columns: m.columns.map((x) => ({ ...x, tform: x.tform.replace(/\(\d*\)$/, ''), ...(ascii ? { tnull: undefined } : {}) })) });
      expect(strip(again.meta).columns).toEqual(strip(orig.meta).columns);
      expect(again.meta.cards.map((k) => k.keyword)).toEqual(orig.meta.cards.map((k) => k.keyword));

      // DuckDB: same rows, same values of scalar numeric, logical and string columns.
      const db = await duckdb();
      const [{ n }] = (await db.all(`select count(*)::bigint as n from read_parquet(${sqlString(pq)})`)) as { n: string }[];
      expect(Number(n)).toBe(orig.table.numRows);
      const scalars = orig.table.columns.filter((col) => col.cellShape && col.cellShape.length === 0 && !col.offsets && col.dtype !== 'complex64' && col.dtype !== 'complex128');
      if (scalars.length && orig.table.numRows) {
        const cols = scalars.map((col) => `"${col.name.replace(/"/g, '""')}"::varchar as "${col.name.replace(/"/g, '""')}"`).join(', ');
        const rows = await db.all(`select ${cols} from read_parquet(${sqlString(pq)}) limit 2000`);
        rows.forEach((row, r) => {
          const want = orig.table.row(r);
          for (const col of scalars) {
            const v = want[col.name];
            const got = row[col.name];
            if (v === null) expect(got, `${stem} duckdb ${col.name} row ${r}`).toBeNull();
            else if (typeof v === 'number') expect(col.dtype === 'float32' ? Math.fround(duckNumber(got)) : duckNumber(got), `${stem} duckdb ${col.name} row ${r}`).toBe(v);
            else if (typeof v === 'bigint') expect(got).toBe(v.toString());
            else if (typeof v === 'boolean') expect(got).toBe(String(v));
            else expect(got).toBe(v);
          }
        });
      }
    });
  }
});

describe('FITS → Arrow IPC → FITS over the corpus', () => {
  for (const c of cases.filter((x) => x.path.startsWith('tables/') && !x.path.includes('big'))) {
    for (const ext of ['arrow', 'arrows']) {
      it(`${c.path} via .${ext}`, async () => {
        const src = corpusPath(c.path);
        const orig = await readFitsTable(src, c.hdu);
        const stem = `${c.path.replace(/[/.]/g, '_')}_${c.hdu}`;
        const mid = join(dir, `${stem}.${ext}`);
        const back = join(dir, `${stem}-${ext}.fits`);
        expect(formatOfPath(mid)).toBe(ext);
        await convertTable(src, mid, io, { hdu: c.hdu });
        await convertTable(mid, back, io);
        const again = await readFitsTable(back, 1);
        expectSameTable(again.table, orig.table, `${stem} ${ext}`);
        expect(again.meta.columns).toEqual(orig.meta.columns.map((m) => ({ ...m, tform: again.meta.columns.find((x) => x.name === m.name)!.tform })));
      });
    }
  }
});

/** A number as DuckDB prints it (inf, -inf, nan). */
function duckNumber(s: unknown): number {
  const t = String(s).toLowerCase();
  return t === 'inf' ? Infinity : t === '-inf' ? -Infinity : t === 'nan' || t === '-nan' ? NaN : Number(s);
}
