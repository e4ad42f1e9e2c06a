/**
 * Tile-compressed tables (fpack -table): what a user does with one, with
 * fitsflow against what they would run instead (astropy 5.2 and fitsio cannot
 * read compressed tables, so: funpack, then astropy), medians of RUNS runs,
 * interleaved run by run:
 *  - all columns: fitsflow readTable on the .fz vs funpack + astropy
 *    (fits.open + every column);
 *  - one column of 1000 rows: fitsflow readTable({ columns, rows }) vs the same
 *    funpack + astropy (which has to restore the whole table first);
 *  - restore the file: fitsflow decompress vs funpack;
 *  - compress: fitsflow compress --table vs fpack -table.
 * fitsflow runs in a child process per run (cold, like the tools); every
 * time is wall time of the whole process, start included.
 *
 * Input: a 400 000-row table (ID J, RA/DEC D, MAG 5E, FLAG B, NAME 12A; 53 bytes
 * a row, 21.2 MB) made with numpy/astropy, compressed by fpack -table into DIR.
 *
 *   npx esbuild bench/ztable.ts --bundle --platform=node --format=esm --outfile=/tmp/ztable-bench.mjs \
 *     --external:webgpu --banner:js="import { createRequire as cr } from 'node:module'; const require = cr(import.meta.url);" \
 *     && node /tmp/ztable-bench.mjs [DIR] [RUNS]        (from the repository root)
 *
 * The machine has 2 cores and other jobs run on it: figures are noisy.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { open } from '../test/helpers/fitsflow.js';
import { main } from '../src/cli/main.js';

const dir = process.argv[2] ?? '/tmp/fitsflow-ztable-bench';
const runs = Number(process.argv[3] ?? 3);
const PY = '/usr/bin/python3';
const self = process.argv[1]!;

if (process.argv[4] === 'child') {
  const what = process.argv[5]!;
  const file = process.argv[6]!;
  const t = performance.now();
  if (what === 'all' || what === 'one') {
    const f = await open(file);
    const t1 = await (await f.hdu(1)).readTable(what === 'one' ? { columns: ['MAG'], rows: { start: 200000, count: 1000 } } : {});
    if (t1.numRows === 0) throw new Error('empty');
    await f.close();
  } else {
    const io = { out: () => {}, err: () => {}, open: (p: string) => open(p) };
    const argv = what === 'decompress' ? ['decompress', file, join(dir, 'ff-out.fits'), '--force'] : ['compress', file, join(dir, 'ff-out.fits.fz'), '--table', '--force'];
    if ((await main(argv, io as never)) !== 0) throw new Error(`${what} failed`);
  }
  console.log(JSON.stringify({ ms: performance.now() - t, rssMiB: process.resourceUsage().maxRSS / 1024 }));
  process.exit(0);
}

const plain = join(dir, 'table.fits');
const fz = join(dir, 'table.fits.fz');
if (!existsSync(fz)) {
  execFileSync('mkdir', ['-p', dir]);
  execFileSync(PY, ['-c', `
import numpy as np
from astropy.io import fits
n = 400000
r = np.random.default_rng(1)
cols = [
  fits.Column(name='ID', format='J', array=np.arange(n, dtype=np.int32)),
  fits.Column(name='RA', format='D', array=r.uniform(0, 360, n)),
  fits.Column(name='DEC', format='D', array=r.uniform(-90, 90, n)),
  fits.Column(name='MAG', format='5E', array=(r.normal(18, 2, (n, 5))).astype(np.float32)),
  fits.Column(name='FLAG', format='B', array=r.integers(0, 4, n).astype(np.uint8)),
  fits.Column(name='NAME', format='12A', array=np.array(['SRC%09d' % i for i in range(n)])),
]
fits.BinTableHDU.from_columns(cols).writeto('${plain}', overwrite=True)
`]);
  execFileSync('fpack', ['-table', '-O', fz, plain]);
}

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)]!;
}
/** A fitsflow child run: wall time including Node's start (as the peers' times include theirs), and its peak RSS. */
function child(what: string, file: string): { ms: number; rssMiB: number } {
  const t = performance.now();
  const r = spawnSync(process.execPath, [self, dir, String(runs), 'child', what, file], { encoding: 'utf8' });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(r.stderr);
  return { ms, rssMiB: (JSON.parse(r.stdout.trim().split('\n').pop()!) as { rssMiB: number }).rssMiB };
}
function timed(cmd: string, args: string[]): number {
  const t = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  return performance.now() - t;
}
const peerRead = (cols: string) => `
import subprocess, sys
from astropy.io import fits
subprocess.run(['funpack', '-O', '${dir}/peer.fits', '${fz}'], check=True)
with fits.open('${dir}/peer.fits') as h:
    d = h[1].data
    ${cols}
`;

const rows: Record<string, { ff: number[]; peer: number[]; rss: number[] }> = {};
const add = (k: string, ff: number, peer: number, rss: number) => {
  rows[k] ??= { ff: [], peer: [], rss: [] };
  rows[k]!.ff.push(ff);
  rows[k]!.peer.push(peer);
  rows[k]!.rss.push(rss);
};
for (let i = 0; i < runs; i++) {
  let c = child('all', fz);
  rmSync(join(dir, 'peer.fits'), { force: true });
  add('all columns', c.ms, timed(PY, ['-c', peerRead('[np for np in (d[n] for n in d.columns.names)]')]), c.rssMiB);
  c = child('one', fz);
  rmSync(join(dir, 'peer.fits'), { force: true });
  add('MAG of rows 200000-200999', c.ms, timed(PY, ['-c', peerRead("x = d['MAG'][200000:201000].copy()")]), c.rssMiB);
  c = child('decompress', fz);
  rmSync(join(dir, 'peer.fits'), { force: true });
  add('restore the file (decompress / funpack)', c.ms, timed('funpack', ['-O', join(dir, 'peer.fits'), fz]), c.rssMiB);
  c = child('compress', plain);
  rmSync(join(dir, 'peer.fits.fz'), { force: true });
  add('compress (compress --table / fpack -table)', c.ms, timed('fpack', ['-table', '-O', join(dir, 'peer.fits.fz'), plain]), c.rssMiB);
}
console.log(`plain ${statSync(plain).size} bytes, fpack -table ${statSync(fz).size} bytes, fitsflow compress --table ${statSync(join(dir, 'ff-out.fits.fz')).size} bytes`);
console.log('| task | fitsflow ms | peer ms | fitsflow/peer | fitsflow peak RSS MiB |');
console.log('|---|---|---|---|---|');
for (const [k, v] of Object.entries(rows)) {
  const ff = median(v.ff);
  const peer = median(v.peer);
  console.log(`| ${k} | ${ff.toFixed(0)} | ${peer.toFixed(0)} | ${(ff / peer).toFixed(2)} | ${median(v.rss).toFixed(0)} |`);
}
