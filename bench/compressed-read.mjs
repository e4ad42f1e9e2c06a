/**
 * Compressed-image read benchmark: 4096×4096 images (Rice int16, Rice
 * quantized float32, GZIP_2 quantized float32, HCOMPRESS int16) and a
 * 512×512 cutout of each, decoded by fitsflow (worker pool and single
 * thread) and by the peers: `funpack -S` (whole command), fitsio and astropy
 * (/usr/bin/python3, in-process). Medians of several runs; ratios against
 * the fastest peer.
 *
 *   node bench/compressed-read.mjs [--runs 9] [--dir /tmp/fitsflow-bench-tiled] [--only rice_i16]
 *   node bench/compressed-read.mjs --threshold   (inline vs pool on growing cutouts: PARALLEL_MIN_PIXELS)
 *
 * The images are made by bench/compressed-make.py (fpack) on first use. The
 * sources are bundled with the Node decode worker into bench/out/ (so the
 * pool finds ./decode-worker-node.js beside them, as in dist/).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const RUNS = Number(arg('runs', 9));
const DIR = arg('dir', '/tmp/fitsflow-bench-tiled');
const ONLY = arg('only', '');
const PY = '/usr/bin/python3';

const FILES = [
  { name: 'rice_i16.fits.fz', label: 'Rice int16' },
  { name: 'rice_f32.fits.fz', label: 'Rice float32 (quantized)' },
  { name: 'gzip2_f32.fits.fz', label: 'GZIP_2 float32 (quantized)' },
  { name: 'hcomp_i16.fits.fz', label: 'HCOMPRESS int16' },
].filter((f) => f.name.includes(ONLY));

if (FILES.some((f) => !existsSync(join(DIR, f.name)))) {
  console.log(`making the images in ${DIR} …`);
  const r = spawnSync(PY, [join(here, 'compressed-make.py'), DIR], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(1);
}

const out = join(here, 'out', 'compressed-read-build');
await build({
  entry: { 'bench-entry': join(here, 'compressed-read.entry.ts'), 'decode-worker-node': join(root, 'src/node/decode-worker.ts') },
  outDir: out, format: ['esm'], platform: 'node', target: 'es2022', splitting: true, dts: false, silent: true, config: false, clean: true,
});
const ff = await import(join(out, 'bench-entry.js'));
// The Node runtime (node:zlib, worker_threads with the bundled worker beside the entry).
const runtime = ff.createNodeRuntime();
const open = (path) => ff.open(path, { runtime });

const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** One timed fitsflow read: open, HDU 1, read, close. Wall time, and CPU time of all threads. */
async function jsOnce(path, opts) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const file = await open(path);
  const hdu = await file.hdu(1);
  await hdu.readImage(opts);
  await file.close();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

/** One timed `funpack -S` (the whole command, output discarded), CPU time from /usr/bin/time. */
function funpackOnce(path) {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'CPU %U %S', 'funpack', '-S', path], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 30 });
  const wall = performance.now() - t0;
  const m = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr ?? '');
  if (r.status !== 0 || !m) throw new Error(`funpack failed: ${r.stderr}`);
  return { wall, cpu: (Number(m[1]) + Number(m[2])) * 1000 };
}

/** Interleave the configurations run by run, so load changes hit all of them alike. */
async function timeInterleaved(configs) {
  for (const c of configs) await c.run(); // warm-up (JIT, pool start, page cache)
  const times = configs.map(() => []);
  for (let i = 0; i < RUNS; i++) for (let k = 0; k < configs.length; k++) times[k].push(await configs[k].run());
  const stat = (a) => {
    const w = a.map((x) => (typeof x === 'number' ? x : x.wall));
    const c = a.map((x) => (typeof x === 'number' ? NaN : x.cpu));
    return { median: median(w), min: Math.min(...w), cpu: median(c) };
  };
  return Object.fromEntries(configs.map((c, k) => [c.name, stat(times[k])]));
}

