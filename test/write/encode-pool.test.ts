/**
 * Tile compression on worker threads (src/write/encode-pool.ts, src/node/encode-pool.ts): the worker
 * script is bundled with esbuild into a temporary directory (as the build
 * does), and every image is written twice — on the calling thread only and
 * with the workers — which must give the same bytes. A worker that dies makes
 * its batches fall back to the calling thread, with the same result.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/corpus.js';
import type { ImageArray } from '../../src/image/pixel-type.js';
import { nodeDeflater } from '../../src/node/deflate.js';
import type { CompressedImageOptions } from '../../src/write/compressed-image.js';
import type { EncodePool } from '../../src/write/encode-pool.js';
import { createNodeEncodePool } from '../../src/node/encode-pool.js';
import { MemorySink } from '../../src/write/sink.js';
import { FitsWriter } from '../../src/write/writer.js';
import type { WorkerPool } from '../../src/core/worker-pool.js';

let dir: string;
let workerUrl: URL;
let runs = 0;

/** The pool of `url`, counting the batches handed to it. */
function countingPool(url: URL): WorkerPool {
  const real = createNodeEncodePool({ size: 2, workerUrl: url });
  if (!real) throw new Error('no pool');
  return {
    size: real.size,
    run: (task, transfer) => {
      runs++;
      return real.run(task, transfer);
    },
    close: () => real.close(),
  };
}

beforeAll(async () => {
  mkdirSync(join(repoRoot, 'tmp'), { recursive: true });
  dir = mkdtempSync(join(repoRoot, 'tmp', 'encode-worker-'));
  const file = join(dir, 'encode-worker-node.js');
  await build({ entryPoints: [join(repoRoot, 'src/node/encode-worker.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile: file, logLevel: 'warning' });
  workerUrl = pathToFileURL(file);
}, 60_000);

let encodePool: EncodePool | null = null;

afterAll(async () => {
  await encodePool?.pool.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The writer's encode pool: `pool`, all of its workers. */
function use(pool: WorkerPool | null): void {
  void encodePool?.pool.close();
  encodePool = pool ? { pool, workersNow: () => pool.size } : null;
}

const NY = 2048;
const NX = 1024;
let seed = 17;
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const f32 = Float32Array.from({ length: NY * NX }, (_, i) => 500 + 30 * Math.sin(i / 9000) + (rnd() + rnd() + rnd() - 1.5) * 8);
for (let i = 7 * NX; i < 8 * NX; i++) f32[i] = 3; // a tile that cannot be quantized
for (let i = 100 * NX; i < 100 * NX + 50; i++) f32[i] = NaN;
f32[1234567] = NaN;
const i16 = Int16Array.from(f32, (v) => (v === v ? Math.round(v * 10) : 0));

async function write(data: ImageArray, opts: CompressedImageOptions): Promise<Uint8Array> {
  const sink = new MemorySink();
  const w = new FitsWriter(sink, { checksum: true, deflate: nodeDeflater, encodePool: () => encodePool });
  await w.addCompressedImage(data, { shape: [NY, NX], ...opts });
  await w.close();
  return sink.bytes();
}

const cases: [string, ImageArray, CompressedImageOptions][] = [
  ['RICE_1 q=4 row tiles', f32, { compression: 'RICE_1', quantize: 4 }],
  ['GZIP_2 q=4', f32, { compression: 'GZIP_2', quantize: 4, ditherSeed: 77 }],
  ['RICE_1 q=8 16×40 tiles (gathered)', f32, { compression: 'RICE_1', quantize: 8, tileShape: [16, 40], dither: 'SUBTRACTIVE_DITHER_2' }],
  ['GZIP_1 lossless float', f32, { compression: 'GZIP_1', quantize: 'none', tileShape: [3, NX] }],
  ['HCOMPRESS_1 int16', i16, { compression: 'HCOMPRESS_1' }],
  ['RICE_1 int16 whole-image tiles of 512 rows', i16, { compression: 'RICE_1', tileShape: [512, NX] }],
];

describe('tile compression on worker threads', () => {
  it('gives the same bytes as the calling thread alone', async () => {
    use(countingPool(workerUrl));
    for (const [name, data, opts] of cases) {
      const one = await write(data, { ...opts, workers: false });
      const before = runs;
      const many = await write(data, opts);
      expect(runs, `${name}: batches on workers`).toBeGreaterThan(before);
      expect(Buffer.compare(Buffer.from(one), Buffer.from(many)), name).toBe(0);
    }
  }, 120_000);

  it('falls back to the calling thread when a worker dies', async () => {
    const bad = join(dir, 'dying-worker.js');
    writeFileSync(bad, "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => process.exit(3));\n");
    use(createNodeEncodePool({ size: 1, workerUrl: pathToFileURL(bad) }));
    const [, data, opts] = cases[0]!;
    const one = await write(data, { ...opts, workers: false });
    const many = await write(data, opts);
    expect(Buffer.compare(Buffer.from(one), Buffer.from(many))).toBe(0);
  }, 60_000);

  it('is not used without a worker script', () => {
    expect(createNodeEncodePool({ workerUrl: pathToFileURL(join(dir, 'missing.js')) })).toBeNull();
  });
});
