/**
 * GPU benchmark: each GPU tile codec at 4096×4096 (with upload and readback to
 * a typed array, and with the result left in a GPUBuffer), a plain-image
 * conversion, and a 10M-row table filter and sort — against fitsflow's
 * single-threaded CPU path on the same data. Prints the adapter; figures from a
 * software adapter (SwiftShader, lavapipe: a CPU emulating a GPU) are marked
 * as such and say nothing about GPUs — they only show the code runs.
 *
 *   npx esbuild bench/gpu.ts --bundle --platform=node --format=esm --external:webgpu --outfile=bench/out/gpu.mjs \
 *     && VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json node bench/out/gpu.mjs [--rows 10000000] [--runs 3] [--only rice,table]
 *
 * (On a machine with a GPU, leave VK_ICD_FILENAMES unset.) The inputs are
 * synthetic and made in memory: a smooth sky with noise and stars, Rice-coded
 * in 4096-pixel row tiles (int16, BYTEPIX 2) and quantized float32
 * (SUBTRACTIVE_DITHER_1), the same int16 as GZIP_2 row tiles and as HCOMPRESS_1
 * 16-row tiles, a PLIO mask, and random table columns. The encoders are the
 * test-side ones (test/helpers/encoders.ts) and fitsflow's writer codecs.
 */
import { decodeTiles, type TileJobSpec } from '../src/tiled/tile-decode.js';
import type { PixelScaling } from '../src/image/pixel-type.js';
import { describeAdapter, requireGpu } from '../src/gpu/device.js';
import { decodeTilesGpu, type GpuTileJob } from '../src/tiled/tiles-gpu.js';
import { U } from '../src/gpu/constants.js';
import { gpuTableBackend } from '../src/table/ops/backend-gpu.js';
import { readImageGpu } from '../src/image/read-gpu.js';
import { FitsTable } from '../src/table/ops/fits-table.js';
import { MemorySource } from '../src/io/memory-source.js';
import { plioEncode, riceEncode } from '../test/helpers/encoders.js';
import { stageTiles } from '../test/gpu/tile-jobs.js';
import { hcompressEncode } from '../src/codecs/hcompress/encode.js';
import { gzip2Encode } from '../src/codecs/gzip/encode.js';
import { xorshift32 } from '../test/helpers/xorshift.js';
import { nodeInflater } from '../src/node/inflate.js';
import { allTileCodecs } from '../src/codecs/registry-all.js';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : dflt;
};
const ROWS = Number(arg('rows', '10000000'));
const RUNS = Number(arg('runs', '3'));
const ONLY = arg('only', 'rice,gzip,hcompress,quant,plio,image,table').split(',');
const N = 4096;

const ctx = await requireGpu();
const software = ctx.info.software;
const mark = software ? ' [software adapter]' : '';
console.log(`adapter: ${describeAdapter(ctx.info)}`);
console.log(`node ${process.version}; ${RUNS} runs, median\n`);

async function median(f: () => unknown | Promise<unknown>, runs = RUNS): Promise<number> {
  const t: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    await f();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)]!;
}

/** Uniform numbers in [0, 1), reproducibly. */
function rng(seed: number): () => number {
  const next = xorshift32(seed);
  return () => next() / 4294967296;
}

/** A 4096×4096 sky: gradient + Gaussian-ish noise + a few hundred stars. */
function sky(): Float64Array {
  const r = rng(42);
  const a = new Float64Array(N * N);
  for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) a[y * N + x] = 1000 + x * 0.01 + y * 0.02 + (r() + r() + r() - 1.5) * 20;
  for (let s = 0; s < 400; s++) {
    const cx = Math.floor(r() * N);
    const cy = Math.floor(r() * N);
    const f = r() * 20000;
    for (let dy = -4; dy <= 4; dy++) for (let dx = -4; dx <= 4; dx++) {
      const x = cx + dx;
      const y = cy + dy;
      if (x >= 0 && y >= 0 && x < N && y < N) a[y * N + x] += f * Math.exp(-(dx * dx + dy * dy) / 3);
    }
  }
  return a;
}

const scaling = (bitpix: number, dtype: PixelScaling['dtype']): PixelScaling => ({
  bitpix, raw: bitpix === 16 ? 'int16' : bitpix === 32 ? 'int32' : 'float32', dtype, mode: 'raw', bscale: 1, bzero: 0, blank: undefined,
});

/** Tiles of `rows` full rows (default 1) of a 4096×4096 image, tile t encoded by `encode(t)`. */
function rowJob(spec: Omit<TileJobSpec, 'hdu' | 'dims' | 'tile' | 'counts' | 'start' | 'shape' | 'step'>, encode: (y: number) => Uint8Array, z?: (y: number) => [number, number], rows = 1): GpuTileJob {
  const { counts, tiles, staging } = stageTiles([N, N], [rows, N], (t) => encode(t), [0], (t) => (z ? [...z(t), NaN] : [NaN, 0, NaN]));
  return {
    spec: { ...spec, hdu: 1, dims: [N, N], tile: [rows, N], counts, start: [0, 0], shape: [N, N], step: [1, 1] },
    tiles,
    ntiles: counts[0]!,
    staging,
    inflate: nodeInflater,
  };
}

