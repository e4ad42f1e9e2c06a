/**
 * The catalog commands end to end: FITS files written here, the CLI's CSV
 * compared with pandas / astropy reading the same files (astropy's
 * Table.read(...).to_pandas(), as a user would).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFitsWriter } from '../../../src/node/create-writer.js';
import { readParquet } from '../../../src/convert/parquet.js';
import { duckdb, sqlString } from '../../convert/helpers.js';
import type { Column } from '../../../src/table/column.js';
import { col, randomCatalog, uniform } from './catalogs.js';
import { pythonTest, runPython } from './python-bridge.js';

const run = (...argv: string[]) => runCli(argv, { collectBytes: true });

/** RFC 4180 CSV → header and rows of raw cells. */
function parseCsv(text: string): { names: string[]; rows: string[][] } {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (q) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') q = false;
      else cell += c;
    } else if (c === '"') q = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  row.push(cell);
  rows.push(row);
  return { names: rows[0]!, rows: rows.slice(1) };
}

/** A CSV cell against pandas' encoded value (ints as strings, floats as numbers, NaN as "NaN", NA as null). */
function sameCell(csv: string, want: unknown): boolean {
  if (want === null || want === 'NaN') return csv === '' || csv === 'nan';
  if (typeof want === 'number') return Number(csv) === want || Math.fround(Number(csv)) === want; // float32 columns print at float32 precision
  if (want === 'Infinity' || want === '-Infinity') return csv === (want === 'Infinity' ? 'inf' : '-inf');
  if (typeof want === 'boolean') return csv === (want ? 'True' : 'False');
  return csv === want;
}

function expectSame(csvText: string, ref: { names: string[]; cols: { values: unknown[] }[] }, what: string): void {
  const { names, rows } = parseCsv(csvText);
  expect(names, what).toEqual(ref.names);
  expect(rows.length, what).toBe(ref.cols[0]?.values.length ?? 0);
  ref.cols.forEach((c, j) => {
    c.values.forEach((v, i) => {
      if (!sameCell(rows[i]![j]!, v)) expect(`${names[j]} row ${i}: ${rows[i]![j]}`, what).toBe(`${names[j]} row ${i}: ${String(v)}`);
    });
  });
}

let dir = '';
const A = () => join(dir, 'a.fits');
const B = () => join(dir, 'b.fits');

/** A catalog file: keys, values with NaN and TNULL nulls, positions near each other's. */
async function writeCatalog(path: string, seed: number, n: number, near?: { ra: Float64Array; dec: Float64Array }): Promise<{ ra: Float64Array; dec: Float64Array }> {
  const cat = randomCatalog(seed, n);
  const pick = (name: string) => cat.find((c) => c.name === name)!;
  const r = uniform(seed + 1000);
  const ra = new Float64Array(n);
  const dec = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (near && r() < 0.7) {
      const k = Math.floor(r() * near.ra.length);
      dec[i] = near.dec[k]! + (r() - 0.5) * (3 / 3600);
      ra[i] = near.ra[k]! + ((r() - 0.5) * (3 / 3600)) / Math.cos((dec[i]! * Math.PI) / 180);
    } else {
      ra[i] = 150 + r() * 0.1;
      dec[i] = 2 + r() * 0.1;
    }
  }
  const cols: (Column & { tnull?: number | bigint })[] = [
    pick('K_INT'),
    { ...pick('K_BIG'), tnull: -(2n ** 63n) },
    { ...col('K_STR', 'string', (pick('V_STR2').data as string[]).map((s) => s.replace('Ω', 'o'))), format: '8A' },
    pick('V_F64'),
    pick('V_F32'),
    { ...pick('V_I32'), tnull: -2147483648 },
    { ...col('RA', 'float64', ra), unit: 'deg' },
    { ...col('DEC', 'float64', dec), unit: 'deg' },
  ];
  // Float nulls are NaN in a file.
  cols[4] = { ...col('V_F32', 'float32', Float32Array.from(pick('V_F32').data as Float32Array, (x, i) => (((pick('V_F32').validity![i >>> 3]! >>> (i & 7)) & 1) ? x : NaN))) };
  const w = await createFitsWriter(path);
  await w.addTable(cols);
  await w.close();
  return { ra, dec };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fitsflow-catalog-cli-'));
  const a = await writeCatalog(A(), 21, 3000);
  await writeCatalog(B(), 22, 2500, a);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const AGGS = 'count(),mean(V_F64),min(V_F64),max(V_F64),sum(V_F64),std(V_F64),median(V_F64),sum(V_F32),var(V_F32),mean(V_I32),sum(K_BIG),nunique(K_STR)';

