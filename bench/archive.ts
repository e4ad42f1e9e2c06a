/**
 * Whole-file archives: open + read every image HDU + SHA-256 of its bytes, for
 * a .fits / .fits.gz / .fits.bz2 / .fits.xz / .fits.Z, with fitsflow (one child
 * process per run, reporting its peak RSS) against astropy doing the same
 * (fits.open + .data + hashlib; astropy 5.2 reads neither .xz nor .Z) and
 * against the C tool decompressing to /dev/null, medians of RUNS runs each.
 *
 * Input: a 64 MiB int16 image with smooth structure and noise (compresses ~3:1),
 * made here with numpy and compressed with the real tools into DIR.
 *
 *   npx esbuild bench/archive.ts --bundle --platform=node --format=esm --outfile=/tmp/archive-bench.mjs \
 *     --banner:js="import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" \
 *     && node /tmp/archive-bench.mjs [DIR] [RUNS]        (from the repository root)
 *
 * The machine has 2 cores and other jobs run on it: figures are noisy.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { open } from '../test/helpers/fitsflow.js';

const dir = process.argv[2] ?? '/tmp/fitsflow-archive-bench';
const runs = Number(process.argv[3] ?? 3);
const PY = '/usr/bin/python3';

if (process.argv[4] === 'child') {
  // One fitsflow open+digest, reporting peak RSS.
  const t = performance.now();
  const f = await open(process.argv[5]!);
  for await (const hdu of f) {
    if (hdu.kind !== 'image' || !hdu.shape) continue;
    const { data } = await hdu.readImage();
    createHash('sha256').update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).digest('hex');
  }
  await f.close();
  console.log(JSON.stringify({ ms: performance.now() - t, rssMiB: process.resourceUsage().maxRSS / 1024 }));
  process.exit(0);
}

const base = join(dir, 'image.fits');
if (!existsSync(base)) {
  execFileSync('mkdir', ['-p', dir]);
  execFileSync(PY, ['-c', `
import numpy as np
from astropy.io import fits
rng = np.random.default_rng(1)
y, x = np.mgrid[0:4096, 0:8192]
img = (1000 * np.sin(x / 300.0) * np.cos(y / 200.0) + rng.normal(0, 20, (4096, 8192))).astype('>i2')
fits.PrimaryHDU(img).writeto('${base}', overwrite=True)
`]);
  for (const [tool, suffix] of [['gzip', '.gz'], ['bzip2', '.bz2'], ['xz', '.xz'], ['compress', '.Z']] as const) {
    execFileSync('sh', ['-c', `${tool} -c ${tool === 'compress' ? '-f ' : ''}'${base}' > '${base}${suffix}'`]);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const toolMs = (path: string, tool: string | null): number => {
  if (!tool) return NaN;
  const t = performance.now();
  execFileSync('sh', ['-c', `${tool} -dc '${path}' > /dev/null`]);
  return performance.now() - t;
};
const TOOL: Record<string, string | null> = { '': null, '.gz': 'gzip', '.bz2': 'bzip2', '.xz': 'xz', '.Z': 'gzip' };

const astropyMs = (path: string): number => {
  if (path.endsWith('.xz') || path.endsWith('.Z')) return NaN;
  const out = execFileSync(PY, ['-c', `
import time, hashlib, sys
from astropy.io import fits
t = time.perf_counter()
with fits.open(sys.argv[1]) as hl:
    for h in hl:
        if h.data is not None: hashlib.sha256(h.data.tobytes()).hexdigest()
print((time.perf_counter() - t) * 1000)
`, path], { encoding: 'utf8' });
  return Number(out.trim());
};

console.log(`# archive bench: ${new Date().toISOString()}, ${runs} runs, file ${statSync(base).size} bytes`);
console.log('| file | MB on disk | fitsflow ms | astropy ms | fitsflow/astropy | C tool -dc ms | fitsflow/tool | fitsflow peak RSS MiB |');
console.log('|---|---|---|---|---|---|---|---|');
for (const suffix of ['', '.gz', '.bz2', '.xz', '.Z']) {
  const path = base + suffix;
  const ff: number[] = [];
  const ap: number[] = [];
  const tl: number[] = [];
  let rss = 0;
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, [process.argv[1]!, dir, '1', 'child', path], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    const j = JSON.parse(r.stdout.trim()) as { ms: number; rssMiB: number };
    ff.push(j.ms);
    rss = Math.max(rss, j.rssMiB);
    ap.push(astropyMs(path));
    tl.push(toolMs(path, TOOL[suffix]!));
  }
  const f = median(ff);
  const a = median(ap);
  const t = median(tl);
  const cell = (x: number, d = 0) => (Number.isNaN(x) ? 'n/a' : x.toFixed(d));
  console.log(`| image.fits${suffix} | ${(statSync(path).size / 1e6).toFixed(1)} | ${f.toFixed(0)} | ${cell(a)} | ${cell(f / a, 2)} | ${cell(t)} | ${cell(f / t, 2)} | ${rss.toFixed(0)} |`);
}
