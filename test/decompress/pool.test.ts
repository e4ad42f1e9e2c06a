/**
 * The worker pool: parallel decoding gives the inline result bit for bit,
 * errors thrown in workers keep their HDU and tile, a broken pool falls back
 * to inline decoding. The worker script is built by tsup from tsup.config.ts
 * (the same entry as dist/) into a temporary directory.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FitsWriter } from '../../src/write/writer.js';
import { MemorySink } from '../../src/write/sink.js';
import { build } from 'tsup';
import { open, FitsFile, MemorySource, isFitsError, FitsError } from '../helpers/fitsflow.js';
import { createNodeWorkerPool } from '../../src/node/worker-pool.js';
import { createNodeRuntime } from '../../src/node/runtime.js';
import { createWebWorkerPool, type WebWorkerConstructor } from '../../src/web/worker-pool.js';
import { Worker as NodeWorker } from 'node:worker_threads';
import type { WorkerPool } from '../../src/core/worker-pool.js';
import { corpusPath, loadManifest, repoRoot } from '../helpers/corpus.js';
import type { ImageArray } from '../../src/image/pixel-type.js';
import { lastDecodeStats } from '../../src/tiled/tiled-image.js';

const manifest = loadManifest();
const files = manifest.files
  .filter((f) => f.digest && (f.digest as { hdus: { kind: string }[] }).hdus.some((h) => h.kind === 'compressed-image'))
  .map((f) => f.path);

let dir: string;
let workerUrl: URL;
let pool: WorkerPool;

beforeAll(async () => {
  // Inside the repository (tmp/ is git-ignored) so the bundle's imports (pako) resolve.
  mkdirSync(join(repoRoot, 'tmp'), { recursive: true });
  dir = mkdtempSync(join(repoRoot, 'tmp', 'pool-test-'));
  await build({ config: join(repoRoot, 'tsup.config.ts'), outDir: dir, dts: false, silent: true, sourcemap: false, clean: true });
  workerUrl = pathToFileURL(join(dir, 'decode-worker-node.js'));
  pool = createNodeWorkerPool({ size: 2, workerUrl });
}, 120_000);

afterAll(async () => {
  await pool?.close();
  rmSync(dir, { recursive: true, force: true });
});

function bytesOf(a: ImageArray): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

describe('worker pool decoding', () => {
  it('every compressed corpus HDU: pool result equals inline result bit for bit', async () => {
    let n = 0;
    let workerTiles = 0;
    for (const p of files) {
      const file = await open(corpusPath(p));
      for (const hdu of await file.hdus()) {
        if (hdu.kind !== 'compressed-image') continue;
        const inline = await hdu.readImage({ workers: false });
        const par = await hdu.readImage({ workers: pool });
        if (hdu.layout.naxes[1]! > 2) {
          expect(lastDecodeStats.fallback).toBe(false);
          expect(lastDecodeStats.workers).toBeGreaterThan(0);
          workerTiles += lastDecodeStats.workerTiles;
        }
        // One-tile images are decoded inline whatever the option.
        if (hdu.layout.naxes[1]! > 1) expect(par.data.buffer).toBeInstanceOf(SharedArrayBuffer);
        expect(inline.data.buffer).not.toBeInstanceOf(SharedArrayBuffer);
        expect(par.shape).toEqual(inline.shape);
        expect(par.dtype).toEqual(inline.dtype);
        expect(Buffer.compare(bytesOf(par.data), bytesOf(inline.data)), `${p} HDU ${hdu.index}`).toBe(0);
        // A strided cutout too.
        const sec = { start: inline.shape.map((d) => Math.floor(d / 5)), shape: inline.shape.map((d) => Math.floor(d / 3)), step: inline.shape.map((_, i) => (i === 0 ? 1 : 2)) };
        const a = await hdu.readImage({ ...sec, workers: false });
        const b = await hdu.readImage({ ...sec, workers: pool });
        expect(Buffer.compare(bytesOf(a.data), bytesOf(b.data))).toBe(0);
        n++;
      }
      await file.close();
    }
    expect(n).toBeGreaterThan(50);
    // The workers really decode: a larger image (256 Rice row tiles) through the
    // warmed pool, equal to its source. This thread decodes too, so any one read may
    // go to it alone; across a few reads the workers must take tiles.
    const side = 2048;
    const px = new Int16Array(side * side).map((_, i) => ((i * 7919) % 5003) - 2500);
    const sink = new MemorySink();
    const w = new FitsWriter(sink);
    await w.addCompressedImage({ data: px, shape: [side, side] }, { compression: 'RICE_1', tileShape: [8, side] });
    await w.close();
    const big = await open(sink.bytes());
    const bigHdu = await big.hdu(1);
    for (let i = 0; i < 10; i++) {
      const r = await bigHdu.readImage({ workers: pool });
      expect(Buffer.compare(bytesOf(r.data), Buffer.from(px.buffer))).toBe(0);
      workerTiles += lastDecodeStats.workerTiles;
    }
    await big.close();
    console.log(`pool test: ${workerTiles} tiles decoded by workers`);
    expect(workerTiles).toBeGreaterThan(0);
  });

  it('a FitsError thrown in a worker names the HDU and the tile', async () => {
    const path = corpusPath('compressed/fpack/rice_int16.fits.fz');
    const file = await open(path);
    const hdu = await file.hdu(1);
    const bytes = new Uint8Array((await file.source.read(0, file.source.size)).slice());
    await file.close();
    // Corrupt the heap bytes of tile 200 (row tiles: one per image row).
    const rowBytes = hdu.layout.naxes[0]!;
    const dv = new DataView(bytes.buffer, hdu.dataOffset + 200 * rowBytes, 8);
    const len = dv.getInt32(0);
    const off = dv.getInt32(4);
    const heap = hdu.dataOffset + hdu.layout.naxes[0]! * hdu.layout.naxes[1]!;
    bytes.fill(0xff, heap + off, heap + off + len);
    const broken = await new FitsFile(new MemorySource(bytes)).hdu(1);
    const inlineErr = await broken.readImage({ workers: false }).catch((e) => e);
    const poolErr = await broken.readImage({ workers: pool }).catch((e) => e);
    for (const e of [inlineErr, poolErr]) {
      expect(isFitsError(e, 'CORRUPT_DATA')).toBe(true);
      expect(e.hdu).toBe(1);
      expect(e.tile).toBe(200);
      expect(e.message).toMatch(/\(HDU 1, tile 200\)$/);
    }
    // The pool is still usable afterwards.
    const f2 = await open(path);
    expect((await (await f2.hdu(1)).readImage({ workers: pool })).shape).toEqual([300, 257]);
    await f2.close();
  });

  it('a pool whose workers cannot start: the calling thread decodes everything', async () => {
    const bad = join(dir, 'bad-worker.js');
    writeFileSync(bad, 'throw new Error("boom");\n');
    const badPool = createNodeWorkerPool({ size: 2, workerUrl: pathToFileURL(bad) });
    const file = await open(corpusPath('compressed/astropy/rice_f32_dither1.fits'));
    const hdu = await file.hdu(1);
    const want = await hdu.readImage({ workers: false });
    const got = await hdu.readImage({ workers: badPool });
    expect(lastDecodeStats.workerTiles).toBe(0);
    expect(Buffer.compare(bytesOf(got.data), bytesOf(want.data))).toBe(0);
    await badPool.close();
    // A closed pool is no longer used either.
    const again = await hdu.readImage({ workers: badPool });
    expect(Buffer.compare(bytesOf(again.data), bytesOf(want.data))).toBe(0);
    await file.close();
  });

  it('a worker that dies while writing a tile: that tile is written again here', async () => {
    // A "worker" that claims the first chunk, starts writing its first tile, then dies.
    const dying: WorkerPool = {
      size: 1,
      run(task) {
        const job = (task as unknown as { job: { control: Int32Array; states: Int32Array } }).job;
        Atomics.add(job.control, 0, 1);
        Atomics.store(job.states, 0, 2); // TILE_COMMIT
        return new Promise((_, reject) => setTimeout(() => reject(new Error('worker exited with code 3')), 20));
      },
      close: async () => undefined,
    };
    const file = await open(corpusPath('compressed/astropy/hcomp_f32.fits'));
    const hdu = await file.hdu(1);
    const want = await hdu.readImage({ workers: false });
    const got = await hdu.readImage({ workers: dying });
    expect(lastDecodeStats.fallback).toBe(true);
    expect(Buffer.compare(bytesOf(got.data), bytesOf(want.data))).toBe(0);
    await file.close();
  });

  it('a worker that never answers does not block the read', async () => {
    const silent: WorkerPool = { size: 2, run: () => new Promise(() => undefined), close: async () => undefined };
    const file = await open(corpusPath('compressed/fpack/rice_int16.fits.fz'));
    const hdu = await file.hdu(1);
    const want = await hdu.readImage({ workers: false });
    const got = await hdu.readImage({ workers: silent });
    expect(Buffer.compare(bytesOf(got.data), bytesOf(want.data))).toBe(0);
    await file.close();
  });

  it('errors are reported promptly even when another worker never answers', async () => {
    const file = await open(corpusPath('compressed/fpack/rice_int16.fits.fz'));
    const hdu = await file.hdu(1);
    const bytes = new Uint8Array((await file.source.read(0, file.source.size)).slice());
    await file.close();
    const heap = hdu.dataOffset + hdu.layout.naxes[0]! * hdu.layout.naxes[1]!;
    bytes.fill(0xff, heap, heap + 200); // tile 0 is corrupt
    const broken = await new FitsFile(new MemorySource(bytes)).hdu(1);
    // Main thread fails on tile 0; the "workers" never answer.
    const silent: WorkerPool = { size: 2, run: () => new Promise(() => undefined), close: async () => undefined };
    const e1 = await broken.readImage({ workers: silent }).catch((x) => x);
    expect(isFitsError(e1, 'CORRUPT_DATA')).toBe(true);
    expect(e1.tile).toBe(0);
    // A worker's error is not trusted on its own: this thread decodes the tiles the
    // worker did not write, so a good file still reads (and a bad one fails here).
    let calls = 0;
    const mixed: WorkerPool = {
      size: 2,
      run(task) {
        const job = (task as unknown as { job: { control: Int32Array } }).job;
        if (calls++ > 0) return new Promise(() => undefined);
        Atomics.add(job.control, 0, 1);
        return new Promise((_, reject) => setTimeout(() => reject(new FitsError('CORRUPT_DATA', 'bad tile', { hdu: 1, tile: 3 })), 10));
      },
      close: async () => undefined,
    };
    const f2 = await open(corpusPath('compressed/fpack/rice_int16.fits.fz'));
    const good = await f2.hdu(1);
    const want = await good.readImage({ workers: false });
    const got = await good.readImage({ workers: mixed });
    expect(Buffer.compare(bytesOf(got.data), bytesOf(want.data))).toBe(0);
    await f2.close();
  });

  it('createNodeWorkerPool refuses a missing worker script', () => {
    expect(() => createNodeWorkerPool({ workerUrl: pathToFileURL(join(dir, 'missing.js')) })).toThrow(/does not exist/);
  });

  it("the runtime's pool is used for workers: n; workers: false stays inline", async () => {
    const runtime = createNodeRuntime({ workerUrl, workers: 2 });
    const file = await open(corpusPath('compressed/fpack/hcomp_int16.fits.fz'), { runtime });
    const hdu = await file.hdu(1);
    const par = await hdu.readImage({ workers: 2 });
    expect(lastDecodeStats.fallback).toBe(false);
    expect(lastDecodeStats.workers).toBe(2);
    const inline = await hdu.readImage({ workers: false });
    const dflt = await hdu.readImage(); // small image: below the threshold, inline
    expect(par.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(dflt.data.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    expect(Buffer.compare(bytesOf(par.data), bytesOf(inline.data))).toBe(0);
    expect(Buffer.compare(bytesOf(dflt.data), bytesOf(inline.data))).toBe(0);
    await runtime.close?.();
    await file.close();
  });

  it('into: a SharedArrayBuffer-backed destination is filled by the pool', async () => {
    const file = await open(corpusPath('compressed/astropy/gzip2_f32_quant.fits'));
    const hdu = await file.hdu(1);
    const want = await hdu.readImage({ workers: false });
    const into = new Float32Array(new SharedArrayBuffer(want.data.length * 4 + 16));
    const got = await hdu.readImage({ workers: pool, into });
    expect(got.data.buffer).toBe(into.buffer);
    expect(Buffer.compare(bytesOf(got.data), bytesOf(want.data))).toBe(0);
    await file.close();
  });
});

describe('worker errors', () => {
  it('an error thrown in a worker comes back as a FitsError with its code, HDU and tile', async () => {
    const sab = (n: number) => new SharedArrayBuffer(n);
    const tiles = new Float64Array(sab(7 * 8));
    tiles[0] = 5; // tile index
    const job = {
      spec: { hdu: 3, codec: 'NO_SUCH_CODEC', zbitpix: 16, bytepix: 2, blocksize: 32, smooth: false, quantized: false, method: 'NO_DITHER', ditherSeed: 1, scaling: { bitpix: 16, raw: 'int16', dtype: 'int16', mode: 'raw', bscale: 1, bzero: 0, blank: undefined }, dims: [1, 4], tile: [1, 4], counts: [1, 1], start: [0, 0], shape: [1, 4], step: [1, 1] },
      tiles, ntiles: 1, staging: new Uint8Array(sab(8)), out: new Int16Array(sab(8)), control: new Int32Array(sab(8)), states: new Int32Array(sab(4)), chunk: 1,
    };
    const e = (await pool.run({ type: 'decode-tiles', job }).catch((x) => x)) as FitsError;
    expect(isFitsError(e, 'UNSUPPORTED')).toBe(true);
    expect(e.hdu).toBe(3);
    expect(e.tile).toBe(5);
    expect(e.message).toMatch(/NO_SUCH_CODEC.*\(HDU 3, tile 5\)$/);
    expect(await pool.run({ type: 'ping' })).toBe('pong');
    await expect(pool.run({ type: 'nonsense' })).rejects.toThrow(/unknown task type/);
  });
});

/**
 * A Web Worker look-alike on worker_threads: runs the built Web worker script
 * (dist's decode-worker.js) with `self.onmessage` / `postMessage` provided.
 */
