/**
 * Reads of a compressed table read and decode only what they need: a row
 * range only its tiles, a column selection only those columns' compressed
 * bytes, locally and over HTTP range requests. And corrupt compressed tables
 * give FitsErrors, never a crash, hang or wrong-sized result (fast-check).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FitsError } from '../../src/core/errors.js';
import type { ByteSource } from '../../src/core/byte-source.js';
import { FitsWriter } from '../../src/write/writer.js';
import { MemorySink } from '../../src/write/sink.js';
import { open, type HttpSourceOptions } from '../helpers/fitsflow.js';
import { TestServer } from '../remote/server.js';

const ROWS = 6000;
const TILE = 500;
const WIDE = 64;

/** Pseudo-random floats (poorly compressible, so each tile's cell is large). */
function noise(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x / 4294967296 - 0.5;
  }
  return out;
}

const ids = Int32Array.from({ length: ROWS }, (_, i) => i * 3 + 1);
const wide = noise(ROWS * WIDE, 7);
const arrays = Array.from({ length: ROWS }, (_, i) => Int32Array.from({ length: i % 5 }, (_, k) => i * 10 + k));
let bytes: Uint8Array;

class CountingSource implements ByteSource {
  read_ = 0;
  constructor(private readonly b: Uint8Array) {}
  get size(): number {
    return this.b.length;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    const s = this.b.subarray(offset, Math.min(this.b.length, offset + length));
    this.read_ += s.length;
    return s;
  }
}

beforeAll(async () => {
  const sink = new MemorySink();
  const w = new FitsWriter(sink);
  await w.addCompressedTable([
    { name: 'ID', data: ids },
    { name: 'WIDE', data: wide, cellShape: [WIDE] },
    { name: 'ARR', data: arrays, format: '1PJ' },
  ], { tileRows: TILE });
  await w.close();
  bytes = sink.bytes();
});

describe('selective reads of a compressed table', () => {
  it('one column of a few rows reads a small part of the file', async () => {
    const src = new CountingSource(bytes);
    const f = await open(src);
    const t = await (await f.hdu(1)).readTable({ columns: ['ID'], rows: { start: 3100, count: 20 } });
    expect(Array.from(t.column('ID').data as Int32Array)).toEqual(Array.from(ids.subarray(3100, 3120)));
    // The wide column's cells (about 1/65 of the rows' bytes are IDs) are not read.
    expect(src.read_).toBeLessThan(bytes.length / 20);
    await f.close();
  });

  it('the wide column of rows spanning two tiles reads those two tiles only', async () => {
    const src = new CountingSource(bytes);
    const f = await open(src);
    const t = await (await f.hdu(1)).readTable({ columns: ['WIDE', 'ARR'], rows: { start: 990, count: 20 } });
    expect(Array.from(t.column('WIDE').data as Float32Array)).toEqual(Array.from(wide.subarray(990 * WIDE, 1010 * WIDE)));
    const arr = t.column('ARR');
    expect(arr.length).toBe(20);
    // Two of the twelve tiles.
    expect(src.read_).toBeLessThan((bytes.length * 3) / 12);
    expect(src.read_).toBeGreaterThan(bytes.length / 12);
    await f.close();
  });
});

describe('remote', () => {
  let srv: TestServer;
  const http: HttpSourceOptions = { retryDelay: 5, maxRetryDelay: 40, timeout: 3000, retries: 2, probe: 'head' };
  beforeAll(async () => {
    srv = await new TestServer().start();
    srv.put('t.fits.fz', bytes);
  });
  afterAll(async () => {
    await srv.close();
  });

  it('reads a column of a row range with a few range requests', async () => {
    const f = await open(srv.url('t.fits.fz'), { http });
    try {
      const t = await (await f.hdu(1)).readTable({ columns: ['ID', 'ARR'], rows: { start: 5990, count: 10 } });
      expect(Array.from(t.column('ID').data as Int32Array)).toEqual(Array.from(ids.subarray(5990)));
      const served = srv.log.reduce((a, r) => a + r.bytes, 0);
      expect(served).toBeLessThan(bytes.length / 4);
      expect(srv.log.length).toBeLessThan(12);
    } finally {
      await f.close();
    }
  });
});

describe('corrupt compressed tables', () => {
  it('give FitsErrors (fast-check: bytes of the compressed data changed)', async () => {
    const f0 = await open(bytes);
    const h0 = await f0.hdu(1);
    const dataStart = h0.dataOffset;
    const dataEnd = dataStart + h0.layout.dataBytes;
    await f0.close();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: dataStart, max: dataEnd - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), async (edits) => {
        const b = bytes.slice();
        for (const [at, v] of edits) b[at] = v;
        const f = await open(b);
        try {
          const t = await (await f.hdu(1)).readTable();
          // Undetected changes must still give a table of the declared shape.
          expect(t.numRows).toBe(ROWS);
          expect(t.column('ID').data.length).toBe(ROWS);
        } catch (e) {
          if (!(e instanceof FitsError)) throw e;
        } finally {
          await f.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});
