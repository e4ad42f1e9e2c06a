/**
 * Column types through Parquet, checked value by value with DuckDB; Parquet
 * files written by DuckDB read by fitsflow; CSV read by pandas and DuckDB;
 * damaged inputs refused with FitsErrors; the CSV parser fuzzed.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { FitsTable } from '../../src/table/ops/fits-table.js';
import type { Column } from '../../src/table/column.js';
import { ParquetTableReader, tableToParquet, readParquet, MemoryOutput } from '../../src/convert/parquet.js';
import { readCsv, writeCsv, parseCsvRecords } from '../../src/convert/csv.js';
import { convertTable } from '../../src/convert/convert.js';
import { nodeConvertIo, writeTableParquet } from '../../src/node/convert.js';
import { FITS_META_KEY } from '../../src/convert/table-meta.js';
import { main } from '../../src/cli/main.js';
import { open } from '../helpers/fitsflow.js';
import { FitsError } from '../../src/core/errors.js';
import { duckdb, expectSameTable, sqlString } from './helpers.js';
import { itWithPython, python, tempDir } from '../healpix/python-ref.js';

const dir = tempDir('fitsflow-types-');

function bits(valid: boolean[]): Uint8Array {
  const v = new Uint8Array((valid.length + 7) >>> 3);
  valid.forEach((ok, i) => ok && (v[i >>> 3]! |= 1 << (i & 7)));
  return v;
}

/** Four rows of every column kind, with extremes and nulls. */
function typesTable(): FitsTable {
  const cols: Column[] = [
    { name: 'u8', dtype: 'uint8', format: 'B', cellShape: [], length: 4, data: Uint8Array.from([0, 255, 7, 128]) },
    { name: 'i8', dtype: 'int8', format: 'B', cellShape: [], length: 4, data: Int8Array.from([-128, 127, 0, -1]) },
    { name: 'i16', dtype: 'int16', format: 'I', cellShape: [], length: 4, data: Int16Array.from([-32768, 32767, 0, 5]), validity: bits([true, true, false, true]) },
    { name: 'u16', dtype: 'uint16', format: 'I', cellShape: [], length: 4, data: Uint16Array.from([0, 65535, 32768, 1]) },
    { name: 'i32', dtype: 'int32', format: 'J', cellShape: [], length: 4, data: Int32Array.from([-2147483648, 2147483647, 0, -7]) },
    { name: 'u32', dtype: 'uint32', format: 'J', cellShape: [], length: 4, data: Uint32Array.from([0, 4294967295, 2147483648, 3]) },
    { name: 'i64', dtype: 'int64', format: 'K', cellShape: [], length: 4, data: BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n, 0n, 9007199254740993n]), validity: bits([true, true, true, false]) },
    { name: 'u64', dtype: 'uint64', format: 'K', cellShape: [], length: 4, data: BigUint64Array.from([0n, 2n ** 64n - 1n, 2n ** 63n, 12345678901234567890n]) },
    { name: 'f32', dtype: 'float32', format: 'E', cellShape: [], length: 4, data: Float32Array.from([1.5, -0, NaN, Infinity]), unit: 'mag' },
    { name: 'f64', dtype: 'float64', format: 'D', cellShape: [], length: 4, data: Float64Array.from([Math.PI, -Infinity, 5e-324, -0]) },
    { name: 'flag', dtype: 'bool', format: 'L', cellShape: [], length: 4, data: Uint8Array.from([1, 0, 0, 1]), validity: bits([true, true, false, true]) },
    { name: 'name', dtype: 'string', format: '12A', cellShape: [], length: 4, data: ['M31', '', 'a,"b"', 'Ångström'] },
    { name: 'vec', dtype: 'float64', format: '3D', cellShape: [3], length: 4, data: Float64Array.from({ length: 12 }, (_, i) => i / 3) },
    { name: 'mat', dtype: 'int16', format: '6I', cellShape: [2, 3], length: 4, data: Int16Array.from({ length: 24 }, (_, i) => i - 12) },
    { name: 'cplx', dtype: 'complex64', format: 'C', cellShape: [], length: 4, data: Float32Array.from([1, -1, 0, 0, NaN, 2, -0, 3]) },
    { name: 'cvec', dtype: 'complex128', format: '2M', cellShape: [2], length: 4, data: Float64Array.from({ length: 16 }, (_, i) => i) },
    { name: 'vla', dtype: 'int32', format: '1PJ(3)', cellShape: null, length: 4, data: Int32Array.from([1, 2, 3, 4, 5]), offsets: Int32Array.from([0, 3, 3, 4, 5]), validity: bits([true, false, true, true, true]) },
    { name: 'bits', dtype: 'bool', format: '5X', cellShape: [5], length: 4, data: Uint8Array.from({ length: 20 }, (_, i) => (i * 7) % 3 === 0 ? 1 : 0) },
  ];
  return new FitsTable(cols, 4);
}

