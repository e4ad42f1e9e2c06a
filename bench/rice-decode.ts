/**
 * Rice decode speed on a 4096×4096 int16 image, single-threaded.
 *
 * Input: made by `/usr/bin/python3 bench/make_rice_bench.py` (fpack, row tiles
 * and 32×32 tiles) in /tmp/fitsflow-bench. Run (Node 20 has no type stripping):
 *
 *   npx esbuild bench/rice-decode.ts --bundle --platform=node --format=esm --outfile=/tmp/rice-decode.mjs \
 *     && node /tmp/rice-decode.mjs [DIR]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { riceDecode } from '../src/codecs/rice/decode.js';

const dir = process.argv[2] ?? '/tmp/fitsflow-bench';
const N = 4096;
const expected = new Int16Array(readFileSync(join(dir, 'sky_int16.raw')).buffer.slice(0));

interface Tile {
  npix: number;
  bytes: Uint8Array;
}

function readTiles(path: string): Tile[] {
  const buf = new Uint8Array(readFileSync(path));
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = view.getUint32(0, true);
  const tiles: Tile[] = [];
  let p = 4;
  for (let k = 0; k < n; k++) {
    const npix = view.getUint32(p, true);
    const len = view.getUint32(p + 4, true);
    tiles.push({ npix, bytes: buf.subarray(p + 8, p + 8 + len) });
    p += 8 + len;
  }
  return tiles;
}

/** Decode every tile into its place in the image (tw×th tiles). */
function decodeImage(tiles: Tile[], tw: number, th: number, image: Int16Array, scratch: Int16Array): void {
  const across = N / tw;
  for (let k = 0; k < tiles.length; k++) {
    const t = tiles[k];
    if (th === 1) {
      riceDecode(t.bytes, image.subarray(k * N, k * N + N), 32, k);
      continue;
    }
    const out = scratch.subarray(0, t.npix);
    riceDecode(t.bytes, out, 32, k);
    const x0 = (k % across) * tw;
    const y0 = Math.floor(k / across) * th;
    for (let y = 0; y < th; y++) image.set(out.subarray(y * tw, y * tw + tw), (y0 + y) * N + x0);
  }
}

function timeRuns(f: () => void): { median: number; best: number } {
  const times: number[] = [];
  for (let r = 0; r < 9; r++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { median: times[times.length >> 1], best: times[0] };
}

for (const [name, tw, th] of [['rows', N, 1], ['32x32', 32, 32]] as const) {
  const tiles = readTiles(join(dir, `sky_int16_${name}.tiles`));
  const bytes = tiles.reduce((s, t) => s + t.bytes.length, 0);
  const image = new Int16Array(N * N);
  const scratch = new Int16Array(tw * th);
  decodeImage(tiles, tw, th, image, scratch);
  for (let i = 0; i < image.length; i++) {
    if (image[i] !== expected[i]) throw new Error(`${name}: pixel ${i} is ${image[i]}, expected ${expected[i]}`);
  }
  const placed = timeRuns(() => decodeImage(tiles, tw, th, image, scratch));
  // The codec alone: every tile into one scratch array, no placement.
  const alone = timeRuns(() => {
    for (let k = 0; k < tiles.length; k++) riceDecode(tiles[k].bytes, scratch.subarray(0, tiles[k].npix), 32, k);
  });
  console.log(
    `${name}: ${tiles.length} tiles, ${(bytes / 1e6).toFixed(1)} MB compressed (${((8 * bytes) / (N * N)).toFixed(2)} bits/px): ` +
      `decode+place median ${placed.median.toFixed(1)} ms (best ${placed.best.toFixed(1)}), ` +
      `decode only median ${alone.median.toFixed(1)} ms (best ${alone.best.toFixed(1)}, ${((N * N) / alone.median / 1e3).toFixed(0)} Mpx/s)`,
  );
}
