/**
 * Plain image reads shared with workers (image/parallel-read.ts) and table
 * reads where workers read a lent file themselves (gatherRowsLent): the
 * result must equal a single-threaded read byte for byte, workers must do
 * some of the work, and a file that ends early must fail the same way.
 */
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'tsup';
import { open, MemorySource } from '../helpers/fitsflow.js';
import { FitsWriter } from '../../src/write/writer.js';
import { MemorySink } from '../../src/write/sink.js';
import { createNodeWorkerPool } from '../../src/node/worker-pool.js';
import type { WorkerPool } from '../../src/core/worker-pool.js';
import { lastPixelReadStats } from '../../src/image/parallel-read.js';
import { lastGatherStats } from '../../src/table/read/gather-parallel.js';
import { repoRoot } from '../helpers/corpus.js';

const W = 1000;
const H = 700;

function bytesOf(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

async function fitsWith(write: (w: FitsWriter) => Promise<void>): Promise<Uint8Array> {
  const sink = new MemorySink();
  const w = new FitsWriter(sink);
  await write(w);
  await w.close();
  return sink.bytes();
}

let dir: string;
let pool: WorkerPool;
const paths: Record<string, string> = {};

beforeAll(async () => {
  mkdirSync(join(repoRoot, 'tmp'), { recursive: true });
  dir = mkdtempSync(join(repoRoot, 'tmp', 'image-parallel-test-'));
  await build({ config: join(repoRoot, 'tsup.config.ts'), outDir: join(dir, 'dist'), dts: false, silent: true, sourcemap: false, clean: true });
  pool = createNodeWorkerPool({ size: 1, workerUrl: pathToFileURL(join(dir, 'dist', 'decode-worker-node.js')) });
  const f32 = Float32Array.from({ length: W * H }, (_, i) => (i % 101 === 0 ? NaN : Math.sin(i) * 1e3));
  const u16 = Uint16Array.from({ length: W * H }, (_, i) => (i * 7919) & 0xffff); // stored with BZERO 32768: sign flip
  const f64 = Float64Array.from({ length: W * H }, (_, i) => i / 3);
  for (const [name, data] of [['f32', f32], ['u16', u16], ['f64', f64]] as const) {
    paths[name] = join(dir, `${name}.fits`);
    writeFileSync(paths[name], await fitsWith((w) => w.addImage({ data, shape: [H, W] } as never)));
  }
  const n = 600_000;
  paths.table = join(dir, 'table.fits');
  writeFileSync(paths.table, await fitsWith(async (w) => {
    await w.addImage(null);
    await w.addTable([
      { name: 'ID', data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 1_000_003n) },
      { name: 'RA', data: Float64Array.from({ length: n }, (_, i) => Math.cos(i) * 180) },
      { name: 'MAG', data: Float32Array.from({ length: 3 * n }, (_, i) => i / 7), cellShape: [3] },
      { name: 'FLAGS', data: Int16Array.from({ length: n }, (_, i) => i % 30000) },
    ] as never);
  }));
}, 120_000);

