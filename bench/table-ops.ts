/**
 * Table operations benchmark: filter `MAG_G < 20`, then sort by MAG_R carrying
 * all 11 columns (K, D, D, 5×E, I, 8A, E), on tables built in memory, compared
 * in the same run with numpy (boolean mask + argsort(kind='stable') + take) and
 * astropy Table (t[mask]; t.sort('MAG_R')) on the same data.
 *
 *   sh bench/table-ops.sh            # 1M and 10M rows
 *   sh bench/table-ops.sh 1000000    # one size
 *
 * The data is written to a temporary directory as raw little-endian columns;
 * bench/table-ops.py reads the same bytes, so both sides sort identical values
 * and the script checks that their results agree.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FitsTable } from '../src/table/ops/fits-table.js';
import { packedStringColumn, type Column } from '../src/table/column.js';

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const SIZES = sizes.length ? sizes : [1_000_000, 10_000_000];
const PY = process.env.PYTHON ?? '/usr/bin/python3';
const HERE = dirname(fileURLToPath(import.meta.url));
const PY_SCRIPT = process.env.TABLE_OPS_PY ?? join(HERE, 'table-ops.py');
/** NO_STRINGS=1: leave the 8A column out entirely (no JS strings alive: shows the GC's share). */
const NO_STRINGS = process.env.NO_STRINGS === '1';
/**
 * The 8A column is packed fixed-width bytes, as a file read gives it (column.ts);
 * STRING_ARRAY=1 holds it as a string[] instead (one JS string per cell, as
 * after `column('NAME').data` or a table built from arrays).
 */
const STRING_ARRAY = process.env.STRING_ARRAY === '1';

/** xorshift128+ → uniform [0, 1). Deterministic. */
function rng(seed: number) {
  let s0 = seed >>> 0 || 1;
  let s1 = 0x9e3779b9;
  return () => {
    let x = s0;
    const y = s1;
    s0 = y;
    x ^= x << 23;
    x ^= x >>> 17;
    x ^= y ^ (y >>> 26);
    s1 = x;
    return ((s0 + s1) >>> 0) / 4294967296;
  };
}

function build(n: number): { table: FitsTable; raw: Record<string, Uint8Array> } {
  const r = rng(n);
  const id = new BigInt64Array(n);
  const ra = new Float64Array(n);
  const dec = new Float64Array(n);
  const mags = ['MAG_G', 'MAG_R', 'MAG_I', 'MAG_Z', 'MAG_Y'].map(() => new Float32Array(n));
  const flags = new Int16Array(n);
  const names: string[] = new Array(n);
  const nameBytes = new Uint8Array(n * 8);
  const plx = new Float32Array(n);
  const ALPHA = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  for (let i = 0; i < n; i++) {
    id[i] = 4_000_000_000_000_000n + BigInt(i) * 7919n;
    ra[i] = r() * 360;
    dec[i] = Math.asin(2 * r() - 1) * (180 / Math.PI);
    const base = 14 + r() * 12; // magnitudes 14..26: about half pass MAG_G < 20
    for (let k = 0; k < 5; k++) mags[k]![i] = base + (r() - 0.5) * 2 + k * 0.1;
    if (r() < 0.001) mags[1]![i] = NaN; // a few NaN sort keys
    flags[i] = (r() * 65536) | 0;
    let s = '';
    const len = 3 + ((r() * 6) | 0);
    for (let k = 0; k < len; k++) {
      const c = ALPHA.charCodeAt((r() * ALPHA.length) | 0);
      s += String.fromCharCode(c);
      nameBytes[i * 8 + k] = c;
    }
    names[i] = s;
    plx[i] = r() * 10 - 1;
  }
  const col = (name: string, dtype: Column['dtype'], format: string, data: Column['data']): Column => ({ name, dtype, format, cellShape: [], length: n, data });
  const columns: Column[] = [
    col('SOURCE_ID', 'int64', 'K', id),
    col('RA', 'float64', 'D', ra),
    col('DEC', 'float64', 'D', dec),
    ...mags.map((m, k) => col(['MAG_G', 'MAG_R', 'MAG_I', 'MAG_Z', 'MAG_Y'][k]!, 'float32', 'E', m)),
    col('FLAGS', 'int16', 'I', flags),
    STRING_ARRAY ? col('NAME', 'string', '8A', names) : packedStringColumn({ name: 'NAME', dtype: 'string', format: '8A', cellShape: [] }, n, { bytes: nameBytes, width: 8 }),
    col('PARALLAX', 'float32', 'E', plx),
  ].filter((c) => !(NO_STRINGS && c.name === 'NAME'));
  const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const raw: Record<string, Uint8Array> = {};
  for (const c of columns) raw[c.name] = c.name === 'NAME' ? nameBytes : bytes(c.data as ArrayBufferView);
  if (NO_STRINGS || !STRING_ARRAY) names.length = 0;
  return { table: new FitsTable(columns, n), raw };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function time<T>(runs: number, f: () => T): { ms: number; all: number[]; last: T } {
  const all: number[] = [];
  let last!: T;
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now();
    last = f();
    all.push(performance.now() - t0);
  }
  return { ms: median(all), all, last };
}