describe('Parquet column types', () => {
  it('round-trips every kind of column through fitsflow exactly', async () => {
    const t = typesTable();
    const bytes = await tableToParquet(t);
    const { table } = await readParquet(bytes);
    expectSameTable(table, t, 'types');
    // The FITS description is in the footer.
    const r = await ParquetTableReader.open(bytes);
    expect(r.hasFitsMeta).toBe(true);
    expect(r.meta.columns.find((m) => m.name === 'f32')!.unit).toBe('mag');
    expect(r.metadata.key_value_metadata!.some((kv) => kv.key === FITS_META_KEY)).toBe(true);
  });

  it('DuckDB reads the same values (unsigned and 64-bit exact, nulls, lists, structs)', async () => {
    const path = join(dir, 'types.parquet');
    await writeTableParquet(typesTable(), path);
    const db = await duckdb();
    const schema = await db.all(`select name, type, converted_type from parquet_schema(${sqlString(path)})`);
    expect(schema.find((s) => s.name === 'u64')!.converted_type).toBe('UINT_64');
    const rows = await db.all(`select u8, i8, i16, u16, i32, u32::varchar as u32, i64::varchar as i64, u64::varchar as u64, f64::varchar as f64, flag, name, vec, mat, cplx, vla, bits from read_parquet(${sqlString(path)})`);
    expect(rows.map((r) => r.u64)).toEqual(['0', '18446744073709551615', '9223372036854775808', '12345678901234567890']);
    expect(rows.map((r) => r.i64)).toEqual(['-9223372036854775808', '9223372036854775807', '0', null]);
    expect(rows.map((r) => r.u32)).toEqual(['0', '4294967295', '2147483648', '3']);
    expect(rows.map((r) => r.i8)).toEqual([-128, 127, 0, -1]);
    expect(rows.map((r) => r.u16)).toEqual([0, 65535, 32768, 1]);
    expect(rows.map((r) => r.i16)).toEqual([-32768, 32767, null, 5]);
    expect(rows.map((r) => r.flag)).toEqual([true, false, null, true]);
    expect(rows.map((r) => r.name)).toEqual(['M31', '', 'a,"b"', 'Ångström']);
    expect(rows[1]!.vec).toEqual([1, 4 / 3, 5 / 3]);
    expect(rows[0]!.mat).toEqual([[-12, -11, -10], [-9, -8, -7]]);
    expect(rows[0]!.cplx).toEqual({ re: 1, im: -1 });
    expect(rows.map((r) => r.vla)).toEqual([[1, null, 3], [], [4], [5]]);
    expect(rows[0]!.bits).toEqual([true, false, false, true, false]);
    const [f] = await db.all(`select sum(u8)::bigint as s, count(i16) as n from read_parquet(${sqlString(path)})`);
    expect(f).toEqual({ s: '390', n: '3' });
  });

  it('reads Parquet written by DuckDB (no FITS description): types from the schema', async () => {
    const path = join(dir, 'duck.parquet');
    const db = await duckdb();
    await db.all(`copy (select i::bigint as id, (i * 0.5)::double as x, (i % 256)::utinyint as small, 'row ' || i as label, [i, i + 1]::int[] as pair, case when i % 3 = 0 then null else i end as maybe, range(i % 4)::int[] as ragged, {'re': i::float, 'im': -i::float} as z from range(5000) t(i)) to ${sqlString(path)} (format parquet, row_group_size 2048)`);
    const r = await ParquetTableReader.open(new Uint8Array(readFileSync(path)));
    expect(r.hasFitsMeta).toBe(false);
    expect(r.rowGroupRows.length).toBeGreaterThan(1);
    const t = await r.read();
    const col = (n: string) => t.column(n);
    expect([col('id').dtype, col('x').dtype, col('small').dtype, col('label').dtype, col('pair').dtype, col('maybe').dtype, col('z').dtype]).toEqual(['int64', 'float64', 'uint8', 'string', 'int32', 'int64', 'complex64']);
    expect(col('pair').cellShape).toEqual([2]);
    expect(col('ragged').cellShape).toBeNull();
    expect(t.row(7)).toMatchObject({ id: 7n, x: 3.5, small: 7, label: 'row 7', maybe: 7n, z: { re: 7, im: -7 } });
    expect(t.row(9).maybe).toBeNull();
    expect(Array.from(t.row(6).ragged as Int32Array)).toEqual([0, 1]);
    // And on to FITS (a TNULL is chosen for the nullable integer column).
    const fits = join(dir, 'duck.fits');
    await convertTable(path, fits, nodeConvertIo());
    const f = await open(fits);
    const back = await (await f.hdu(1)).readTable();
    await f.close();
    expect(back.row(9).maybe).toBeNull();
    expect(back.row(7)).toMatchObject({ id: 7n, label: 'row 7', maybe: 7n });
    expect(back.column('label').format).toBe('8A'); // the widest string of all row groups ('row 4999')
  });

  it('refuses damaged files and metadata with FitsErrors', async () => {
    const good = await tableToParquet(typesTable());
    await expect(ParquetTableReader.open(new Uint8Array([1, 2, 3, 4]))).rejects.toBeInstanceOf(FitsError);
    await expect(ParquetTableReader.open(good.slice(0, good.length - 9))).rejects.toBeInstanceOf(FitsError);
    const broken = good.slice();
    broken.fill(0, 4, 200); // data pages
    await expect((await ParquetTableReader.open(broken)).read()).rejects.toBeInstanceOf(FitsError);
    // A file whose fits:table is not JSON, or does not describe columns.
    const { decodeTableMeta } = await import('../../src/convert/table-meta.js');
    expect(() => decodeTableMeta('{"columns": [{"name": 1}]}')).toThrow(FitsError);
    expect(() => decodeTableMeta('not json')).toThrow(/not valid JSON/);
  });
});

