/**
 * Table conversion: fitsflow `convert` FITS → Parquet / Arrow IPC / CSV and
 * Parquet → FITS on the HATS bench table (bench/make-hats-table.ts, default
 * 2M rows × 7 columns), in the same run as what a user would pick instead:
 * astropy (Table.read → write CSV) and pandas (Table.read → to_pandas → to_csv).
 * astropy+pyarrow / pandas.to_parquet are not possible here (Debian has no
 * pyarrow or fastparquet), so for Parquet the reference is DuckDB rewriting
 * the same Parquet file (native C++ encoder; reading included).
 *
 *   sh bench/convert.sh [ROWS] [RUNS]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeHatsTable } from './make-hats-table.js';
import { convertTable } from '../src/convert/convert.js';
import { nodeConvertIo } from '../src/node/convert.js';

const [rowsText = '2000000', runsText = '3'] = process.argv.slice(2);
const rows = Number(rowsText);
const runs = Number(runsText);
const PY = process.env.PYTHON ?? '/usr/bin/python3';
const dir = join(process.env.TMPDIR ?? tmpdir(), 'fitsflow-convert-bench');
mkdirSync(dir, { recursive: true });
const input = join(dir, `bench-${rows}.fits`);
if (!existsSync(input)) await makeHatsTable(input, rows, 1);
const io = nodeConvertIo();
const median = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)]!;

async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

function py(code: string, ...args: string[]): number {
  const r = spawnSync(PY, ['-c', code, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return Number(r.stdout.trim());
}

const ASTROPY_CSV = `
import sys, time
from astropy.table import Table
t0 = time.perf_counter(); t = Table.read(sys.argv[1], hdu=1); t.write(sys.argv[2], format='ascii.csv', overwrite=True); print(time.perf_counter() - t0)`;
const PANDAS_CSV = `
import sys, time
from astropy.table import Table
t0 = time.perf_counter(); Table.read(sys.argv[1], hdu=1).to_pandas().to_csv(sys.argv[2], index=False); print(time.perf_counter() - t0)`;

const { DuckDBInstance } = await import('@duckdb/node-api');
const duck = await (await DuckDBInstance.create()).connect();

const cases: [string, () => Promise<number>][] = [
  ['fitsflow FITS → Parquet (snappy)', () => timed(() => convertTable(input, join(dir, 'out.parquet'), io))],
  ['fitsflow FITS → Parquet (uncompressed)', () => timed(() => convertTable(input, join(dir, 'out-u.parquet'), io, { codec: 'UNCOMPRESSED' }))],
  ['DuckDB Parquet → Parquet (native reference)', () => timed(() => duck.run(`copy (select * from read_parquet('${join(dir, 'out.parquet')}')) to '${join(dir, 'duck.parquet')}' (format parquet)`))],
  ['fitsflow Parquet → FITS', () => timed(() => convertTable(join(dir, 'out.parquet'), join(dir, 'back.fits'), io))],
  ['fitsflow FITS → Arrow IPC', () => timed(() => convertTable(input, join(dir, 'out.arrow'), io))],
  ['fitsflow FITS → CSV', () => timed(() => convertTable(input, join(dir, 'out.csv'), io))],
  ['astropy FITS → CSV', async () => py(ASTROPY_CSV, input, join(dir, 'astropy.csv'))],
  ['pandas (astropy read) FITS → CSV', async () => py(PANDAS_CSV, input, join(dir, 'pandas.csv'))],
];
const times = new Map<string, number[]>();
for (let r = 0; r < runs; r++) for (const [name, fn] of cases) {
  const t = await fn();
  if (!times.has(name)) times.set(name, []);
  times.get(name)!.push(t);
}
console.log(`${rows} rows, ${(statSync(input).size / 2 ** 20).toFixed(0)} MiB FITS; medians of ${runs} runs (2 cores, shared and noisy)`);
for (const [name] of cases) console.log(`  ${name.padEnd(46)} ${median(times.get(name)!).toFixed(2)} s`);
const f = median(times.get('fitsflow FITS → CSV')!);
console.log(`  CSV: astropy / fitsflow ×${(median(times.get('astropy FITS → CSV')!) / f).toFixed(1)}, pandas / fitsflow ×${(median(times.get('pandas (astropy read) FITS → CSV')!) / f).toFixed(1)}`);
console.log(`  Parquet: DuckDB rewrite / fitsflow FITS→Parquet ×${(median(times.get('DuckDB Parquet → Parquet (native reference)')!) / median(times.get('fitsflow FITS → Parquet (snappy)')!)).toFixed(2)}`);
rmSync(join(dir, 'out.csv'), { force: true });
