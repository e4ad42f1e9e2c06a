/**
 * Candidate codecs for RedisStore's cached blocks (23 040-byte blocks, one
 * thread): node:zlib raw deflate 1 and 6, brotli 1, and two pure-JS codecs
 * (lz4js, snappyjs — not dependencies: install them aside to run this).
 * Files: test/corpus, and the bench images of bench/remote.py.
 *
 *   npm install --no-save lz4js snappyjs && node bench/redis-codecs.mjs
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as zlib from 'node:zlib';
import lz4 from 'lz4js';
import snappy from 'snappyjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const B = 23040;
function walk(d, out = []) {
  for (const n of readdirSync(d)) {
    const p = join(d, n);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.fits(\.fz|\.gz)?$/.test(n)) out.push(p);
  }
  return out;
}
const sets = { corpus: walk(join(root, 'test', 'corpus')) };
if (existsSync('/tmp/fitsflow-bench-remote/sky_int16.fits')) {
  sets.sky_int16 = ['/tmp/fitsflow-bench-remote/sky_int16.fits'];
  sets['sky .fz'] = ['/tmp/fitsflow-bench-remote/sky_rows.fits.fz'];
}
const codecs = {
  'deflate-1': [(b) => zlib.deflateRawSync(b, { level: 1 }), (c) => zlib.inflateRawSync(c)],
  'deflate-6': [(b) => zlib.deflateRawSync(b, { level: 6 }), (c) => zlib.inflateRawSync(c)],
  'brotli-1': [(b) => zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } }), (c) => zlib.brotliDecompressSync(c)],
  lz4js: [(b) => lz4.compress(b), (c) => lz4.decompress(c)],
  snappyjs: [(b) => snappy.compress(b), (c) => snappy.uncompress(c)],
};
for (const [sname, files] of Object.entries(sets)) {
  const blocks = [];
  for (const f of files) {
    const d = readFileSync(f);
    for (let o = 0; o < d.length; o += B) blocks.push(d.subarray(o, Math.min(o + B, d.length)));
  }
  const raw = blocks.reduce((a, b) => a + b.length, 0);
  for (const [cname, [c, d]] of Object.entries(codecs)) {
    let comp = 0;
    const tc = [];
    const td = [];
    for (let r = 0; r < 3; r++) {
      let t = performance.now();
      const cs = blocks.map((b) => c(b));
      tc.push(performance.now() - t);
      comp = cs.reduce((a, b) => a + b.length, 0);
      t = performance.now();
      for (const x of cs) d(x);
      td.push(performance.now() - t);
    }
    const med = (a) => a.sort((x, y) => x - y)[1];
    console.log(`${sname.padEnd(10)} ${cname.padEnd(10)} ratio ${(raw / comp).toFixed(2)}  comp ${(raw / 2 ** 20 / (med(tc) / 1000)).toFixed(0)} MiB/s  decomp ${(raw / 2 ** 20 / (med(td) / 1000)).toFixed(0)} MiB/s  (${(raw / 2 ** 20).toFixed(1)} MiB)`);
  }
}
