// Smoke test of the built package in another runtime (Deno, Bun): open the
// bundled sample by path and from bytes through the runtime-neutral entry, and
// check a digest. Prints "smoke ok <runtime>" on success.
import * as nodeEntry from '../../dist/index.node.js';
import * as neutral from '../../dist/index.js';
import { readFileSync } from 'node:fs';

const path = new URL('../corpus/images/bitpix16_2d.fits', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('../corpus/manifest.json', import.meta.url), 'utf8'));
const want = manifest.files.find((f) => f.path === 'images/bitpix16_2d.fits').digest.hdus[0].sha256;

const f1 = await nodeEntry.open(path);
const d1 = await nodeEntry.digestFile(f1);
await f1.close();
const f2 = await neutral.open(new Uint8Array(readFileSync(path)));
const d2 = await neutral.digestFile(f2);
const img = await (await f2.hdu(0)).readImage({ start: [10, 10], shape: [5, 5] });
if (d1.hdus[0].sha256 !== want || d2.hdus[0].sha256 !== want) throw new Error(`digest mismatch: ${d1.hdus[0].sha256} ${d2.hdus[0].sha256} ${want}`);
if (img.data.length !== 25) throw new Error('cutout size');
const runtime = typeof Deno !== 'undefined' ? 'deno' : typeof Bun !== 'undefined' ? 'bun' : 'node';
console.log(`smoke ok ${runtime}`);
