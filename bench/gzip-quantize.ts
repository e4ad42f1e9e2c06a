/**
 * Speed of GZIP_2 decoding and dequantization on a 4096 × 4096 float32 image
 * compressed by fpack (GZIP_2, row tiles, SUBTRACTIVE_DITHER_1), made by
 * bench/make_gzip2_bench_tiles.py. Single-threaded. Run:
 *
 *   /usr/bin/python3 bench/make_gzip2_bench_tiles.py
 *   npx esbuild bench/gzip-quantize.ts --bundle --platform=node --format=esm \
 *     --outfile=/tmp/gzq-bench.mjs && node /tmp/gzq-bench.mjs [/tmp/fitsflow-bench/gzip2_f32_4096.tiles]
 *
 * Every full-image run is checked against funpack's SHA-256 of the image.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzip1Decode, gzip2Decode, gzipDecodeInt32 } from '../src/codecs/gzip/decode.js';
import { pakoInflater, type Inflater } from '../src/codecs/gzip/inflate.js';
import { nodeInflater } from '../src/node/inflate.js';
import { dequantize } from '../src/codecs/quantize/dequantize.js';

interface Tiles {
  npix: number;
  seed: number;
  sha256: string;
  zscale: Float64Array;
  zzero: Float64Array;
  data: Uint8Array[];
}

function load(path: string): Tiles {
  const buf = readFileSync(path);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
  if (buf.toString('latin1', 0, 4) !== 'GZQ1') throw new Error('not a GZQ1 tile dump');
  const ntiles = view.getUint32(4, true);
  const npix = view.getUint32(8, true);
  const seed = view.getInt32(12, true);
  const sha256 = buf.toString('latin1', 16, 80);
  const zscale = new Float64Array(ntiles);
  const zzero = new Float64Array(ntiles);
  const data: Uint8Array[] = [];
  let at = 80;
  for (let i = 0; i < ntiles; i++) {
    zscale[i] = view.getFloat64(at, true);
    zzero[i] = view.getFloat64(at + 8, true);
    const len = view.getUint32(at + 16, true);
    at += 20;
    data.push(new Uint8Array(buf.subarray(at, at + len)));
    at += len;
  }
  return { npix, seed, sha256, zscale, zzero, data };
}

function imageSha(image: Float32Array): string {
  const be = new Uint8Array(image.length * 4);
  const v = new DataView(be.buffer);
  for (let i = 0; i < image.length; i++) {
    if (Number.isNaN(image[i])) v.setUint32(4 * i, 0x7fc00000);
    else v.setFloat32(4 * i, image[i]);
  }
  return createHash('sha256').update(be).digest('hex');
}

/** Best of `runs` wall-clock times, in ms. */
function best(runs: number, fn: () => void): number {
  let min = Infinity;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    fn();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

const tiles = load(process.argv[2] ?? '/tmp/fitsflow-bench/gzip2_f32_4096.tiles');
const { npix } = tiles;
const ntiles = tiles.data.length;
const total = npix * ntiles;
const compressedBytes = tiles.data.reduce((s, d) => s + d.length, 0);
console.log(`${ntiles} tiles × ${npix} px, ${(compressedBytes / 1e6).toFixed(1)} MB compressed, ${(total * 4 / 1e6).toFixed(1)} MB inflated`);

const image = new Float32Array(total);
const ints = new Int32Array(npix); // scratch, reused for every tile
const bytes = new Uint8Array(npix * 4);
const allInts = new Int32Array(total);
const RUNS = 5;

const inflaters: [string, Inflater][] = [
  ['pako', pakoInflater],
  ['node:zlib', nodeInflater],
];
for (const [name, inflater] of inflaters) {
  const inflateOnly = best(RUNS, () => {
    for (const d of tiles.data) inflater(d, npix * 4);
  });
  const g2 = best(RUNS, () => {
    for (const d of tiles.data) gzip2Decode(d, bytes, 4, undefined, inflater);
  });
  const g2ints = best(RUNS, () => {
    for (let t = 0; t < ntiles; t++) gzipDecodeInt32(tiles.data[t], allInts.subarray(t * npix, (t + 1) * npix), 'GZIP_2', t, inflater);
  });
  const full = best(RUNS, () => {
    for (let t = 0; t < ntiles; t++) {
      gzipDecodeInt32(tiles.data[t], ints, 'GZIP_2', t, inflater);
      dequantize(ints, image.subarray(t * npix, (t + 1) * npix), {
        zscale: tiles.zscale[t],
        zzero: tiles.zzero[t],
        method: 'SUBTRACTIVE_DITHER_1',
        ditherSeed: tiles.seed,
        tileIndex: t,
      });
    }
  });
  const ok = imageSha(image) === tiles.sha256;
  console.log(
    `${name.padEnd(9)} inflate only ${inflateOnly.toFixed(0)} ms | gzip2Decode (bytes) ${g2.toFixed(0)} ms | ` +
      `gzipDecodeInt32 ${g2ints.toFixed(0)} ms | inflate+unshuffle+dequantize ${full.toFixed(0)} ms ` +
      `(${ok ? 'matches funpack' : 'MISMATCH with funpack'})`,
  );
  image.fill(0);
}

// Dequantize alone, all 16.7 M pixels, from integers already decoded.
const deq = (method: 'SUBTRACTIVE_DITHER_1' | 'SUBTRACTIVE_DITHER_2' | 'NO_DITHER', out: Float32Array | Float64Array, zblank?: number) =>
  best(RUNS, () => {
    for (let t = 0; t < ntiles; t++) {
      dequantize(allInts.subarray(t * npix, (t + 1) * npix), out.subarray(t * npix, (t + 1) * npix), {
        zscale: tiles.zscale[t],
        zzero: tiles.zzero[t],
        method,
        ditherSeed: tiles.seed,
        tileIndex: t,
        ...(zblank !== undefined ? { zblank } : {}),
      });
    }
  });
console.log(`dequantize ${total} px → float32: SUBTRACTIVE_DITHER_1 ${deq('SUBTRACTIVE_DITHER_1', image).toFixed(0)} ms`);
console.log(`  with ZBLANK ${deq('SUBTRACTIVE_DITHER_1', image, -2147483647).toFixed(0)} ms, SUBTRACTIVE_DITHER_2 ${deq('SUBTRACTIVE_DITHER_2', image).toFixed(0)} ms, NO_DITHER ${deq('NO_DITHER', image).toFixed(0)} ms`);
console.log(`  → float64: ${deq('SUBTRACTIVE_DITHER_1', new Float64Array(total)).toFixed(0)} ms`);

// GZIP_1 of incompressible float32 noise (lossless float tiles), per inflater.
{
  const { gzipSync } = await import('node:zlib');
  const noise = new Float32Array(npix);
  const lossless: Uint8Array[] = [];
  for (let t = 0; t < 256; t++) {
    for (let i = 0; i < npix; i++) noise[i] = 1000 + Math.sin(i * 12.9898 + t * 78.233) * 43758.5453 % 10;
    lossless.push(new Uint8Array(gzipSync(new Uint8Array(noise.buffer), { level: 1 })));
  }
  for (const [name, inflater] of inflaters) {
      const ms = best(RUNS, () => {
      for (const d of lossless) gzip1Decode(d, bytes, undefined, inflater);
    });
    console.log(`GZIP_1 lossless float32, 256 tiles × ${npix} px, ${name}: ${ms.toFixed(1)} ms (${((256 * npix * 4) / 1e3 / ms).toFixed(0)} MB/s)`);
  }
  }

// DecompressionStream: asynchronous only, so no use for the synchronous
// Inflater; measured here as a possible batch path (all tiles in flight).
if (typeof DecompressionStream === 'function') {
  const inflateAsync = async (src: Uint8Array): Promise<Uint8Array> =>
    new Uint8Array(await new Response(new Blob([src as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
  let min = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    await Promise.all(tiles.data.map(inflateAsync));
    min = Math.min(min, performance.now() - t0);
  }
  let seq = Infinity;
  for (let r = 0; r < 2; r++) {
    const t0 = performance.now();
    for (const d of tiles.data) await inflateAsync(d);
    seq = Math.min(seq, performance.now() - t0);
  }
  console.log(`DecompressionStream inflate only: all tiles in flight ${min.toFixed(0)} ms, one after another ${seq.toFixed(0)} ms`);
}