const SCRIPT = String.raw`
from astropy.table import Table
from astropy.coordinates import SkyCoord, search_around_sky
import astropy.units as u
def to_pandas(path):
    # astropy 5.2's to_pandas goes through float64 for masked int64 columns (2^60 + 1 becomes 2^60): build those exactly.
    t = Table.read(path)
    df = t.to_pandas()
    for name in t.colnames:
        c = t[name]
        if c.dtype.kind == 'S':
            # FITS strings as str without the padding (astropy reads them as bytes).
            df[name] = pd.Series([x.decode('latin-1').rstrip(' ') for x in np.asarray(c)], dtype=object)
        elif getattr(c, 'mask', None) is not None and c.dtype.kind in 'iu':
            df[name] = pd.arrays.IntegerArray(np.asarray(c.data.data).astype(c.dtype.newbyteorder('=')), np.asarray(c.mask, dtype=bool))
    return df
A = to_pandas(data['a'])
B = to_pandas(data['b'])
def enc(df):
    return {'names': [str(c) for c in df.columns], 'cols': [out(df[c]) for c in df.columns]}
res = {}
named = {}
for spec in data['aggs']:
    fn, c = spec.rstrip(')').split('(')
    named[spec] = ('V_F64', 'size') if c == '' else (c, fn)
res['groupby'] = enc(A.groupby(['K_INT'], sort=True).agg(**named).reset_index())
res['groupby2'] = enc(A.groupby(['K_STR', 'K_INT'], sort=True).agg(**{'count()': ('V_F64', 'size'), 'mean(V_F32)': ('V_F32', 'mean')}).reset_index())
for how in ['inner', 'left', 'right', 'outer']:
    res['join_' + how] = enc(pd.merge(A, B, on=['K_INT'], how=how, suffixes=('', '_2')))
res['join_big'] = enc(pd.merge(A, B, on=['K_BIG', 'K_STR'], how='outer', suffixes=('', '_2')))
a = SkyCoord(A['RA'].values * u.deg, A['DEC'].values * u.deg)
b = SkyCoord(B['RA'].values * u.deg, B['DEC'].values * u.deg)
i1, i2, d2, _ = search_around_sky(a, b, 2 * u.arcsec)
o = np.lexsort((i2, i1))
res['xmatch'] = {'names': ['index_a', 'index_b', 'sep_arcsec'], 'cols': [out(pd.Series(i1[o])), out(pd.Series(i2[o])), out(pd.Series(d2.arcsec[o]))]}
idx, d2d, _ = a.match_to_catalog_sky(b)
m = d2d <= 2 * u.arcsec
res['nearest'] = {'names': ['index_a', 'index_b', 'sep_arcsec'], 'cols': [out(pd.Series(np.nonzero(m)[0])), out(pd.Series(idx[m])), out(pd.Series(d2d.arcsec[m]))]}
print(json.dumps(res))
`;
import { runCli } from '../../helpers/run-cli.js';

