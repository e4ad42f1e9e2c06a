/**
 * Parallel table reads (gather-parallel.ts): a worker gathers some row blocks
 * into shared outputs; the columns must equal a single-threaded read byte for
 * byte, whatever the worker does — works, never starts, dies before or while
 * gathering a block.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'tsup';
import { open, MemorySource, type ByteSource } from '../helpers/fitsflow.js';
import { FitsWriter } from '../../src/write/writer.js';
import { MemorySink } from '../../src/write/sink.js';
import { createNodeWorkerPool } from '../../src/node/worker-pool.js';
import type { WorkerPool, WorkerTask } from '../../src/core/worker-pool.js';
import { lastGatherStats, SLOT_FILLED, SLOT_WORKING, type GatherRowsJob } from '../../src/table/read/gather-parallel.js';
import type { Column } from '../../src/table/column.js';
import { repoRoot } from '../helpers/corpus.js';

const ROWS = 60_000;

/** A table with every kind of column: parallel-gatherable ones and the ones only the reading thread gathers. */
async function tableBytes(): Promise<Uint8Array> {
  const n = ROWS;
  const id = BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 1_000_003n - 7n);
  const ra = Float64Array.from({ length: n }, (_, i) => Math.sin(i) * 180);
  const mags = Float32Array.from({ length: 3 * n }, (_, i) => (i % 97 === 0 ? NaN : i / 7));
  const flags = Int16Array.from({ length: n }, (_, i) => (i % 13 === 0 ? -99 : i % 30000));
  const u32 = Uint32Array.from({ length: n }, (_, i) => 4_000_000_000 - i);
  const bytes = Uint8Array.from({ length: n }, (_, i) => i & 255);
  const ok = Array.from({ length: n }, (_, i) => i % 3 === 0);
  const names = Array.from({ length: n }, (_, i) => (i % 5 === 0 ? '' : `N${(i * 7919) % 100000}`));
  const scaled = Float64Array.from({ length: n }, (_, i) => (i % 1000) * 0.5);
  const vla = Array.from({ length: n }, (_, i) => Int32Array.from({ length: i % 4 }, (_, k) => i + k));
  const cplx = Float32Array.from({ length: 2 * n }, (_, i) => i * 0.25);
  const bits = Uint8Array.from({ length: 13 * n }, (_, i) => (i * 31) % 7 < 3 ? 1 : 0);
  const sink = new MemorySink();
  const w = new FitsWriter(sink);
  await w.addImage(null);
  await w.addTable([
    { name: 'ID', data: id },
    { name: 'RA', data: ra },
    { name: 'MAG', data: mags, cellShape: [3] },
    { name: 'FLAGS', data: flags, tnull: -99 },
    { name: 'U32', data: u32 },
    { name: 'B', data: bytes },
    { name: 'OK', data: ok },
    { name: 'NAME', data: names, format: '8A' },
    { name: 'SCALED', data: scaled, format: 'I', tscal: 0.5, tzero: 0 },
    { name: 'VLA', data: vla },
    { name: 'CPLX', data: cplx, dtype: 'complex64' },
    { name: 'BITS', data: bits, format: '13X', cellShape: [13] },
  ] as never);
  await w.close();
  return sink.bytes();
}

function same(a: Column, b: Column): void {
  expect(a.name).toBe(b.name);
  expect(a.length).toBe(b.length);
  if (a.strings) expect(Buffer.from(a.strings.bytes).equals(Buffer.from(b.strings!.bytes))).toBe(true);
  else if (ArrayBuffer.isView(a.data)) expect(Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).equals(Buffer.from((b.data as Uint8Array).buffer, (b.data as Uint8Array).byteOffset, (b.data as Uint8Array).byteLength))).toBe(true);
  else expect(a.data).toEqual(b.data);
  expect(a.validity).toEqual(b.validity);
  expect(a.offsets).toEqual(b.offsets);
}

/** A source without a synchronous read, answering on a later turn of the event loop (so fake pools get to act). */
function slowSource(bytes: Uint8Array): ByteSource {
  const mem = new MemorySource(bytes);
  return { size: mem.size, read: (o, l, into) => new Promise((res, rej) => setTimeout(() => mem.read(o, l, into).then(res, rej), 0)) };
}

/** A pool whose worker does `act` with the job, then fails. */
function fakePool(act: (job: GatherRowsJob) => Promise<void>): WorkerPool {
  return {
    size: 1,
    run: <T>(task: WorkerTask) => act(task.job as GatherRowsJob).then(() => Promise.reject(new Error('worker died'))) as Promise<T>,
    close: async () => undefined,
  };
}

let dir: string;
let pool: WorkerPool;
let fits: Uint8Array;
let reference: Column[];

beforeAll(async () => {
  mkdirSync(join(repoRoot, 'tmp'), { recursive: true });
  dir = mkdtempSync(join(repoRoot, 'tmp', 'gather-test-'));
  await build({ config: join(repoRoot, 'tsup.config.ts'), outDir: dir, dts: false, silent: true, sourcemap: false, clean: true });
  pool = createNodeWorkerPool({ size: 1, workerUrl: pathToFileURL(join(dir, 'decode-worker-node.js')) });
  fits = await tableBytes();
  const file = await open(fits);
  reference = (await (await file.hdu(1)).readTable({ workers: false })).columns;
}, 120_000);

