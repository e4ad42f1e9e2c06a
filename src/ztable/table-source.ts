/**
 * The uncompressed table of a compressed-table HDU as a ByteSource: reading
 * bytes of its rows decodes the tiles they fall in (only the columns the read
 * asked for: the other columns' bytes read as zeros), reading bytes of its
 * heap decodes the variable-length arrays there. The table readers
 * (src/table/read/) then read it as any BINTABLE: a row range decodes only
 * its tiles, a column selection only those columns, and only their
 * compressed bytes are read from the file (coalesced, so remote files take
 * few requests).
 *
 * Memory: the last two decoded tiles (of the selected columns), and for the
 * heap, where the arrays of the rows read since the last heap read are (a
 * few numbers per row) — the table readers read rows first, then the heap
 * arrays of those rows.
 */
import { FitsError } from '../core/errors.js';
import type { ByteSource } from '../core/byte-source.js';
import type { Inflater } from '../core/runtime.js';
import type { HduContext } from '../hdu/context.js';
import { heapBytes } from '../table/read/heap.js';
import { readBytes } from '../table/read/row-blocks.js';
import { decodeArray, decodeTileColumn } from './decode.js';
import { rowsOfTile, type CompressedColumn, type CompressedTableInfo } from './info.js';

/** Read across gaps smaller than this rather than issue another read. */
const GAP_BYTES = 64 << 10;
/** Largest coalesced read (a single bigger cell is read alone). */
const SPAN_BYTES = 8 << 20;
/** Decoded tiles kept (the read-ahead of the row reader touches at most two). */
const TILES_KEPT = 2;

/** One compressed cell to read: where it is in the file. */
interface Cell {
  fileOffset: number;
  length: number;
}

/** Read cells, coalescing those close together in the file; returns their bytes in the same order. */
async function readCells(source: ByteSource, cells: readonly Cell[], hdu: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = new Array(cells.length);
  const order = cells.map((_, i) => i).filter((i) => cells[i]!.length > 0).sort((a, b) => cells[a]!.fileOffset - cells[b]!.fileOffset);
  for (let i = 0; i < cells.length; i++) if (cells[i]!.length === 0) out[i] = new Uint8Array(0);
  for (let a = 0; a < order.length; ) {
    const first = cells[order[a]!]!;
    const start = first.fileOffset;
    let end = start + first.length;
    let b = a + 1;
    while (b < order.length) {
      const c = cells[order[b]!]!;
      const e = Math.max(end, c.fileOffset + c.length);
      if (c.fileOffset > end + GAP_BYTES || e - start > SPAN_BYTES) break;
      end = e;
      b++;
    }
    const span = (await readBytes(source, start, end - start, undefined, hdu)).slice();
    for (let k = a; k < b; k++) {
      const c = cells[order[k]!]!;
      out[order[k]!] = span.subarray(c.fileOffset - start, c.fileOffset - start + c.length);
    }
    a = b;
  }
  return out;
}

/** A variable-length array of a row read: where it is in the uncompressed heap and in the compressed one. */
interface ArrayEntry {
  /** Byte offset in the uncompressed table's data (heap start + descriptor offset). */
  start: number;
  bytes: number;
  count: number;
  col: CompressedColumn;
  row: number;
  /** Compressed array: file offset and length. */
  cell: Cell;
}

/** See the module notes. */
export class DecompressedTableSource implements ByteSource {
  readonly size: number;
  readonly name: string;
  private readonly rowsEnd: number;
  private readonly heapStart: number;
  private readonly storedHeapFile: number;
  private readonly tiles = new Map<number, Promise<Map<CompressedColumn, Uint8Array>>>();
  private arrays: ArrayEntry[] = [];
  private sorted = true;
  private longest = 0;
  private readingHeap = false;

