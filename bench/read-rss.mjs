// Memory of big reads in a loop: RSS (MiB) after each of N reads of an image or a table's every column, one process.
// Shows whether worker-shared results (SharedArrayBuffers) pile up: V8 does not count shared memory toward its
// collections, so without care a thread can hold dead outputs indefinitely (src/core/buffers.ts).
// Files: `/usr/bin/python3 bench/table-read.py make DIR` (table_10m_rep.fits), bench/image-read.mjs (image_f32.fits).
//   npm run build && node bench/read-rss.mjs FILE [default|one|workers] [reads]
import { open } from '../dist/node.js';

const [path, mode = 'default', n = '12'] = process.argv.slice(2);
if (!path || !['default', 'one', 'workers'].includes(mode)) {
  console.error('usage: node bench/read-rss.mjs FILE [default|one|workers] [reads]');
  process.exit(2);
}
const file = await open(path);
// The first HDU with data: the primary image, else extension 1 (a table).
const hdu = (await file.hdu(0)).header.get('NAXIS') ? await file.hdu(0) : await file.hdu(1);
const isImage = hdu.header.get('XTENSION') !== 'BINTABLE' && hdu.header.get('XTENSION') !== 'TABLE';
const workers = mode === 'one' ? { workers: false } : mode === 'workers' ? { workers: isImage ? 1 : true } : {};
const rss = [];
const t0 = performance.now();
for (let i = 0; i < Number(n); i++) {
  if (isImage) await hdu.readImage(workers);
  else await hdu.readTable(workers);
  rss.push(Math.round(process.memoryUsage().rss / 2 ** 20));
}
const ms = (performance.now() - t0) / Number(n);
await file.close();
console.log(`${mode}: ${isImage ? 'image' : 'table'}, ${ms.toFixed(1)} ms a read; RSS MiB after each read: ${rss.join(' ')}`);
process.exit(0);