afterAll(async () => {
  await pool?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('parallel table reads', () => {
  it('a worker gathers blocks; every column equals the single-threaded read', async () => {
    let workerBlocks = 0;
    for (const source of [new MemorySource(fits), slowSource(fits)]) {
      for (let k = 0; k < 3; k++) {
        const file = await open(source);
        const t = await (await file.hdu(1)).readTable({ workers: pool });
        expect(lastGatherStats.blocks).toBeGreaterThan(2);
        workerBlocks += lastGatherStats.workerBlocks;
        t.columns.forEach((c, i) => same(c, reference[i]!));
        // Row subsets too (blocks not aligned with the start).
        const part = await (await file.hdu(1)).readTable({ workers: pool, rows: { start: 12_345, count: 40_000 }, columns: ['NAME', 'ID', 'OK', 'VLA'] });
        const ref = await (await file.hdu(1)).readTable({ workers: false, rows: { start: 12_345, count: 40_000 }, columns: ['NAME', 'ID', 'OK', 'VLA'] });
        part.columns.forEach((c, i) => same(c, ref.columns[i]!));
      }
    }
    expect(workerBlocks).toBeGreaterThan(0);
  });

  it('a worker that never starts, or dies before taking a block: this thread gathers everything', async () => {
    const never: WorkerPool = { size: 1, run: () => new Promise(() => undefined), close: async () => undefined };
    const dead = fakePool(async () => undefined);
    for (const p of [never, dead]) {
      for (const source of [new MemorySource(fits), slowSource(fits)]) {
        const t0 = performance.now();
        const t = await (await (await open(source)).hdu(1)).readTable({ workers: p });
        expect(performance.now() - t0).toBeLessThan(5000);
        t.columns.forEach((c, i) => same(c, reference[i]!));
      }
    }
  });

  it('a worker that dies while gathering a block: the block is gathered again here', async () => {
    let took = 0;
    const diesMidway = fakePool(async (job) => {
      // Take the first filled slot (as a worker would), scribble on the outputs, die.
      for (let spin = 0; spin < 10_000; spin++) {
        if (Atomics.compareExchange(job.control, 0, SLOT_FILLED, SLOT_WORKING) === SLOT_FILLED) {
          took++;
          for (const o of job.outputs) new Uint8Array(o.buffer, o.byteOffset, o.byteLength).fill(0xa5, 0, 4096);
          return;
        }
        await new Promise((r) => setTimeout(r, 0));
      }
    });
    const t = await (await (await open(slowSource(fits))).hdu(1)).readTable({ workers: diesMidway });
    expect(took).toBe(1);
    expect(lastGatherStats.fallback).toBe(true);
    t.columns.forEach((c, i) => same(c, reference[i]!));
  });
});

describe('reading into an earlier read’s arrays', () => {
  it('readTable({ into }): same values as a fresh read, in the same buffers, with and without the worker', async () => {
    const file = await open(new MemorySource(fits));
    const hdu = await file.hdu(1);
    for (const workers of [false, pool] as const) {
      const first = await hdu.readTable({ workers, rows: { start: 0, count: 50_000 } });
      const buffers = first.columns.map((c) => (c.strings ? c.strings.bytes.buffer : ArrayBuffer.isView(c.data) ? c.data.buffer : null));
      for (const start of [10_000, 5_000]) {
        const count = start === 10_000 ? 50_000 : 20_000;
        const again = await hdu.readTable({ workers, rows: { start, count }, into: first });
        const fresh = await hdu.readTable({ workers: false, rows: { start, count } });
        again.columns.forEach((c, i) => {
          same(c, fresh.columns[i]!);
          const b = c.strings ? c.strings.bytes.buffer : ArrayBuffer.isView(c.data) && !c.offsets ? c.data.buffer : null;
          if (b && buffers[i]) expect(b).toBe(buffers[i]);
        });
      }
    }
  });

  it('readTable({ into }) refuses a column of another type or too small', async () => {
    const file = await open(new MemorySource(fits));
    const hdu = await file.hdu(1);
    const small = await hdu.readTable({ workers: false, rows: { start: 0, count: 10 } });
    await expect(hdu.readTable({ workers: false, rows: { start: 0, count: 11 }, into: small })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
    const { FitsTable } = await import('../../src/table/ops/fits-table.js');
    const wrong = FitsTable.fromArrays({ RA: new Float32Array(100) });
    await expect(hdu.readTable({ workers: false, rows: { start: 0, count: 10 }, into: wrong })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
    await expect(hdu.readTable({ workers: false, into: {} as never })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
  });

  it('iterateTable({ reuse: true }): every batch in the first batch’s arrays, values as a fresh read', async () => {
    const file = await open(new MemorySource(fits));
    const hdu = await file.hdu(1);
    let buffer: ArrayBufferLike | undefined;
    let start = 0;
    for await (const batch of hdu.iterateTable({ rows: 7_000, reuse: true })) {
      const fresh = await hdu.readTable({ workers: false, rows: { start, count: batch.numRows } });
      batch.columns.forEach((c, i) => same(c, fresh.columns[i]!));
      const ra = batch.column('RA').data as Float64Array;
      buffer ??= ra.buffer;
      expect(ra.buffer).toBe(buffer);
      start += batch.numRows;
    }
    expect(start).toBe(ROWS);
  });
});