function timePeers(path, y0, x0) {
  const r = spawnSync(PY, [join(here, 'compressed-peers.py'), path, String(RUNS), String(y0), String(x0)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

if (process.argv.includes('--threshold')) {
  // Inline vs pool (forced) on full-width bands of growing height (row tiles: pixels decoded = rows × 4096), file already open.
  for (const f of FILES) {
    const file = await open(join(DIR, f.name));
    const hdu = await file.hdu(1);
    console.log(`\n${f.label}: rows  pixels  inline  pool  (median ms of ${RUNS})`);
    for (const side of [16, 32, 64, 128, 256, 512, 1024, 4096]) {
      const sec = { start: [0, 0], shape: [side, 4096] };
      const nw = runtime.workerCount || 1;
      const r = await timeInterleaved([
        { name: 'inline', run: async () => { const t0 = performance.now(); await hdu.readImage({ ...sec, workers: false }); return performance.now() - t0; } },
        { name: 'pool', run: async () => { const t0 = performance.now(); await hdu.readImage({ ...sec, workers: nw }); return performance.now() - t0; } },
      ]);
      const inline = r.inline.median;
      const pool = r.pool.median;
      console.log(`  ${String(side).padStart(5)} ${String(side * 4096).padStart(9)} ${inline.toFixed(2).padStart(7)} ${pool.toFixed(2).padStart(7)}  ${pool < inline ? 'pool' : 'inline'}`);
    }
    await file.close();
  }
  await runtime.close();
  process.exit(0);
}

const f1 = (x) => x.toFixed(1).padStart(7);
const ratio = (a, b) => `${(a / b).toFixed(2)}×`;
const load = (await import('node:os')).loadavg()[0].toFixed(1);
console.log(`fitsflow compressed reads — ${RUNS} runs each, open + read of HDU 1, wall median (wall min) [CPU median] in ms; pool: ${runtime.workerCount} worker(s) + main thread; PARALLEL_MIN_PIXELS ${ff.PARALLEL_MIN_PIXELS}; load average ${load}`);
for (const f of FILES) {
  const path = join(DIR, f.name);
  const y0 = 1792, x0 = 1792; // a central 512×512 cutout (row tiles: 512 tiles of 4096 pixels to decode)
  const cut = { start: [y0, x0], shape: [512, 512] };
  const t = await timeInterleaved([
    { name: 'pool', run: () => jsOnce(path, {}) },
    { name: 'single', run: () => jsOnce(path, { workers: false }) },
    { name: 'cut', run: () => jsOnce(path, cut) }, // default: the pool when ≥ PARALLEL_MIN_PIXELS pixels are decoded
    { name: 'cutSingle', run: () => jsOnce(path, { ...cut, workers: false }) },
    { name: 'funpack', run: async () => funpackOnce(path) },
  ]);
  const peers = timePeers(path, y0, x0);
  const fastest = Math.min(t.funpack.median, peers.fitsio.median, peers.astropy.median);
  const m = (x) => `${f1(x.median)} (${x.min.toFixed(0)}) [${Number.isNaN(x.cpu) ? '-' : x.cpu.toFixed(0)}]`;
  console.log(`\n${f.label} (${f.name})`);
  console.log(`  whole  fitsflow pool ${m(t.pool)}  single ${m(t.single)} | funpack -S ${m(t.funpack)}  fitsio ${m(peers.fitsio)}  astropy ${m(peers.astropy)}`);
  const fastestMin = Math.min(t.funpack.min, peers.fitsio.min, peers.astropy.min);
  const fastestCpu = Math.min(t.funpack.cpu, peers.fitsio.cpu, peers.astropy.cpu);
  console.log(`         pool / fastest peer ${ratio(t.pool.median, fastest)} (min ${ratio(t.pool.min, fastestMin)})   single / fastest peer ${ratio(t.single.median, fastest)} (min ${ratio(t.single.min, fastestMin)}, CPU ${ratio(t.single.cpu, fastestCpu)})   single / pool ${ratio(t.single.median, t.pool.median)}`);
  console.log(`  512²   fitsflow ${m(t.cut)} single ${m(t.cutSingle)} | fitsio ${m(peers.fitsio_cut)}  astropy (whole decode) ${m(peers.astropy_cut)}   fitsflow / fitsio ${ratio(t.cut.median, peers.fitsio_cut.median)}`);
}
await runtime.close();
