/**
 * Choosing the Parquet library: writing and reading a 1M-row catalog table
 * (int64 ID, 2 doubles, 2 floats, int16, bool, a 10-character string) with
 * - hyparquet-writer / hyparquet (pure JS; what fitsflow uses), through
 *   fitsflow's ParquetTableWriter (fast path for flat numbers) and through the
 *   library's own parquetWriteBuffer with default options;
 * - parquet-wasm (Rust parquet compiled to 5 MB of WASM), from an Arrow table
 *   built by fitsflow's columnsToArrow, when installed
 *   (`npm install --no-save parquet-wasm@0.8.0` — not a dependency);
 * - DuckDB (native) COPY of the same table, as a reference.
 * Each file written is read back by DuckDB and its sums compared.
 *
 *   sh bench/parquet-libs.sh [ROWS] [RUNS]
 */
import * as arrow from 'apache-arrow';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { parquetRead } from 'hyparquet';
import { writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FitsTable } from '../src/table/ops/fits-table.js';
import { columnsToArrow } from '../src/arrow/arrow.js';
import { tableToParquet, ParquetTableReader } from '../src/convert/parquet.js';
import { rng } from './make-hats-table.js';

const [rowsText = '1000000', runsText = '3'] = process.argv.slice(2);
const N = Number(rowsText);
const dir = join(process.env.TMPDIR ?? tmpdir(), 'fitsflow-parquet-libs');
mkdirSync(dir, { recursive: true });
const u = rng(5);
const id = new BigInt64Array(N);
const ra = new Float64Array(N);
const dec = new Float64Array(N);
const g = new Float32Array(N);
const r = new Float32Array(N);
const cls = new Int16Array(N);
const flag = new Uint8Array(N);
const name: string[] = new Array(N);
for (let i = 0; i < N; i++) {
  id[i] = BigInt(i) * 7919n;
  ra[i] = u() * 360;
  dec[i] = u() * 180 - 90;
  g[i] = 14 + u() * 8;
  r[i] = 14 + u() * 8;
  cls[i] = Math.floor(u() * 5);
  flag[i] = u() < 0.5 ? 1 : 0;
  name[i] = `SRC${String(i).padStart(7, '0')}`;
}
const table = FitsTable.fromArrays({ ID: id, RA: ra, DEC: dec, MAG_G: g, MAG_R: r, CLASS: cls, FLAG: Array.from(flag, (v) => v === 1), NAME: name });

let pw: { writeParquet: (t: unknown, p?: unknown) => Uint8Array; readParquet: (b: Uint8Array) => { intoIPCStream(): Uint8Array }; Table: { fromIPCStream(b: Uint8Array): unknown } } | undefined;
try {
  pw = (await import('parquet-wasm' as string)) as never;
} catch {
  console.log('parquet-wasm not installed: npm install --no-save parquet-wasm@0.8.0 to compare with it');
}
const { DuckDBInstance } = await import('@duckdb/node-api');
const duck = await (await DuckDBInstance.create()).connect();

const writers: [string, () => Promise<Uint8Array> | Uint8Array][] = [
  ['fitsflow ParquetTableWriter (hyparquet-writer + fast path)', () => tableToParquet(table)],
  ['hyparquet-writer parquetWriteBuffer, defaults', () => new Uint8Array(parquetWriteBuffer({ columnData: [
    { name: 'ID', data: id, type: 'INT64', nullable: false }, { name: 'RA', data: ra, type: 'DOUBLE', nullable: false }, { name: 'DEC', data: dec, type: 'DOUBLE', nullable: false },
    { name: 'MAG_G', data: g, type: 'FLOAT', nullable: false }, { name: 'MAG_R', data: r, type: 'FLOAT', nullable: false }, { name: 'CLASS', data: Int32Array.from(cls), type: 'INT32', nullable: false },
    { name: 'FLAG', data: Array.from(flag, (v) => v === 1), type: 'BOOLEAN', nullable: false }, { name: 'NAME', data: name, type: 'STRING', nullable: false },
  ] }))],
];
if (pw) {
  writers.push(['parquet-wasm writeParquet (Arrow → IPC → WASM)', () => {
    const t = columnsToArrow(arrow, table.columns, table.numRows);
    return pw!.writeParquet(pw!.Table.fromIPCStream(arrow.tableToIPC(t, 'stream')));
  }]);
}
const median = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)]!;
console.log(`${N} rows × 8 columns; medians of ${runsText} runs (2 cores, shared and noisy)`);
const files: [string, string][] = [];
for (const [label, fn] of writers) {
  const ts: number[] = [];
  let bytes: Uint8Array = new Uint8Array(0);
  for (let k = 0; k < Number(runsText); k++) {
    const t0 = performance.now();
    bytes = await fn();
    ts.push(performance.now() - t0);
  }
  const path = join(dir, `${files.length}.parquet`);
  writeFileSync(path, bytes);
  files.push([label, path]);
  console.log(`  write  ${label.padEnd(58)} ${median(ts).toFixed(0).padStart(6)} ms  ${(bytes.length / 2 ** 20).toFixed(1)} MiB`);
}
{
  const ts: number[] = [];
  for (let k = 0; k < Number(runsText); k++) {
    const t0 = performance.now();
    await duck.run(`copy (select * from read_parquet('${files[0]![1]}')) to '${join(dir, 'duck.parquet')}' (format parquet)`);
    ts.push(performance.now() - t0);
  }
  console.log(`  write  ${'DuckDB COPY (native; reads the file too)'.padEnd(58)} ${median(ts).toFixed(0).padStart(6)} ms`);
}
for (const [label, path] of files) {
  const [row] = (await duck.runAndReadAll(`select count(*)::varchar as n, sum("ID")::varchar as s, sum("RA") as ra, sum("CLASS")::varchar as c, count(distinct "NAME")::varchar as d from read_parquet('${path}')`)).getRowObjectsJson();
  console.log(`  DuckDB reads ${label}: ${JSON.stringify(row)}`);
}
const bytes = (await import('node:fs')).readFileSync(files[0]![1]);
for (const [label, fn] of [
  ['fitsflow ParquetTableReader (hyparquet)', async () => (await (await ParquetTableReader.open(new Uint8Array(bytes))).read()).numRows],
  ['hyparquet parquetRead', async () => { let n = 0; await parquetRead({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length), onComplete: (rows) => (n = rows.length) }); return n; }],
  ...(pw ? [['parquet-wasm readParquet → apache-arrow', async () => arrow.tableFromIPC(pw!.readParquet(new Uint8Array(bytes)).intoIPCStream()).numRows] as const] : []),
] as [string, () => Promise<number>][]) {
  const ts: number[] = [];
  for (let k = 0; k < Number(runsText); k++) {
    const t0 = performance.now();
    await fn();
    ts.push(performance.now() - t0);
  }
  console.log(`  read   ${label.padEnd(58)} ${median(ts).toFixed(0).padStart(6)} ms`);
}
