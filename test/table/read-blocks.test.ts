/**
 * Large tables: reading in many row blocks (synchronous and read-ahead
 * asynchronous sources give the same columns), string interning on repeated
 * and unique values, heap reads coalesced across gaps and split for big cells,
 * and the descriptor API the compressed-image reader uses.
 */
import { describe, expect, it } from 'vitest';
import { open } from '../helpers/fitsflow.js';
import { FitsFile } from '../../src/file/fits-file.js';
import type { ByteSource } from '../../src/core/byte-source.js';
import { readBinaryTableColumns, readVlaDescriptors } from '../../src/table/read/read-binary.js';
import { binaryTableFits, type WriteColumn } from '../fixtures/tables/write-bintable.js';
import { expectSameRows } from './read-helpers.js';

function asyncOnly(bytes: Uint8Array): ByteSource & { reads: number } {
  const s = {
    size: bytes.length,
    reads: 0,
    async read(offset: number, length: number, into?: Uint8Array) {
      s.reads++;
      await new Promise((r) => setTimeout(r, 0));
      const view = bytes.subarray(offset, Math.min(bytes.length, offset + length));
      if (!into) return view.slice();
      into.set(view);
      return into.subarray(0, view.length);
    },
  };
  return s;
}

const N = 120_000; // × 42 bytes per row: 5 MB, five row blocks
function bigTable(): Uint8Array {
  const cols: WriteColumn[] = [
    { name: 'ID', tform: 'J', cells: Array.from({ length: N }, (_, i) => [i * 3 - 7]) },
    { name: 'REP', tform: '8A', cells: Array.from({ length: N }, (_, i) => [`S${i % 37}`]) },
    { name: 'UNIQ', tform: '9A', cells: Array.from({ length: N }, (_, i) => [`\xe9${(i * 7919).toString(36)}`]) },
    { name: 'F', tform: 'E', cells: Array.from({ length: N }, (_, i) => [i % 11 === 0 ? NaN : i / 8]) },
    { name: 'U8', tform: '8A', cells: Array.from({ length: N }, (_, i) => [`u${i}`]) },
    { name: 'S3', tform: '3A', cells: Array.from({ length: N }, (_, i) => [(i % 5000).toString(36)]), pad: 0 },
    { name: 'U6', tform: '6A', cells: Array.from({ length: N }, (_, i) => [(i * 13).toString(36)]) },
  ];
  return binaryTableFits(cols, N);
}

describe('large tables', () => {
  const bytes = bigTable();

  it('strings (repeated, unique, non-ASCII) and numbers across row blocks', async () => {
    const t = await (await (await open(bytes)).hdu(1)).readTable();
    const id = t.column('ID').data as Int32Array;
    const rep = t.column('REP').data as string[];
    const uniq = t.column('UNIQ').data as string[];
    const f = t.column('F').data as Float32Array;
    for (let i = 0; i < N; i += 997) {
      expect(id[i]).toBe(i * 3 - 7);
      expect(rep[i]).toBe(`S${i % 37}`);
      expect(uniq[i]).toBe(`\xe9${(i * 7919).toString(36)}`);
      expect(Number.isNaN(f[i]) ? 'NaN' : f[i]).toBe(i % 11 === 0 ? 'NaN' : i / 8);
    }
    expect(new Set(uniq).size).toBe(N);
    const [u8, s3, u6] = ['U8', 'S3', 'U6'].map((c) => t.column(c).data as string[]);
    for (let i = 0; i < N; i += 1) {
      if (u8![i] !== `u${i}` || s3![i] !== (i % 5000).toString(36) || u6![i] !== (i * 13).toString(36)) {
        expect([u8![i], s3![i], u6![i]]).toEqual([`u${i}`, (i % 5000).toString(36), (i * 13).toString(36)]);
      }
    }
  });

  it('an asynchronous source (read-ahead) gives the same columns, in several reads', async () => {
    const source = asyncOnly(bytes);
    const viaAsync = await (await new FitsFile(source).hdu(1)).readTable();
    const viaSync = await (await (await open(bytes)).hdu(1)).readTable();
    viaAsync.columns.forEach((c, i) => expectSameRows(c, viaSync.columns[i]!, 0, N));
    expect(source.reads).toBeGreaterThan(3);
  });

  it('reads only the bytes of the requested rows', async () => {
    const source = asyncOnly(bytes);
    const seen: [number, number][] = [];
    const spy: ByteSource = { size: source.size, read: (o, l, into) => (seen.push([o, l]), source.read(o, l, into)) };
    const hdu = await new FitsFile(spy).hdu(1);
    seen.length = 0;
    await hdu.readTable({ columns: ['F'], rows: { start: 1000, count: 10 } });
    const rowBytes = hdu.layout.naxes[0]!;
    expect(rowBytes).toBe(42);
    expect(seen).toEqual([[hdu.dataOffset + 1000 * rowBytes, 10 * rowBytes]]);
  });
});

describe('variable-length arrays on the heap', () => {
  // rows with big arrays (beyond one coalesced read) and small ones far apart
  const sizes = [3, 0, 1_200_000, 5, 0, 2, 700_000, 1];
  const cols: WriteColumn[] = [
    { name: 'V', tform: '1QJ', cells: sizes.map((n, r) => Array.from({ length: n }, (_, k) => (r << 24) + k)) },
    { name: 'B', tform: '1PB', cells: sizes.map((n, r) => Array.from({ length: Math.min(n, 9) }, (_, k) => (r + k) & 255)) },
  ];
  const bytes = binaryTableFits(cols, sizes.length, { heapGap: 100_000, reverseHeap: true });

  it('reads every cell (unsorted heap, gaps, cells bigger than one read)', async () => {
    const t = await (await (await open(bytes)).hdu(1)).readTable();
    const v = t.column('V');
    const offsets = Array.from(v.offsets!);
    const want = [0];
    for (const n of sizes) want.push(want[want.length - 1]! + n);
    expect(offsets).toEqual(want);
    const data = v.data as Int32Array;
    sizes.forEach((n, r) => {
      if (n) {
        expect(data[offsets[r]!]).toBe(r << 24);
        expect(data[offsets[r]! + n - 1]).toBe((r << 24) + n - 1);
      }
    });
    expect(Array.from((t.column('B').data as Uint8Array).subarray(t.column('B').offsets![2], t.column('B').offsets![3]))).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('readVlaDescriptors gives the file byte range of each cell; reading it equals the column', async () => {
    const file = await open(bytes);
    const hdu = await file.hdu(1);
    const r = await readVlaDescriptors(hdu, 'V', { start: 2, count: 2 });
    expect(Array.from(r.counts)).toEqual([1_200_000, 5]);
    expect(Array.from(r.byteLengths)).toEqual([4_800_000, 20]);
    expect(r.elementCode).toBe('J');
    const cell = await file.source.read(r.fileOffsets[1]!, r.byteLengths[1]!);
    const dv = new DataView(cell.buffer, cell.byteOffset, cell.byteLength);
    expect([0, 1, 2, 3, 4].map((k) => dv.getInt32(4 * k))).toEqual([0, 1, 2, 3, 4].map((k) => (3 << 24) + k));
    const [col] = await readBinaryTableColumns(hdu, ['V'], { start: 3, count: 1 });
    expect(Array.from(col!.data as Int32Array)).toEqual([0, 1, 2, 3, 4].map((k) => (3 << 24) + k));
  });
});
