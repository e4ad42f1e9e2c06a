// Memory of big table reads in a loop: RSS (MiB) after each of 12 reads of a table's every column, one process.
// Shows whether worker-shared results (SharedArrayBuffer, freed only once every isolate that saw them collects
// garbage) pile up. Table: `/usr/bin/python3 bench/table-read.py make DIR` (table_10m_rep.fits).
//   npm run build && node bench/table-read-rss.mjs DIR/table_10m_rep.fits [default|one|workers]
import { open } from '../dist/node.js';

const [path, mode = 'default'] = process.argv.slice(2);
if (!path) throw new Error('usage: node bench/table-read-rss.mjs FILE [default|one|workers]');
const options = mode === 'one' ? { workers: false } : mode === 'workers' ? { workers: true } : {};
const file = await open(path);
const hdu = await file.hdu(1);
const rss = [];
for (let i = 0; i < 12; i++) {
  await hdu.readTable(options);
  rss.push(Math.round(process.memoryUsage().rss / 2 ** 20));
}
await file.close();
console.log(`${mode}: RSS MiB after each read: ${rss.join(' ')}`);
process.exit(0);