async function benchJob(name: string, job: GpuTileJob, out: Int16Array | Int32Array | Float32Array): Promise<void> {
  const cpuOut = out.slice();
  const cpu = await median(() => decodeTiles(job.spec, job.tiles, 0, job.ntiles, job.staging, cpuOut, allTileCodecs(nodeInflater)));
  await decodeTilesGpu(ctx, job, { out }); // compile + warm up
  const same = Buffer.compare(Buffer.from(out.buffer), Buffer.from(cpuOut.buffer)) === 0;
  const toArray = await median(() => decodeTilesGpu(ctx, job, { out }));
  const target = ctx.device.createBuffer({ size: out.byteLength, usage: U.STORAGE | U.COPY_SRC });
  const toBuffer = await median(async () => {
    await decodeTilesGpu(ctx, job, { target });
    await ctx.device.queue.onSubmittedWorkDone();
  });
  target.destroy();
  const mpix = (N * N) / 1e6;
  console.log(
    `${name.padEnd(34)} CPU 1 thread ${cpu.toFixed(0).padStart(6)} ms | GPU→array ${toArray.toFixed(0).padStart(6)} ms${mark} | GPU→GPUBuffer ${toBuffer.toFixed(0).padStart(6)} ms${mark} | ${(mpix / (toArray / 1000)).toFixed(1)} Mpix/s | bits equal: ${same}`,
  );
}

const img = ['rice', 'quant', 'plio', 'image', 'gzip', 'hcompress'].some((k) => ONLY.includes(k)) ? sky() : new Float64Array(0);

if (ONLY.includes('rice')) {
  const v = Int16Array.from(img, (x) => Math.max(-32768, Math.min(32767, Math.round(x))));
  const job = rowJob(
    { codec: 'RICE_1', zbitpix: 16, bytepix: 2, blocksize: 32, smooth: false, quantized: false, method: 'NO_DITHER', ditherSeed: 1, scaling: scaling(16, 'int16') },
    (y) => riceEncode(v.subarray(y * N, (y + 1) * N), 2, 32),
  );
  await benchJob('RICE_1 int16 (4096 row tiles)', job, new Int16Array(N * N));
}

if (ONLY.includes('gzip')) {
  // GZIP_2 int16 row tiles: big-endian pixels, byte-shuffled, deflated (what fpack -g2 writes).
  const v = Int16Array.from(img, (x) => Math.max(-32768, Math.min(32767, Math.round(x))));
  const job = rowJob(
    { codec: 'GZIP_2', zbitpix: 16, bytepix: 2, blocksize: 32, smooth: false, quantized: false, method: 'NO_DITHER', ditherSeed: 1, scaling: scaling(16, 'int16') },
    (y) => {
      const be = new Uint8Array(2 * N);
      const dv = new DataView(be.buffer);
      for (let x = 0; x < N; x++) dv.setInt16(2 * x, v[y * N + x]!);
      return gzip2Encode(be, 2);
    },
  );
  await benchJob('GZIP_2 int16 (4096 row tiles)', job, new Int16Array(N * N));
}

if (ONLY.includes('hcompress')) {
  // HCOMPRESS_1 int16 in 16-row tiles (fpack's default for HCOMPRESS), lossless.
  const v = Int16Array.from(img, (x) => Math.max(-32768, Math.min(32767, Math.round(x))));
  const job = rowJob(
    { codec: 'HCOMPRESS_1', zbitpix: 16, bytepix: 2, blocksize: 32, smooth: false, quantized: false, method: 'NO_DITHER', ditherSeed: 1, scaling: scaling(16, 'int16') },
    (t) => hcompressEncode(v.subarray(t * 16 * N, (t + 1) * 16 * N), 16, N, 0),
    undefined,
    16,
  );
  await benchJob('HCOMPRESS_1 int16 (16-row tiles)', job, new Int16Array(N * N));
}

if (ONLY.includes('quant')) {
  // SUBTRACTIVE_DITHER_1 quantized float32, ZSCALE ~ noise/16, as fpack -q 16 would.
  const zscale = 20 / 16;
  const q = new Int32Array(N * N);
  for (let i = 0; i < N * N; i++) q[i] = Math.round(img[i]! / zscale);
  const job = rowJob(
    { codec: 'RICE_1', zbitpix: -32, bytepix: 4, blocksize: 32, smooth: false, quantized: true, method: 'SUBTRACTIVE_DITHER_1', ditherSeed: 1, scaling: scaling(-32, 'float32') },
    (y) => riceEncode(q.subarray(y * N, (y + 1) * N), 4, 32),
    () => [zscale, 0],
  );
  await benchJob('RICE_1 quantized float32 (dither)', job, new Float32Array(N * N));
}