function fakeWebWorker(bootstrap: string): WebWorkerConstructor {
  return class {
    private readonly w: NodeWorker;
    constructor(url: URL | string, opts?: { type?: string }) {
      expect(opts?.type).toBe('module');
      this.w = new NodeWorker(bootstrap, { workerData: { url: String(url) } });
    }
    postMessage(m: unknown, t?: Transferable[]) {
      this.w.postMessage(m, t as never);
    }
    addEventListener(type: string, fn: (ev: { data?: unknown; message?: string; error?: unknown }) => void) {
      if (type === 'message') this.w.on('message', (data) => fn({ data }));
      if (type === 'error') this.w.on('error', (error) => fn({ error, message: error.message }));
    }
    terminate() {
      void this.w.terminate();
    }
  };
}

describe('Web Worker pool (pool-web.ts + the built decode-worker.js)', () => {
  it('decodes like the inline path', async () => {
    const bootstrap = join(dir, 'web-bootstrap.mjs');
    writeFileSync(
      bootstrap,
      [
        "import { parentPort, workerData } from 'node:worker_threads';",
        'globalThis.postMessage = (m) => parentPort.postMessage(m);',
        // Like a browser, hold messages until the module has run.
        'const early = [];',
        'parentPort.on("message", (data) => (globalThis.onmessage ? globalThis.onmessage({ data }) : early.push(data)));',
        'await import(workerData.url);',
        'for (const data of early) globalThis.onmessage({ data });',
      ].join('\n'),
    );
    const web = createWebWorkerPool({ size: 2, workerUrl: pathToFileURL(join(dir, 'decode-worker.js')), Worker: fakeWebWorker(bootstrap) });
    const file = await open(corpusPath('compressed/astropy/cube_gzip2_f32.fits'));
    const hdu = await file.hdu(1);
    const want = await hdu.readImage({ workers: false });
    const got = await hdu.readImage({ workers: web });
    expect(lastDecodeStats.fallback).toBe(false);
    expect(lastDecodeStats.workers).toBe(2);
    expect(Buffer.compare(bytesOf(got.data), bytesOf(want.data))).toBe(0);
    await web.close();
    await file.close();
  });

  it('refuses to start without a Worker constructor', () => {
    const g = globalThis as { Worker?: unknown };
    const saved = g.Worker;
    delete g.Worker;
    try {
      expect(() => createWebWorkerPool({ workerUrl: 'x.js' })).toThrow(/no Web Worker/);
    } finally {
      if (saved !== undefined) g.Worker = saved;
    }
  });
});