afterAll(async () => {
  await pool?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('plain image reads with workers', () => {
  it('whole images and sections equal the single-threaded read; workers read some chunks', async () => {
    let workerChunks = 0;
    for (const name of ['f32', 'u16', 'f64']) {
      const file = await open(paths[name]!);
      const hdu = await file.hdu(0);
      for (const sec of [{}, { start: [13, 7], shape: [600, 411] }, { start: [0, 500], shape: [700, 500] }]) {
        const ref = await hdu.readImage({ ...sec, workers: false });
        expect(ref.data.buffer).toBeInstanceOf(ArrayBuffer);
        for (let k = 0; k < 3; k++) {
          const par = await hdu.readImage({ ...sec, workers: pool });
          expect(par.data.buffer).toBeInstanceOf(SharedArrayBuffer);
          expect(par.shape).toEqual(ref.shape);
          expect(bytesOf(par.data).equals(bytesOf(ref.data))).toBe(true);
          workerChunks += lastPixelReadStats.workerChunks;
        }
      }
      await file.close();
    }
    // Whether a worker starts before this thread has claimed every chunk depends on the machine's load: try a few more times.
    const file = await open(paths.f64!);
    const hdu = await file.hdu(0);
    for (let k = 0; k < 20 && workerChunks === 0; k++) {
      await hdu.readImage({ workers: pool });
      workerChunks += lastPixelReadStats.workerChunks;
    }
    await file.close();
    expect(workerChunks).toBeGreaterThan(0);
  });

  it('reads bytes on a SharedArrayBuffer (memory source) the same way', async () => {
    const { readFileSync } = await import('node:fs');
    const plain = readFileSync(paths.f32!);
    const shared = new Uint8Array(new SharedArrayBuffer(plain.length));
    shared.set(plain);
    const ref = await (await (await open(new MemorySource(plain))).hdu(0)).readImage({ workers: false });
    const par = await (await (await open(new MemorySource(shared))).hdu(0)).readImage({ workers: pool });
    expect(bytesOf(par.data).equals(bytesOf(ref.data))).toBe(true);
  });

  it('a file that ends inside the data: TRUNCATED, as on one thread', async () => {
    const cut = join(dir, 'cut.fits');
    const { copyFileSync } = await import('node:fs');
    copyFileSync(paths.f32!, cut);
    const file = await open(cut);
    const hdu = await file.hdu(0);
    truncateSync(cut, 2880 + W * H * 2); // after the open checked the size: the reads come up short
    await expect(hdu.readImage({ workers: false })).rejects.toMatchObject({ code: 'TRUNCATED' });
    for (let k = 0; k < 3; k++) await expect(hdu.readImage({ workers: pool })).rejects.toMatchObject({ code: 'TRUNCATED' });
    await file.close();
  });

  it('a pool that never answers: this thread reads everything', async () => {
    const never: WorkerPool = { size: 1, run: () => new Promise(() => undefined), close: async () => undefined };
    const file = await open(paths.f32!);
    const hdu = await file.hdu(0);
    const ref = await hdu.readImage({ workers: false });
    const par = await hdu.readImage({ workers: never });
    expect(bytesOf(par.data).equals(bytesOf(ref.data))).toBe(true);
    expect(lastPixelReadStats.workerChunks).toBe(0);
  });
});

describe('table reads where workers read the file themselves', () => {
  it('every column equals the single-threaded read', async () => {
    let workerBlocks = 0;
    const file = await open(paths.table!);
    const hdu = await file.hdu(1);
    const ref = await hdu.readTable({ workers: false });
    for (let k = 0; k < 3; k++) {
      const t = await hdu.readTable({ workers: pool });
      workerBlocks += lastGatherStats.workerBlocks;
      t.columns.forEach((c, i) => expect(bytesOf(c.data as ArrayBufferView).equals(bytesOf(ref.columns[i]!.data as ArrayBufferView))).toBe(true));
      const part = await hdu.readTable({ workers: pool, rows: { start: 1_234, count: 550_000 }, columns: ['RA', 'FLAGS'] });
      const refPart = await hdu.readTable({ workers: false, rows: { start: 1_234, count: 550_000 }, columns: ['RA', 'FLAGS'] });
      part.columns.forEach((c, i) => expect(bytesOf(c.data as ArrayBufferView).equals(bytesOf(refPart.columns[i]!.data as ArrayBufferView))).toBe(true));
    }
    // Whether the worker starts before this thread has claimed every block depends on the machine's load: try a few more times.
    for (let k = 0; k < 20 && workerBlocks === 0; k++) {
      await hdu.readTable({ workers: pool });
      workerBlocks += lastGatherStats.workerBlocks;
    }
    await file.close();
    expect(workerBlocks).toBeGreaterThan(0);
  });
});

describe('big reads in a loop, workers by default', () => {
  it('through the built package: image and table results are shared with a worker, and memory stays bounded over 40 image reads', () => {
    // V8 does not count SharedArrayBuffers toward its collections: without the twins of core/buffers.ts every
    // dropped 32 MiB image stayed resident until something else made V8 collect (40 reads: +739 MiB, 105–201 with them).
    const image = join(dir, 'big_f32.fits');
    const cards = ['SIMPLE  =                    T', 'BITPIX  =                  -32', 'NAXIS   =                    2',
      'NAXIS1  =                 4096', 'NAXIS2  =                 2048', 'END'];
    writeFileSync(image, cards.map((c) => c.padEnd(80)).join('').padEnd(2880));
    truncateSync(image, 2880 + Math.ceil((4096 * 2048 * 4) / 2880) * 2880);
    const script = `
      const { open } = await import(${JSON.stringify(pathToFileURL(join(dir, 'dist', 'node.js')).href)});
      const rssMiB = () => process.memoryUsage().rss / 2 ** 20;
      async function loop(path, read) {
        const file = await open(path);
        const hdu = await file.hdu(path.endsWith('table.fits') ? 1 : 0);
        let shared = [], first = 0, peak = 0;
        for (let i = 0; i < 40; i++) {
          const buffer = await read(hdu);
          shared.push(buffer instanceof SharedArrayBuffer);
          if (i === 0) first = rssMiB();
          peak = Math.max(peak, rssMiB());
        }
        await file.close();
        return { shared, growth: Math.round(peak - first) };
      }
      const image = await loop(${JSON.stringify(image)}, async (h) => (await h.readImage()).data.buffer);
      const table = await loop(${JSON.stringify(paths.table!)}, async (h) => (await h.readTable()).columns[1].data.buffer);
      console.log(JSON.stringify({ image, table }));
      process.exit(0);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const { image: img, table } = JSON.parse(r.stdout.trim()) as Record<string, { shared: boolean[]; growth: number }>;
    // The first read goes alone while the pool's worker starts (it would arrive too late to help); then all share.
    expect(img!.shared[0]).toBe(false);
    expect(img!.shared.slice(3)).toEqual(Array(37).fill(true));
    expect(table!.shared.slice(3)).toEqual(Array(37).fill(true));
    expect(img!.growth, 'RSS growth over 40 reads of a 32 MiB image, MiB').toBeLessThan(480);
    // (The table's growth is not checked: its reads make enough ordinary garbage that both threads collect anyway,
    // 83–113 MiB with or without the twins; the 10M-row table of bench/read-rss.mjs shows the difference.)
  }, 180_000);
});