if (ONLY.includes('plio')) {
  const m = new Int32Array(N * N);
  for (let i = 0; i < N * N; i++) m[i] = img[i]! > 1300 ? 1 + (img[i]! > 5000 ? 2 : 0) : 0;
  const job = rowJob(
    { codec: 'PLIO_1', zbitpix: 32, bytepix: 4, blocksize: 32, smooth: false, quantized: false, method: 'NO_DITHER', ditherSeed: 1, scaling: scaling(32, 'int32') },
    (y) => plioEncode(m.subarray(y * N, (y + 1) * N), 'old'),
  );
  await benchJob('PLIO_1 mask int32', job, new Int32Array(N * N));
}

if (ONLY.includes('image')) {
  // Plain BITPIX 16 with BSCALE/BZERO → float32 (emulated-double scaling on the GPU).
  const head = ['SIMPLE  =                    T', 'BITPIX  =                   16', 'NAXIS   =                    2', `NAXIS1  =                 ${N}`, `NAXIS2  =                 ${N}`, 'BSCALE  =                 0.05', 'BZERO   =                 100.', 'END'];
  const h = head.map((c) => c.padEnd(80)).join('').padEnd(2880, ' ');
  const bytes = new Uint8Array(2880 + Math.ceil((N * N * 2) / 2880) * 2880);
  for (let i = 0; i < h.length; i++) bytes[i] = h.charCodeAt(i);
  const dv = new DataView(bytes.buffer);
  for (let i = 0; i < N * N; i++) dv.setInt16(2880 + 2 * i, Math.max(-32768, Math.min(32767, Math.round(img[i]!))));
  const { open } = await import('../test/helpers/fitsflow.js');
  const file = await open(new MemorySource(bytes));
  const hdu = await file.hdu(0);
  const cpu = await median(() => hdu.readImage());
  await readImageGpu(hdu, { gpu: true });
  const gpu = await median(() => readImageGpu(hdu, { gpu: true }));
  console.log(`${'plain int16 + BSCALE → float32'.padEnd(34)} CPU 1 thread ${cpu.toFixed(0).padStart(6)} ms | GPU→array ${gpu.toFixed(0).padStart(6)} ms${mark}`);
}

if (ONLY.includes('table')) {
  console.log(`\ntable: ${ROWS} rows`);
  const r = rng(7);
  const mag = new Float32Array(ROWS);
  const id = new BigInt64Array(ROWS);
  const dist = new Float64Array(ROWS);
  for (let i = 0; i < ROWS; i++) {
    mag[i] = i % 1000 === 0 ? NaN : 10 + r() * 15;
    id[i] = BigInt(Math.floor(r() * 2 ** 52));
    dist[i] = r() * 1e4;
  }
  const t = new FitsTable(
    [
      { name: 'MAG', dtype: 'float32', format: 'E', cellShape: [], length: ROWS, data: mag },
      { name: 'ID', dtype: 'int64', format: 'K', cellShape: [], length: ROWS, data: id },
      { name: 'DIST', dtype: 'float64', format: 'D', cellShape: [], length: ROWS, data: dist },
    ],
    ROWS,
  );
  for (const text of ['MAG < 20 && ID > 1000000000000', 'MAG * 2 + 1 > 30 || isnan(MAG)']) {
    const expr = t.check(text);
    const cpu = await median(() => t.filterIndices(text, { gpu: false }));
    const want = t.filterIndices(text, { gpu: false });
    const got = await gpuTableBackend.filter(t, expr);
    const same = got.length === want.length && got.every((x, i) => x === want[i]);
    const gpu = await median(() => gpuTableBackend.filter(t, expr));
    console.log(`filter ${JSON.stringify(text).padEnd(40)} CPU ${cpu.toFixed(0).padStart(6)} ms | GPU ${gpu.toFixed(0).padStart(6)} ms${mark} | ${want.length} rows | equal: ${same}`);
  }
  for (const [keys, desc] of [[['MAG'], [false]], [['DIST'], [true]]] as [string[], boolean[]][]) {
    const specs = keys.map((k, i) => ({ column: t.columnIndex(k), descending: desc[i]!, nulls: 'last' as const }));
    const runs = software ? 1 : RUNS;
    const cpu = await median(() => t.sortIndices(keys, { gpu: false, descending: desc }), runs);
    const want = t.sortIndices(keys, { gpu: false, descending: desc });
    const t0 = performance.now();
    const got = await gpuTableBackend.sort(t, specs);
    const gpu = runs === 1 ? performance.now() - t0 : await median(() => gpuTableBackend.sort(t, specs), runs);
    const same = got.every((x, i) => x === want[i]);
    console.log(`sort ${keys.join(',')}${desc[0] ? ' desc' : ''}`.padEnd(48) + ` CPU ${cpu.toFixed(0).padStart(6)} ms | GPU ${gpu.toFixed(0).padStart(6)} ms${mark} | equal: ${same}`);
  }
}

if (software) console.log('\nSoftware adapter: these GPU figures are a CPU running GPU code, not a GPU.');
process.exit(0);
