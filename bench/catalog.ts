/**
 * Catalog analytics benchmark: fitsflow against what a user would pick instead,
 * in the same run, on the same bytes.
 *
 *   sh bench/catalog.sh                     # every case
 *   sh bench/catalog.sh groupby xmatch      # some cases (groupby, xmatch, join)
 *
 * - group-by over 10M rows (int32 key of 1000 values, + int16 key of 10
 *   values, int64 key of 1M values above 2^53; float64 values with 1% NaN)
 *   vs pandas `df.groupby(keys).agg(...).reset_index()`;
 * - cross-match of two 1M-row all-sky catalogs at 1″ (80% of the second are
 *   the first's sources moved < 1″) vs astropy's `search_around_sky` on
 *   prebuilt SkyCoords (and `match_to_catalog_sky` for --nearest);
 * - inner join of 1M × 1M rows on an int64 key (80% shared, shuffled, values
 *   above 2^53) with a float64 column each vs pandas `merge`.
 * Data is generated here, written as raw little-endian arrays to a temporary
 * folder and read by bench/catalog-peers.py (Debian's python3); each case runs
 * fitsflow then the peer, RUNS times each (default 3), medians reported, and
 * the results are checked against each other (group counts and sums, pair
 * counts, row counts).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FitsTable } from '../src/table/ops/fits-table.js';
import { crossMatchPositions } from '../src/table/ops/analytics/xmatch.js';

const PY = process.env.PYTHON ?? '/usr/bin/python3';
const HERE = dirname(fileURLToPath(import.meta.url));
const PEERS = process.env.CATALOG_PEERS_PY ?? join(HERE, 'catalog-peers.py');
const RUNS = Number(process.env.RUNS ?? 3);
const CASES = process.argv.slice(2).length ? process.argv.slice(2) : ['groupby', 'xmatch', 'join'];

/** mulberry32 → uniform [0, 1). Deterministic. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Wall-clock and process CPU time (all threads) of RUNS calls; medians. */
function time<T>(f: () => T): { ms: number; cpu: number; all: number[]; last: T } {
  const all: number[] = [];
  const cpus: number[] = [];
  let last!: T;
  for (let k = 0; k < RUNS; k++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    last = f();
    all.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1000);
  }
  return { ms: median(all), cpu: median(cpus), all, last };
}

const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Run the Python peer on raw arrays; its last stdout line is JSON. */
type PeerResult = { ms: number; cpu: number; [check: string]: number } & { compared?: string };

