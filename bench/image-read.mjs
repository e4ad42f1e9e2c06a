// Image-read benchmark (issue 2): fitsflow vs the floor vs astropy and fitsio, in one run.
// Usage: npm run build && node bench/image-read.mjs [runs]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { open, NodeFileSource } from '../dist/node.js';

const here = dirname(fileURLToPath(import.meta.url));
const runs = Number(process.argv[2] ?? 9);
const WARMUP = Number(process.env.WARMUP ?? 20);
const dir = '/tmp/fitsflow-bench';
const path = join(dir, 'image_f32.fits');
mkdirSync(dir, { recursive: true });
if (!existsSync(path)) execFileSync('/usr/bin/python3', [join(here, 'make-image.py'), path], { stdio: 'inherit' });

const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
async function time(fn) {
  const ts = [];
  for (let i = 0; i < WARMUP; i++) await fn(); // warm-up: JIT (a long-running process is warm) and page cache
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ts.push(performance.now() - t);
  }
  return ts;
}

const results = {};
const N = 4096 * 4096;
const reuse = new Float32Array(N);

// The floor: read the data bytes into a buffer (one pread loop) and byte-swap in place.
function floorRead(out) {
  const fd = openSync(path, 'r');
  const bytes = new Uint8Array(out.buffer);
  let done = 0;
  while (done < bytes.length) done += readSync(fd, bytes, done, bytes.length - done, 2880 + done);
  closeSync(fd);
  Buffer.from(out.buffer, out.byteOffset, out.byteLength).swap32(); // the fastest swap Node has
}
results['floor (reused buffer)'] = await time(() => floorRead(reuse));
results['floor (fresh buffer)'] = await time(() => floorRead(new Float32Array(N)));

let bytesForCutout = 0;
results['fitsflow full (reused buffer)'] = await time(async () => {
  const f = await open(path);
  await (await f.hdu(0)).readImage({ into: reuse });
  await f.close();
});
results['fitsflow full (fresh buffer)'] = await time(async () => {
  const f = await open(path);
  await (await f.hdu(0)).readImage();
  await f.close();
});
results['fitsflow full (fresh, workers: 1)'] = await time(async () => {
  const f = await open(path);
  await (await f.hdu(0)).readImage({ workers: 1 }); // this thread + one worker of the runtime's pool
  await f.close();
});
results['fitsflow cutout 512x512'] = await time(async () => {
  const src = await NodeFileSource.open(path);
  const counting = {
    size: src.size, name: path,
    read: (o, l, into) => { bytesForCutout += l; return src.read(o, l, into); },
    readSync: (o, l, into) => { bytesForCutout += l; return src.readSync(o, l, into); },
    close: () => src.close(),
  };
  const f = await open(counting);
  bytesForCutout = 0;
  await (await f.hdu(0)).readImage({ start: [1000, 1200], shape: [512, 512] });
  await f.close();
});

const peers = JSON.parse(execFileSync('/usr/bin/python3', [join(here, 'peers_image.py'), path, String(runs)], { encoding: 'utf8' }));
Object.assign(results, peers);

const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
console.log(`image-read benchmark, 4096x4096 float32 (${(N * 4 / 2 ** 20).toFixed(0)} MiB), median of ${runs} runs, ${new Date().toISOString().slice(0, 10)}`);
for (const [k, v] of Object.entries(m)) console.log(`  ${k.padEnd(32)} ${v.toFixed(2).padStart(9)} ms`);
const ff = m['fitsflow full (fresh buffer)'], ffr = m['fitsflow full (reused buffer)'];
console.log('ratios:');
console.log(`  fitsflow full / floor (both reused)      ${(ffr / m['floor (reused buffer)']).toFixed(2)}`);
console.log(`  fitsflow full / floor (both fresh)       ${(ff / m['floor (fresh buffer)']).toFixed(2)}`);
console.log(`  astropy full / fitsflow full (fresh)     ${(m['astropy full'] / ff).toFixed(2)}`);
console.log(`  fitsio full / fitsflow full (fresh)      ${(m['fitsio full'] / ff).toFixed(2)}`);
console.log(`  fitsflow full (fresh, workers: 1) / astropy full   ${(m['fitsflow full (fresh, workers: 1)'] / m['astropy full']).toFixed(2)}`);
console.log(`  astropy cutout / fitsflow cutout         ${(m['astropy cutout'] / m['fitsflow cutout 512x512']).toFixed(2)}`);
console.log(`  fitsio cutout / fitsflow cutout          ${(m['fitsio cutout'] / m['fitsflow cutout 512x512']).toFixed(2)}`);
console.log(`  cutout bytes read: ${bytesForCutout} (${(bytesForCutout / 2 ** 20).toFixed(2)} MiB)`);