describe('CSV', () => {
  const simple = () =>
    new FitsTable([
      { name: 'id', dtype: 'int64', format: 'K', cellShape: [], length: 3, data: BigInt64Array.from([1n, 9007199254740993n, -5n]) },
      { name: 'x', dtype: 'float64', format: 'D', cellShape: [], length: 3, data: Float64Array.from([0.1, NaN, -Infinity]) },
      { name: 'ok', dtype: 'bool', format: 'L', cellShape: [], length: 3, data: Uint8Array.from([1, 0, 1]), validity: bits([true, true, false]) },
      { name: 'name', dtype: 'string', format: '8A', cellShape: [], length: 3, data: ['a,b', 'say "hi"', ''] },
      { name: 'v', dtype: 'float64', format: '2D', cellShape: [2], length: 3, data: Float64Array.from([1, 2, 3, 4, 5, 6]) },
    ], 3);

  it('writes RFC 4180 CSV that fitsflow reads back with the same values', async () => {
    const out = new MemoryOutput();
    await writeCsv(out, [simple()]);
    const text = new TextDecoder().decode(out.bytes());
    expect(text.split('\n')[0]).toBe('id,x,ok,name,v');
    const back = readCsv(text);
    expect(back.row(1)).toEqual({ id: 9007199254740993n, x: NaN, ok: false, name: 'say "hi"', v: Float64Array.from([3, 4]) });
    expect(back.row(2).ok).toBeNull();
    expect(back.row(0).name).toBe('a,b');
  });

  itWithPython(['pandas'], 'pandas.read_csv reads the same values', async () => {
    const path = join(dir, 'simple.csv');
    const out = new MemoryOutput();
    await writeCsv(out, [simple()]);
    writeFileSync(path, out.bytes());
    const got = JSON.parse(python(`
import sys, json, pandas as pd
df = pd.read_csv(sys.argv[1], keep_default_na=True)
print(json.dumps({'id': [str(v) for v in df['id']], 'x': [repr(float(v)) for v in df['x']], 'name': [None if pd.isna(v) else v for v in df['name']], 'dtypes': [str(d) for d in df.dtypes]}))
`, path)) as { id: string[]; x: string[]; name: (string | null)[]; dtypes: string[] };
    expect(got.id).toEqual(['1', '9007199254740993', '-5']);
    expect(got.x).toEqual(['0.1', 'nan', '-inf']);
    expect(got.name.slice(0, 2)).toEqual(['a,b', 'say "hi"']);
    expect(got.dtypes[0]).toBe('int64');
  });

  it('DuckDB read_csv reads the same values', async () => {
    const path = join(dir, 'simple2.csv');
    await convertTable(join(dir, 'types.parquet'), path, nodeConvertIo()).catch(async () => {
      await writeTableParquet(typesTable(), join(dir, 'types.parquet'));
      await convertTable(join(dir, 'types.parquet'), path, nodeConvertIo());
    });
    const db = await duckdb();
    // DuckDB's sniffer would take the uint64 column for doubles: the text is exact, so say its type.
    const rows = await db.all(`select u64::varchar as u64, i64::varchar as i64, name, flag from read_csv(${sqlString(path)}, header = true, allow_quoted_nulls = false, types = {'u64': 'UBIGINT'})`);
    expect(rows.map((r) => r.u64)).toEqual(['0', '18446744073709551615', '9223372036854775808', '12345678901234567890']);
    expect(rows.map((r) => r.i64)).toEqual(['-9223372036854775808', '9223372036854775807', '0', null]);
    expect(rows.map((r) => r.name)).toEqual(['M31', '', 'a,"b"', 'Ångström']);
    expect(rows.map((r) => r.flag)).toEqual([true, false, null, true]);
  });

  it('parses any field text written by the writer back to itself (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string(), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }), (rows) => {
        const width = rows[0]!.length;
        const rect = rows.map((r) => Array.from({ length: width }, (_, i) => r[i] ?? 'x'));
        const text = rect.map((r) => r.map((s) => `"${s.replace(/"/g, '""')}"`).join(',')).join('\r\n');
        const parsed = parseCsvRecords(text);
        expect(parsed.map((r) => r.map((f) => f.text))).toEqual(rect);
      }),
    );
    // Malformed input: a FitsError, never a hang.
    expect(() => parseCsvRecords('a,"b\n1,2')).toThrow(FitsError);
    expect(() => parseCsvRecords('"a"x,b')).toThrow(FitsError);
    fc.assert(fc.property(fc.string(), (s) => {
      try {
        parseCsvRecords(s);
      } catch (e) {
        expect(e).toBeInstanceOf(FitsError);
      }
    }));
  });
});