const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)).padStart(8);

console.log(`node ${process.version}, ${process.arch}`);
for (const n of SIZES) {
  const runs = Number(process.env.RUNS ?? (n >= 5_000_000 ? 7 : 15));
  const t0 = performance.now();
  const { table, raw } = build(n);
  console.log(`\n=== ${n.toLocaleString('en')} rows${NO_STRINGS ? ', without the 8A column' : STRING_ARRAY ? ', 8A as string[]' : ''} (built in ${((performance.now() - t0) / 1000).toFixed(1)} s), median of ${runs} runs, ms ===`);

  // fitsflow
  const filterIdx = time(runs, () => table.filterIndices('MAG_G < 20'));
  const filtered = table.filter('MAG_G < 20').materialize();
  const sortIdx = time(runs, () => filtered.sortIndices('MAG_R'));
  // take() of a full permutation materialises by scattering (see FitsTable).
  const gather = time(runs, () => filtered.take(sortIdx.last).materialize());
  const numericNames = filtered.columnNames.filter((c) => c !== 'NAME');
  const fullNumeric = time(NO_STRINGS ? 0 : runs, () => {
    const out = table.select(numericNames).filter('MAG_G < 20').sort('MAG_R');
    void out.columns;
    return out;
  });
  const full = time(runs, () => {
    const out = table.filter('MAG_G < 20').sort('MAG_R');
    void out.columns; // gather every column
    return out;
  });
  const result = full.last;
  const ids = result.column('SOURCE_ID').data as BigInt64Array;
  let check = 0n;
  for (let i = 0; i < ids.length; i += Math.max(1, ids.length >> 10)) check ^= ids[i]! * BigInt(i + 1);
  const mr = result.column('MAG_R').data as Float32Array;
  for (let i = 1; i < mr.length; i++) {
    if (!(mr[i - 1]! <= mr[i]! || Number.isNaN(mr[i]!))) throw new Error(`not sorted at ${i}`);
  }

  // numpy / astropy on the same bytes
  const dir = join(tmpdir(), `fitsflow-table-ops-${process.pid}-${n}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, b] of Object.entries(raw)) writeFileSync(join(dir, `${name}.bin`), b);
  const py = spawnSync(PY, [PY_SCRIPT, dir, String(n), String(runs), Object.keys(raw).join(',')], { encoding: 'utf8', maxBuffer: 1 << 24 });
  rmSync(dir, { recursive: true, force: true });
  let np: Record<string, number | string> = {};
  if (py.status === 0) np = JSON.parse(py.stdout.trim().split('\n').pop()!);
  else console.log(`python failed: ${py.stderr}`);

  console.log(`rows passing the filter: ${filtered.numRows.toLocaleString('en')}`);
  console.log(`${''.padEnd(44)}${'fitsflow'.padStart(8)}${'numpy'.padStart(8)}${'astropy'.padStart(8)}   numpy/fitsflow`);
  const line = (label: string, ours: number, theirs?: number, astro?: number) =>
    console.log(`${label.padEnd(44)}${fmt(ours)}${theirs !== undefined ? fmt(theirs) : ''.padStart(8)}${astro !== undefined ? fmt(astro) : ''.padStart(8)}   ${theirs !== undefined ? (theirs / ours).toFixed(2) + '×' : ''}`);
  line('filter MAG_G < 20 (indices / mask)', filterIdx.ms, np.mask as number);
  line('sort by MAG_R (argsort of filtered rows)', sortIdx.ms, np.argsort as number);
  line('gather 11 columns by the permutation', gather.ms, np.take as number);
  line('filter + sort + gather, all 11 columns', full.ms, np.total as number, np.astropy as number);
  if (!NO_STRINGS) line('same without the 8A column (10 numeric)', fullNumeric.ms, np.total_numeric as number);
  if (np.check !== undefined) console.log(`results agree with numpy: ${String(np.check) === check.toString() && Number(np.count) === result.numRows ? 'yes' : `NO (${np.check} vs ${check})`}`);
  console.log(`fitsflow all runs (filter+sort+gather): ${full.all.map((x) => x.toFixed(0)).join(' ')}`);
  console.log(`fitsflow fastest run: filter ${fmt(Math.min(...filterIdx.all)).trim()}, sort ${fmt(Math.min(...sortIdx.all)).trim()}, gather ${fmt(Math.min(...gather.all)).trim()}, all ${fmt(Math.min(...full.all)).trim()} ms`);
}