function peer(kind: string, raw: Record<string, ArrayBufferView>, extra: string[] = [], compare?: (dir: string) => string): PeerResult | null {
  const dir = join(tmpdir(), `fitsflow-catalog-bench-${process.pid}-${kind}`);
  mkdirSync(dir, { recursive: true });
  try {
    for (const [name, a] of Object.entries(raw)) writeFileSync(join(dir, `${name}.bin`), bytes(a));
    const r = spawnSync(PY, [PEERS, kind, dir, String(RUNS), ...extra], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) {
      console.log(`  python failed: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      return null;
    }
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as PeerResult;
    if (compare) out.compared = compare(dir);
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1)).padStart(8);
/** One result line: wall medians and their ratio, then CPU medians and theirs (the machine is shared: CPU time is steadier). */
function line(label: string, ours: { ms: number; cpu: number; all: number[] }, py: { ms: number; cpu: number } | null | undefined, who: string): void {
  const r = (a: number, b: number) => `${(a / b).toFixed(2)}×`.padStart(7);
  console.log(
    `${label.padEnd(54)}${fmt(ours.ms)}${py ? fmt(py.ms) + r(py.ms, ours.ms) : ''.padStart(15)}  | cpu${fmt(ours.cpu)}${py ? fmt(py.cpu) + r(py.cpu, ours.cpu) : ''}  (${who}; fitsflow wall runs ${ours.all.map((x) => x.toFixed(0)).join(' ')})`,
  );
}

console.log(`node ${process.version}, ${process.arch}; ${RUNS} runs per case; medians in ms — wall: fitsflow, peer, peer/fitsflow | cpu: the same in process CPU time`);

if (CASES.includes('groupby')) {
  const n = 10_000_000;
  const r = rng(1);
  const k1 = new Int32Array(n);
  const k2 = new Int16Array(n);
  const k3 = new Int32Array(n);
  const kbig = new BigInt64Array(n);
  const v = new Float64Array(n);
  const big = new Uint32Array(kbig.buffer);
  for (let i = 0; i < n; i++) {
    k1[i] = Math.floor(r() * 1000);
    k3[i] = k1[i]! * 3 + 17; // the same groups, values not 0..G-1 (no sharing the column as group ids)
    k2[i] = Math.floor(r() * 10);
    const id = Math.floor(r() * 1_000_000);
    big[2 * i] = id * 7919; // low word
    big[2 * i + 1] = 0x01000000 + (id & 0xff); // above 2^53
    v[i] = r() < 0.01 ? NaN : r() * 2 - 1;
  }
  const table = FitsTable.fromArrays({ K1: k1, K2: k2, K3: k3, KBIG: kbig, V: v });
  console.log(`\n=== group-by, ${n.toLocaleString('en')} rows ===`);
  const cases: [string, string[], string][] = [
    ['K1 (1000 groups, values 0..999): count(), mean(V)', ['K1'], 'count(),mean(V)'],
    ['K3 (1000 groups, values 17..3014): count(), mean(V)', ['K3'], 'count(),mean(V)'],
    ['K1, K2 (10000 groups): count(), mean(V)', ['K1', 'K2'], 'count(),mean(V)'],
    ['K1: count(),mean,min,max,sum,std,median(V)', ['K1'], 'count(),mean(V),min(V),max(V),sum(V),std(V),median(V)'],
    ['K1, K2: count(),mean,min,max,sum,std,median(V)', ['K1', 'K2'], 'count(),mean(V),min(V),max(V),sum(V),std(V),median(V)'],
    ['KBIG (int64 > 2^53, ~1M groups): count(), mean(V)', ['KBIG'], 'count(),mean(V)'],
  ];
  for (const [label, keys, aggs] of cases) {
    const ours = time(() => table.groupBy(keys).agg(aggs));
    const res = ours.last;
    const py = peer('groupby', { K1: k1, K2: k2, K3: k3, KBIG: kbig, V: v }, [keys.join(','), aggs], (dir) => {
      // pandas' result columns, bit for bit.
      const diff: string[] = [];
      for (const name of res.columnNames.slice(keys.length)) {
        const theirs = new Float64Array(readFileSync(join(dir, `out-${name}.bin`)).buffer.slice(0));
        const col = res.column(name).data as Float64Array | BigInt64Array;
        const mine = Float64Array.from(col as ArrayLike<number | bigint>, Number);
        if (theirs.length !== mine.length || mine.some((x, g) => !Object.is(x, theirs[g]))) diff.push(name);
      }
      return diff.length ? `DIFFER in ${diff.join(', ')}` : 'identical';
    });
    line(label, ours, py, 'pandas');
    if (py) console.log(`  ${res.numRows} groups vs ${py.groups}; every result column ${py.compared}`);
  }
}

if (CASES.includes('xmatch')) {
  const n = 1_000_000;
  const r = rng(2);
  const ra1 = new Float64Array(n);
  const de1 = new Float64Array(n);
  const ra2 = new Float64Array(n);
  const de2 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    ra1[i] = r() * 360;
    de1[i] = (Math.asin(2 * r() - 1) * 180) / Math.PI;
  }
  for (let i = 0; i < n; i++) {
    if (r() < 0.8) {
      const k = Math.floor(r() * n);
      de2[i] = Math.max(-90, Math.min(90, de1[k]! + (r() - 0.5) / 3600));
      ra2[i] = (ra1[k]! + (r() - 0.5) / 3600 / Math.max(1e-6, Math.cos((de1[k]! * Math.PI) / 180)) + 360) % 360;
    } else {
      ra2[i] = r() * 360;
      de2[i] = (Math.asin(2 * r() - 1) * 180) / Math.PI;
    }
  }
  console.log(`\n=== cross-match, ${n.toLocaleString('en')} × ${n.toLocaleString('en')} rows, radius 1 arcsec ===`);
  const a = FitsTable.fromArrays({ RA: ra1, DEC: de1 });
  const b = FitsTable.fromArrays({ RA: ra2, DEC: de2 });
  for (const nearest of [false, true]) {
    const ours = time(() => crossMatchPositions({ ra: ra1, dec: de1 }, { ra: ra2, dec: de2 }, { radius: 1, nearest }));
    const viaTable = time(() => a.xmatch(b, { radius: '1arcsec', nearest }));
    const py = peer('xmatch', { RA1: ra1, DEC1: de1, RA2: ra2, DEC2: de2 }, [nearest ? 'nearest' : 'all']);
    const who = nearest ? 'astropy match_to_catalog_sky + radius cut' : 'astropy search_around_sky';
    line(nearest ? 'nearest match within 1″' : 'all pairs within 1″', ours, py, who);
    line('  same through FitsTable.xmatch (index/sep columns)', viaTable, py, who);
    if (py) console.log(`  pairs ${ours.last.indexA.length} vs ${py.pairs}: ${ours.last.indexA.length === py.pairs ? 'agree' : 'DIFFER'}`);
  }
}

if (CASES.includes('join')) {
  const n = 1_000_000;
  const r = rng(3);
  const mk = (shared: (i: number) => boolean) => {
    const ids = new BigInt64Array(n);
    const w = new Uint32Array(ids.buffer);
    for (let i = 0; i < n; i++) {
      const id = shared(i) ? i : n + Math.floor(r() * 1e9);
      w[2 * i] = id;
      w[2 * i + 1] = 0x00400000; // 2^54 + id
    }
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      const t = ids[i]!;
      ids[i] = ids[j]!;
      ids[j] = t;
    }
    return ids;
  };
  const idA = mk(() => true);
  const idB = mk(() => r() < 0.8);
  const xa = Float64Array.from({ length: n }, () => r());
  const xb = Float64Array.from({ length: n }, () => r());
  const A = FitsTable.fromArrays({ ID: idA, XA: xa });
  const B = FitsTable.fromArrays({ ID: idB, XB: xb });
  console.log(`\n=== join, ${n.toLocaleString('en')} × ${n.toLocaleString('en')} rows on an int64 key ===`);
  for (const how of ['inner', 'left'] as const) {
    const ours = time(() => {
      const t = A.join(B, { on: 'ID', how });
      void t.columns;
      return t;
    });
    const py = peer('join', { IDA: idA, XA: xa, IDB: idB, XB: xb }, [how]);
    line(`${how} join`, ours, py, 'pandas merge');
    if (py) console.log(`  rows ${ours.last.numRows} vs ${py.rows}: ${ours.last.numRows === py.rows ? 'agree' : 'DIFFER'}`);
  }
}
