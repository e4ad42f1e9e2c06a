// Smoke test of the built package in another runtime (Deno, Bun): open the
// bundled sample by path and from bytes through the runtime-neutral entry, and
// check a digest; and the folder cache's direct reads (thread-pool reads, then
// entries trusted by their verification records). Prints "smoke ok <runtime>"
// on success.
import * as nodeEntry from '../../dist/node.js';
import { FsCache } from '../../dist/remote-node.js';
import * as neutral from '../../dist/esm/entries/index.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
// Folder cache: 4 entries; read (checksummed), then again from the same and from a new store (trusted: no checksum).
const dir = mkdtempSync(join(tmpdir(), 'fitsflow-smoke-cache-'));
try {
  const B = 2880;
  const obj = { id: 'ab'.repeat(32), url: 'https://x.invalid/a.fits', etag: '"1"', lastModified: null, size: 40 * B, blockSize: B };
  const data = new Uint8Array(40 * B).map((_, i) => (i * 7) & 255);
  const store = new FsCache(dir);
  for (let b = 0; b < 40; b += 10) await store.putBlocks(obj, b, data.subarray(b * B, (b + 10) * B));
  await new Promise((r) => setTimeout(r, 2200)); // entries old enough to be trusted once verified
  for (const [s, checksummed] of [[store, data.length], [store, 0], [null, 0]]) {
    const st = s ?? (await store.flush(), new FsCache(dir));
    const dest = new Uint8Array(data.length);
    const before = st.counters.bytesChecksummed;
    const r = await st.readBlocksInto(obj, 0, 40, dest);
    if (r.missing.length || dest.some((v, i) => v !== data[i])) throw new Error('folder cache: wrong bytes');
    if (st.counters.bytesChecksummed - before !== checksummed) throw new Error(`folder cache: checksummed ${st.counters.bytesChecksummed - before}, expected ${checksummed}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const runtime = typeof Deno !== 'undefined' ? 'deno' : typeof Bun !== 'undefined' ? 'bun' : 'node';
console.log(`smoke ok ${runtime}`);