describe('convert CLI', () => {
  it('converts and reports usage errors with exit code 2, bad inputs with 1', async () => {
    const lines: string[] = [];
    const io = { out: (t: string) => void lines.push(t), err: (t: string) => void lines.push(t), open: (p: string) => open(p) };
    const src = join(dir, 'cli.parquet');
    await writeTableParquet(typesTable(), src);
    expect(await main(['convert', src, join(dir, 'cli.fits'), '--columns', 'u64,name'], io)).toBe(0);
    expect(lines.at(-1)).toMatch(/4 rows \(parquet → fits\)/);
    expect(await main(['convert', src], io)).toBe(2);
    expect(await main(['convert', src, join(dir, 'x.unknown')], io)).toBe(1);
    expect(await main(['convert', src, join(dir, 'y.csv'), '--codec', 'lz9'], io)).toBe(2);
    expect(await main(['convert', join(dir, 'missing.parquet'), join(dir, 'z.csv')], io)).toBe(1);
    expect(await main(['convert', src, join(dir, 'w.csv'), '--bogus'], io)).toBe(2);
    // An existing output is kept unless --force.
    expect(await main(['convert', src, join(dir, 'cli.fits')], io)).toBe(2);
    expect(lines.at(-1)).toMatch(/exists; pass --force/);
    expect(await main(['convert', src, join(dir, 'cli.fits'), '--force', '--columns', 'u64'], io)).toBe(0);
  });
});
