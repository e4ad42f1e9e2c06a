/**
 * Writing speed: fitsflow vs astropy, fitsio and fpack — a 4096×4096 float32
 * image plain, RICE_1 and GZIP_2 compressed (quantized, q = 4,
 * SUBTRACTIVE_DITHER_1, row tiles, as `fpack -r/-g2 -q 4`), and a
 * 1,000,000-row table (K, D, D, 5E, I, 8A). Run:
 *
 *   sh bench/write.sh [DIR] [RUNS]      (DIR default /tmp/fitsflow-write-bench, RUNS 5)
 *
 * The machine may be shared, so the runs are interleaved: each round runs
 * every fitsflow task once, then every peer once (bench/write.py run DIR 1),
 * and the table shows medians over the rounds of the wall time and of the
 * CPU time (all threads of the process; fpack: its child process).
 * WRITE_BENCH_ONLY=fitsflow skips the peers.
 *
 * Durability: fitsflow writes with `fsync: false` (temp file + rename, not
 * synced to disk), as the peers write (none of them fsyncs); the `plain fsync`
 * row is fitsflow's default (`fsync: true`), for the cost of durability.
 * Byte order: fitsflow's image is a native (little-endian) Float32Array it
 * swaps while writing; astropy's and fitsio's arrays (fits.getdata) are
 * big-endian already, written as they are.
 */
import { readTable } from '../src/table/read/read-table.js';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { open, createFitsWriter } from '../test/helpers/fitsflow.js';

const dir = process.argv[2] ?? '/tmp/fitsflow-write-bench';
const runs = Number(process.argv[3] ?? 5);
const here = dirname(fileURLToPath(import.meta.url));
const py = process.env.WRITE_BENCH_PY ?? [join(here, 'write.py'), join(here, '../bench/write.py')].find((p) => existsSync(p))!;
const withPeers = process.env.WRITE_BENCH_ONLY !== 'fitsflow';

if (!existsSync(join(dir, 'image.fits'))) execFileSync('/usr/bin/python3', [py, 'make', dir], { stdio: 'inherit' });

const fi = await open(join(dir, 'image.fits'));
const img = await (await fi.hdu(0)).readImage();
await fi.close();
const ft = await open(join(dir, 'table.fits'));
const table = await readTable((await ft.hdu(1)));
await ft.close();
const out = join(dir, 'fitsflow-out.fits');

const tasks: Record<string, () => Promise<void>> = {
  'fitsflow plain': async () => {
    const w = await createFitsWriter(out, { fsync: false });
    await w.addImage(img);
    await w.close();
  },
  'fitsflow plain fsync': async () => {
    const w = await createFitsWriter(out);
    await w.addImage(img);
    await w.close();
  },
  'fitsflow rice q4': async () => {
    const w = await createFitsWriter(out, { fsync: false });
    await w.addCompressedImage(img, { compression: 'RICE_1', quantize: 4 });
    await w.close();
  },
  'fitsflow gzip2 q4': async () => {
    const w = await createFitsWriter(out, { fsync: false });
    await w.addCompressedImage(img, { compression: 'GZIP_2', quantize: 4 });
    await w.close();
  },
  'fitsflow table 1M': async () => {
    const w = await createFitsWriter(out, { fsync: false });
    await w.addTable(table);
    await w.close();
  },
};

/** [wall, cpu] seconds per run, per task. */
const samples: Record<string, [number, number][]> = {};
for (let round = 0; round < runs; round++) {
  for (const [name, fn] of Object.entries(tasks)) {
    const c = process.cpuUsage();
    const t = performance.now();
    await fn();
    const wall = (performance.now() - t) / 1000;
    const used = process.cpuUsage(c);
    (samples[name] ??= []).push([wall, (used.user + used.system) / 1e6]);
  }
  rmSync(out, { force: true });
  if (withPeers) {
    const peers = JSON.parse(execFileSync('/usr/bin/python3', [py, 'run', dir, '1'], { encoding: 'utf8' })) as Record<string, [number, number]>;
    for (const [k, v] of Object.entries(peers)) (samples[k] ??= []).push(v);
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const groups = ['plain', 'plain fsync', 'rice q4', 'gzip2 q4', 'table 1M'];
console.log(`median seconds of ${runs} interleaved rounds (${dir}); wall, and CPU in parentheses`);
console.log('fitsflow writes with fsync: false, as the peers (none fsyncs); "plain fsync" is fitsflow\'s durable default');
for (const g of groups) {
  console.log(`\n${g}:`);
  const rows = Object.entries(samples)
    .filter(([k]) => k.endsWith(g))
    .map(([k, v]) => [k, median(v.map((x) => x[0])), median(v.map((x) => x[1]))] as const)
    .sort((a, b) => a[1] - b[1]);
  for (const [k, wall, cpu] of rows) console.log(`  ${k.padEnd(22)} ${wall.toFixed(3)}  (${cpu.toFixed(3)})`);
}