describe('catalog CLI vs pandas/astropy on FITS files', () => {
  pythonTest('table --group-by/--agg, join --how, xmatch [--nearest] (CSV)', async () => {
    const ref = runPython<Record<string, { names: string[]; cols: { values: unknown[] }[] }>>(SCRIPT, { a: A(), b: B(), aggs: AGGS.split(',') });
    const g = await run('table', A(), '--group-by', 'K_INT', '--agg', AGGS, '--format', 'csv');
    expect(g.code, g.err).toBe(0);
    expectSame(g.out, ref.groupby!, 'group-by');
    const g2 = await run('table', A(), '--group-by', 'K_STR,K_INT', '--agg', 'count(),mean(V_F32)', '--format', 'csv');
    expectSame(g2.out, ref.groupby2!, 'group-by 2 keys');
    for (const how of ['inner', 'left', 'right', 'outer']) {
      const j = await run('join', A(), B(), '--on', 'K_INT', '--how', how, '--format', 'csv');
      expect(j.code, j.err).toBe(0);
      expectSame(j.out, ref[`join_${how}`]!, `join ${how}`);
    }
    const jb = await run('join', A(), B(), '--on', 'K_BIG,K_STR', '--how', 'outer', '--format', 'csv');
    expectSame(jb.out, ref.join_big!, 'join on int64 > 2^53 and strings');
    const x = await run('xmatch', A(), B(), '--radius', '2arcsec', '--format', 'csv');
    expect(x.code, x.err).toBe(0);
    const near = await run('xmatch', A(), B(), '--radius', '2"', '--nearest', '--format', 'csv');
    for (const [text, want] of [[x.out, ref.xmatch!], [near.out, ref.nearest!]] as const) {
      const { names, rows } = parseCsv(text);
      expect(names).toEqual(want.names);
      expect(rows.map((r) => [r[0], r[1]])).toEqual(want.cols[0]!.values.map((v, i) => [v, want.cols[1]!.values[i]]));
      rows.forEach((r, i) => expect(Math.abs(Number(r[2]) - (want.cols[2]!.values[i] as number))).toBeLessThan(1e-9));
    }
    expect(parseCsv(x.out).rows.length).toBeGreaterThan(500);
  }, 180_000);
});

describe('catalog CLI usage', () => {
  it('exit 2 for bad usage, 1 for unreadable files', async () => {
    expect((await run('xmatch', A(), B(), '--radius', '2 parsecs')).code).toBe(2);
    expect((await run('xmatch', A(), B())).code).toBe(2);
    expect((await run('join', A(), B(), '--on', 'NOPE')).code).toBe(2);
    expect((await run('join', A(), B(), '--on', 'K_INT', '--how', 'cross')).code).toBe(2);
    expect((await run('table', A(), '--group-by', 'K_INT', '--agg', 'avg(V_F64)')).code).toBe(2);
    expect((await run('table', A(), '--agg', 'count()')).code).toBe(2);
    expect((await run('table', A(), '--group-by', 'NOPE')).code).toBe(2);
    expect((await run('join', A(), B(), '--on', 'K_INT', '--output', 'x.parquet')).code).toBe(2);
    expect((await run('join', join(dir, 'missing.fits'), B(), '--on', 'K_INT')).code).toBe(1);
  });
  it('writes results as Parquet, to a file or standard output, that DuckDB reads', async () => {
    const path = join(dir, 'joined.parquet');
    const j = await run('join', A(), B(), '--on', 'K_INT', '--format', 'parquet', '--output', path);
    expect(j.code, j.err).toBe(0);
    const csv = await run('join', A(), B(), '--on', 'K_INT', '--format', 'csv');
    const db = await duckdb();
    const [{ n }] = (await db.all(`select count(*)::bigint as n from read_parquet(${sqlString(path)})`)) as { n: bigint }[];
    expect(Number(n)).toBe(parseCsv(csv.out).rows.length);
    const x = await run('xmatch', A(), B(), '--radius', '2arcsec', '--format', 'parquet');
    expect(x.code, x.err).toBe(0);
    const { table } = await readParquet(new Uint8Array(x.bytes));
    expect(table.columnNames).toEqual(['index_a', 'index_b', 'sep_arcsec']);
    expect(table.numRows).toBe(parseCsv((await run('xmatch', A(), B(), '--radius', '2arcsec', '--format', 'csv')).out).rows.length);
    const g = await run('table', A(), '--group-by', 'K_INT', '--agg', 'count(),mean(V_F64)', '--format', 'parquet');
    expect(g.code, g.err).toBe(0);
    expect((await readParquet(new Uint8Array(g.bytes))).table.columnNames).toEqual(['K_INT', 'count()', 'mean(V_F64)']);
  });
  it('prints text and JSON, sorts and limits groups', async () => {
    const t = await run('table', A(), '--group-by', 'K_INT', '--agg', 'count() as n', '--sort', 'n', '--desc', '--limit', '3');
    expect(t.code, t.err).toBe(0);
    expect(t.out.split('\n')[0]).toMatch(/K_INT\s+n$/);
    expect(t.out.split('\n').length).toBe(2 + 3);
    const x = await run('xmatch', A(), B(), '--radius', '2arcsec', '--nearest', '--format', 'json');
    expect(x.out.split('\n')[1]).toMatch(/^ {2}\{"index_a": \d+, "index_b": \d+, "sep_arcsec": [\d.e-]+\},$/);
  });
});