  constructor(
    private readonly ctx: HduContext,
    private readonly info: CompressedTableInfo,
    /** The columns reads decode (repeat > 0). */
    private readonly wanted: readonly CompressedColumn[],
    private readonly inflate: Inflater,
  ) {
    const t = info.table;
    this.rowsEnd = t.rowBytes * t.nrows;
    this.heapStart = t.heapOffset;
    this.size = info.layout.dataBytes;
    this.storedHeapFile = ctx.dataOffset + info.stored.heapOffset;
    this.name = `${ctx.source.name ?? 'memory'} (HDU ${ctx.index}, decompressed)`;
  }

  async read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
    const start = Math.min(Math.max(0, offset), this.size);
    const end = Math.min(this.size, start + Math.max(0, length));
    const out = into ? into.subarray(0, end - start) : new Uint8Array(end - start);
    out.fill(0);
    if (start < Math.min(end, this.rowsEnd)) {
      if (this.readingHeap) {
        // A new read of rows: the arrays of earlier rows are no longer asked for.
        this.arrays = [];
        this.longest = 0;
        this.sorted = true;
        this.readingHeap = false;
      }
      await this.fillRows(start, Math.min(end, this.rowsEnd), out, start);
    }
    const h = Math.max(start, this.heapStart);
    if (h < end) {
      this.readingHeap = true;
      await this.fillHeap(h, end, out, start);
    }
    return out;
  }

  /** The decoded columns of tile `t` (cached). */
  private tile(t: number): Promise<Map<CompressedColumn, Uint8Array>> {
    const hit = this.tiles.get(t);
    if (hit) return hit;
    const p = this.decodeTile(t);
    this.tiles.set(t, p);
    p.catch(() => this.tiles.delete(t));
    while (this.tiles.size > TILES_KEPT) this.tiles.delete(this.tiles.keys().next().value!);
    return p;
  }

  private async decodeTile(t: number): Promise<Map<CompressedColumn, Uint8Array>> {
    const { ctx, info } = this;
    const hdu = ctx.index;
    const stored = info.stored;
    const row = await readBytes(ctx.source, ctx.dataOffset + t * stored.rowBytes, stored.rowBytes, undefined, hdu);
    const dv = new DataView(row.buffer, row.byteOffset, row.byteLength);
    const cells = this.wanted.map((col): Cell => {
      const s = col.stored;
      let length: number, at: number;
      if (s.tform.code === 'Q') {
        const lh = dv.getUint32(s.offset), oh = dv.getUint32(s.offset + 8);
        length = lh >= 0x200000 ? Infinity : lh * 4294967296 + dv.getUint32(s.offset + 4);
        at = oh >= 0x200000 ? Infinity : oh * 4294967296 + dv.getUint32(s.offset + 12);
      } else {
        length = dv.getInt32(s.offset);
        at = dv.getInt32(s.offset + 4);
      }
      if (length < 0 || at < 0 || !(at + length <= stored.heapSize)) {
        throw new FitsError('CORRUPT_DATA', `Tile ${t + 1} of column ${col.spec.index + 1} (${length} bytes at heap byte ${at}) lies outside the ${stored.heapSize}-byte heap.`, { hdu, tile: t });
      }
      return { fileOffset: this.storedHeapFile + at, length };
    });
    const bytes = await readCells(ctx.source, cells, hdu);
    const rows = rowsOfTile(info, t);
    const planes = new Map<CompressedColumn, Uint8Array>();
    this.wanted.forEach((col, i) => planes.set(col, decodeTileColumn(col, rows, bytes[i]!, this.inflate, hdu, t)));
    return planes;
  }

  /** Fill `out` (whose byte 0 is table byte `base`) with table bytes [a, b) of rows. */
  private async fillRows(a: number, b: number, out: Uint8Array, base: number): Promise<void> {
    const { info } = this;
    const rowBytes = info.table.rowBytes;
    const firstRow = Math.floor(a / rowBytes);
    const endRow = Math.floor((b - 1) / rowBytes) + 1;
    const per = info.tileRows;
    for (let t = Math.floor(firstRow / per); t * per < endRow; t++) {
      const planes = await this.tile(t);
      const t0 = t * per;
      const r0 = Math.max(firstRow, t0);
      const r1 = Math.min(endRow, t0 + rowsOfTile(info, t));
      for (const col of this.wanted) {
        const plane = planes.get(col)!;
        const w = col.spec.width;
        for (let r = r0; r < r1; r++) {
          const field = r * rowBytes + col.spec.offset;
          const s = Math.max(field, a);
          const e = Math.min(field + w, b);
          if (s >= e) continue;
          let from = (r - t0) * w + (s - field);
          let to = s - base;
          if (e - s > 32) out.set(plane.subarray(from, from + (e - s)), to);
          else for (const stop = from + (e - s); from < stop; ) out[to++] = plane[from++]!;
        }
        if (col.spec.variable) this.noteArrays(col, plane, t, r0, r1);
      }
    }
  }

  /** Remember where the arrays of rows r0 .. r1-1 (of tile t) are. */
  private noteArrays(col: CompressedColumn, plane: Uint8Array, t: number, r0: number, r1: number): void {
    const { info } = this;
    const t0 = t * info.tileRows;
    const q = col.spec.tform.code === 'Q';
    const w = col.spec.width;
    const qAt = rowsOfTile(info, t) * w;
    const dv = new DataView(plane.buffer, plane.byteOffset, plane.byteLength);
    for (let r = r0; r < r1; r++) {
      const d = (r - t0) * w;
      let count: number, offset: number;
      if (q) {
        count = Number(dv.getBigUint64(d));
        offset = Number(dv.getBigUint64(d + 8));
      } else {
        count = dv.getInt32(d);
        offset = dv.getInt32(d + 4);
      }
      if (!(count > 0) || offset < 0) continue; // the table reader reports bad descriptors
      const c = qAt + (r - t0) * 16;
      const clen = Number(dv.getBigUint64(c));
      const cat = Number(dv.getBigUint64(c + 8));
      if (!(cat + clen <= info.stored.heapSize)) {
        throw new FitsError('CORRUPT_DATA', `The compressed array of row ${r + 1}, column ${col.spec.index + 1} (${clen} bytes at heap byte ${cat}) lies outside the ${info.stored.heapSize}-byte heap.`, { hdu: info.hdu, tile: t });
      }
      const bytes = heapBytes(col.spec.elementCode, count);
      if (!Number.isSafeInteger(bytes)) continue;
      this.arrays.push({ start: this.heapStart + offset, bytes, count, col, row: r, cell: { fileOffset: this.storedHeapFile + cat, length: clen } });
      if (bytes > this.longest) this.longest = bytes;
      this.sorted = false;
    }
  }

  /** Fill `out` (whose byte 0 is table byte `base`) with table bytes [a, b) of the heap. */
  private async fillHeap(a: number, b: number, out: Uint8Array, base: number): Promise<void> {
    if (!this.sorted) {
      this.arrays.sort((x, y) => x.start - y.start);
      this.sorted = true;
    }
    const arrays = this.arrays;
    // The first array that may reach byte a starts at a - longest or later.
    let lo = 0;
    let hi = arrays.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (arrays[mid]!.start < a - this.longest) lo = mid + 1;
      else hi = mid;
    }
    const hits: ArrayEntry[] = [];
    for (let i = lo; i < arrays.length && arrays[i]!.start < b; i++) {
      const e = arrays[i]!;
      if (e.start + e.bytes > a) hits.push(e);
    }
    if (!hits.length) return;
    const bytes = await readCells(this.ctx.source, hits.map((e) => e.cell), this.info.hdu);
    hits.forEach((e, i) => {
      const decoded = decodeArray(e.col, e.count, bytes[i]!, this.inflate, this.info.hdu, e.row);
      const s = Math.max(e.start, a);
      const end = Math.min(e.start + e.bytes, b);
      out.set(decoded.subarray(s - e.start, end - e.start), s - base);
    });
  }
}
