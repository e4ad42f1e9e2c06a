// Does the worker pool ever lose to one thread? Default reads (pool) and `workers: false` alternated call by call in
// one process, medians; ratio pool / one thread (below 1: the pool is faster). Run it idle and with a busy process per
// core (`sh bench/with-busy-cores.sh node bench/pool-vs-one.mjs`). Files: bench/image-read.mjs makes the image,
// `/usr/bin/python3 bench/table-read.py make /tmp/fitsflow-table-bench` the tables, bench/compressed-read.mjs the
// tile-compressed images.
//   npm run build && node bench/pool-vs-one.mjs [runs]
import { existsSync } from 'node:fs';
import { open } from '../dist/node.js';

const runs = Number(process.argv[2] ?? 15);
if (process.argv[2] === '--help') {
  console.log('usage: node bench/pool-vs-one.mjs [runs]   (after npm run build)');
  process.exit(0);
}
const cases = [
  ['4096² float32 image, whole', '/tmp/fitsflow-bench/image_f32.fits', 0, {}],
  ['1M-row table, all columns', '/tmp/fitsflow-table-bench/table_1m_uniq.fits', 1, {}],
  ['10M-row table, all columns', '/tmp/fitsflow-table-bench/table_10m_rep.fits', 1, {}],
  ['Rice int16 4096², whole', '/tmp/fitsflow-bench-tiled/rice_i16.fits.fz', 1, {}],
  ['GZIP_2 float32 4096², whole', '/tmp/fitsflow-bench-tiled/gzip2_f32.fits.fz', 1, {}],
  ['GZIP_2 float32, 512² cutout', '/tmp/fitsflow-bench-tiled/gzip2_f32.fits.fz', 1, { start: [1000, 1200], shape: [512, 512] }],
  ['Rice int16, 512² cutout', '/tmp/fitsflow-bench-tiled/rice_i16.fits.fz', 1, { start: [1000, 1200], shape: [512, 512] }],
];
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
console.log(`pool vs one thread — ${runs} alternated calls each, median ms; ${new Date().toISOString()}; load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
for (const [label, path, index, section] of cases) {
  if (!existsSync(path)) {
    console.log(`  ${label.padEnd(30)} (no ${path}: see the header of this script)`);
    continue;
  }
  const file = await open(path);
  const hdu = await file.hdu(index);
  const table = hdu.header.get('XTENSION') === 'BINTABLE' && !hdu.header.get('ZIMAGE');
  const read = (o) => (table ? hdu.readTable(o) : hdu.readImage({ ...section, ...o }));
  const n = label.startsWith('10M') ? Math.max(3, runs >> 2) : runs;
  for (let i = 0; i < 3; i++) { await read({}); await read({ workers: false }); } // warm: JIT, page cache, pool started
  const pool = [], one = [];
  for (let i = 0; i < n; i++) {
    let t = performance.now();
    await read({});
    pool.push(performance.now() - t);
    t = performance.now();
    await read({ workers: false });
    one.push(performance.now() - t);
  }
  await file.close();
  const p = median(pool), o = median(one);
  console.log(`  ${label.padEnd(30)} pool ${p.toFixed(1).padStart(8)}   one thread ${o.toFixed(1).padStart(8)}   pool / one ${(p / o).toFixed(2)}`);
}
process.exit(0);
