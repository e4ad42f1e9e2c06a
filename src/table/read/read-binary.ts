/**
 * Read columns of a binary table (BINTABLE, also the table under a
 * tile-compressed image): the bytes of the requested rows only, in blocks,
 * each requested column gathered from each block in one pass, then the heap
 * bytes of the requested variable-length cells.
 */
import { FitsError } from '../../core/errors.js';
import type { HduContext } from '../../hdu/context.js';
import type { ByteSource } from '../../core/byte-source.js';
import { flipSignInPlace } from '../../image/convert.js';
import { allocateBuffer, sharedMemoryAvailable } from '../../core/buffers.js';
import { binaryLayoutOf, type BinaryColumnSpec, type BinaryTableLayout, type ElementCode } from './binary-layout.js';
import { columnFields, packedStringColumn, type Column, type ColumnArray, type ColumnDType } from '../column.js';
import { gather16, gather32, gather64, gather8, gatherBits, gatherLogical, gatherScaled, markNulls, ValidityBuilder } from './gather.js';
import { gatherDescriptors, heapBytes, readVlaArrays, type HeapLocation, type VlaDescriptors } from './heap.js';
import { forEachRowBlock, syncReader } from './row-blocks.js';
import { resolveRows, selectColumns, type RowRange } from './selection.js';
import { gatherStringBytes } from '../strings.js';
import { gatherRowsLent, gatherRowsParallel, PARALLEL_BLOCK_BYTES, PARALLEL_MIN_BYTES, type BlockGather, type ParallelGatherPlan } from './gather-parallel.js';
import { poolIsWarm, type WorkerPool } from '../../core/worker-pool.js';

/** Gathers rows `first .. first + n - 1` (counted from the read's first row) of one column out of a block. */
export type RowGather = (src: Uint8Array, dv: DataView, first: number, n: number) => void;

/** Collects one column from the row blocks of a read. */
export interface ColumnGatherer {
  /** Gather rows `first .. first + n - 1` (counted from the read's first row) out of a block. */
  gather(src: Uint8Array, dv: DataView, first: number, n: number, blockFileOffset: number): void;
  finish(): Column | Promise<Column>;
  /** The whole output, for columns other threads may gather into (see isParallelGatherable). */
  output?: ColumnArray;
}

type NumericCtor = new (buffer: ArrayBuffer | SharedArrayBuffer) => ColumnArray;
const ARRAY_OF: Record<Exclude<ColumnDType, 'string'>, { ctor: NumericCtor; bytes: number; numbersPerElement: number }> = {
  bool: { ctor: Uint8Array, bytes: 1, numbersPerElement: 1 },
  uint8: { ctor: Uint8Array, bytes: 1, numbersPerElement: 1 },
  int8: { ctor: Int8Array, bytes: 1, numbersPerElement: 1 },
  int16: { ctor: Int16Array, bytes: 2, numbersPerElement: 1 },
  uint16: { ctor: Uint16Array, bytes: 2, numbersPerElement: 1 },
  int32: { ctor: Int32Array, bytes: 4, numbersPerElement: 1 },
  uint32: { ctor: Uint32Array, bytes: 4, numbersPerElement: 1 },
  int64: { ctor: BigInt64Array as unknown as NumericCtor, bytes: 8, numbersPerElement: 1 },
  uint64: { ctor: BigUint64Array as unknown as NumericCtor, bytes: 8, numbersPerElement: 1 },
  float32: { ctor: Float32Array, bytes: 4, numbersPerElement: 1 },
  float64: { ctor: Float64Array, bytes: 8, numbersPerElement: 1 },
  complex64: { ctor: Float32Array, bytes: 4, numbersPerElement: 2 },
  complex128: { ctor: Float64Array, bytes: 8, numbersPerElement: 2 },
};

/** A typed array for `elements` elements of `dtype` (complex: two numbers each), through the allocation cap. */
export function allocateColumnArray(dtype: Exclude<ColumnDType, 'string'>, elements: number, shared = false): ColumnArray {
  const a = ARRAY_OF[dtype];
  return new a.ctor(allocateBuffer(elements * a.numbersPerElement * a.bytes, shared));
}

function columnOf(spec: BinaryColumnSpec, length: number, data: ColumnArray | string[], extra: Partial<Column> = {}): Column {
  const c: Column = {
    name: spec.name,
    dtype: spec.dtype,
    format: spec.tform.text,
    cellShape: spec.cellShape ? [...spec.cellShape] : null,
    length,
    data,
    ...extra,
  };
  if (spec.keywords.unit !== undefined) (c as { unit?: string }).unit = spec.keywords.unit;
  return c;
}

/** Fixed numeric columns (B I J K E D C M), raw, unsigned or scaled, with TNULL validity. */
function numericGatherer(spec: BinaryColumnSpec, rows: number, rowBytes: number, shared: boolean, out?: ColumnArray): ColumnGatherer {
  const data = out ?? allocateColumnArray(spec.dtype as Exclude<ColumnDType, 'string'>, rows * spec.count, shared);
  const validity = spec.tnull !== undefined ? new ValidityBuilder(rows * spec.count) : undefined;
  const gather = numericGather(spec, rowBytes, data);
  return {
    output: data,
    gather(src, dv, first, n) {
      gather(src, dv, first, n);
      if (validity) markNulls(dv, spec.offset, rowBytes, n, spec.count, spec.elementCode, spec.tnull!, validity, first * spec.count);
    },
    finish() {
      const v = validity?.finish();
      return columnOf(spec, rows, data, v ? { validity: v } : {});
    },
  };
}

/** Gathers a fixed numeric column's values (not its TNULLs) into `data`. */
function numericGather(spec: BinaryColumnSpec, rowBytes: number, data: ColumnArray): RowGather {
  const perRow = spec.count;
  const code = spec.elementCode;
  const complex = code === 'C' || code === 'M';
  const numbersPerRow = complex ? 2 * perRow : perRow;
  const { mode, tscal, tzero } = spec.scaling;
  const buffer = data.buffer;
  const u8 = new Uint8Array(buffer, data.byteOffset, data.byteLength);
  const u16 = code === 'I' && mode !== 'scale' ? new Uint16Array(buffer, data.byteOffset, data.byteLength >>> 1) : undefined;
  const u32 = mode !== 'scale' && 'JEKDCM'.includes(code) ? new Uint32Array(buffer, data.byteOffset, data.byteLength >>> 2) : undefined;
  return (src, dv, first, n) => {
    const pos = spec.offset;
    const at = first * numbersPerRow;
    if (mode === 'scale') {
      gatherScaled(dv, pos, rowBytes, n, perRow, code, tscal, tzero, data as Float64Array, at);
      return;
    }
    switch (code) {
      case 'B': gather8(src, pos, rowBytes, n, perRow, u8, at); break;
      case 'I': gather16(dv, pos, rowBytes, n, perRow, u16!, at); break;
      case 'J': case 'E': case 'C': gather32(dv, pos, rowBytes, n, numbersPerRow, u32!, at); break;
      default: gather64(dv, pos, rowBytes, n, numbersPerRow, u32!, at); break;
    }
    if (mode === 'unsigned') {
      const width = data.BYTES_PER_ELEMENT;
      flipSignInPlace(buffer, data.byteOffset + at * width, n * perRow, width);
    }
  };
}

function logicalGatherer(spec: BinaryColumnSpec, rows: number, rowBytes: number, out?: ColumnArray): ColumnGatherer {
  const data = (out ?? allocateColumnArray('bool', rows * spec.count)) as Uint8Array;
  const validity = new ValidityBuilder(rows * spec.count);
  return {
    gather(src, dv, first, n) {
      gatherLogical(src, spec.offset, rowBytes, n, spec.count, data, first * spec.count, validity);
    },
    finish() {
      const v = validity.finish();
      return columnOf(spec, rows, data, v ? { validity: v } : {});
    },
  };
}

function bitGatherer(spec: BinaryColumnSpec, rows: number, rowBytes: number, shared: boolean, out?: ColumnArray): ColumnGatherer {
  const data = (out ?? allocateColumnArray('bool', rows * spec.count, shared)) as Uint8Array;
  return { output: data, gather: bitGather(spec, rowBytes, data), finish: () => columnOf(spec, rows, data) };
}

function bitGather(spec: BinaryColumnSpec, rowBytes: number, data: Uint8Array): RowGather {
  return (src, _dv, first, n) => gatherBits(src, spec.offset, rowBytes, n, spec.count, data, first * spec.count);
}

/** Fixed-width strings (A): the cells' bytes, packed; strings are decoded only if someone asks (column.ts). */
function stringGatherer(spec: BinaryColumnSpec, rows: number, rowBytes: number, shared: boolean, out?: ColumnArray): ColumnGatherer {
  const bytes = (out as Uint8Array | undefined) ?? new Uint8Array(allocateBuffer(rows * spec.count * spec.stringWidth, shared));
  return {
    output: bytes,
    gather: stringGather(spec, rowBytes, bytes),
    finish: () => packedStringColumn(columnFields(columnOf(spec, rows, [])), rows, { bytes, width: spec.stringWidth }),
  };
}

function stringGather(spec: BinaryColumnSpec, rowBytes: number, bytes: Uint8Array): RowGather {
  const cellBytes = spec.count * spec.stringWidth;
  return (src, _dv, first, n) => gatherStringBytes(src, spec.offset, rowBytes, n, cellBytes, bytes, first * cellBytes);
}

/**
 * Columns whose gathers write only their own output array (no TNULL or
 * logical validity, no heap): these can be gathered by several threads at
 * once, each on its own rows, into shared outputs (gather-parallel.ts).
 */
export function isParallelGatherable(spec: BinaryColumnSpec): boolean {
  if (spec.tform.repeat === 0 || spec.variable) return false;
  const c = spec.elementCode;
  if (c === 'L') return false;
  if (c === 'A' || c === 'X') return true;
  return spec.tnull === undefined;
}

/**
 * The row gather of a parallel-gatherable column writing into `out` (the
 * column's whole output: packed bytes for strings, the typed array otherwise).
 * Used by workers, which get the output through shared memory.
 */
export function parallelRowGather(spec: BinaryColumnSpec, rowBytes: number, out: ColumnArray): RowGather {
  switch (spec.elementCode) {
    case 'A': return stringGather(spec, rowBytes, out as Uint8Array);
    case 'X': return bitGather(spec, rowBytes, out as Uint8Array);
    default: return numericGather(spec, rowBytes, out);
  }
}

function emptyGatherer(spec: BinaryColumnSpec, rows: number): ColumnGatherer {
  return {
    gather() {},
    finish: () => columnOf(spec, rows, spec.dtype === 'string' ? [] : allocateColumnArray(spec.dtype, 0), spec.variable ? { offsets: new Int32Array(rows + 1) } : {}),
  };
}

/** Descriptors of a P/Q column for the requested rows. */
function descriptorGatherer(spec: BinaryColumnSpec, rows: number, rowBytes: number, heap: HeapLocation): ColumnGatherer & { descriptors: VlaDescriptors } {
  const descriptors: VlaDescriptors = { counts: new Float64Array(rows), heapOffsets: new Float64Array(rows) };
  const q = spec.tform.code === 'Q';
  return {
    descriptors,
    gather(_src, dv, first, n, blockFileOffset) {
      gatherDescriptors(dv, spec.offset, rowBytes, n, q, spec.elementCode, descriptors.counts, descriptors.heapOffsets, first, heap, blockFileOffset);
    },
    finish: () => {
      throw new Error('descriptor gatherer has no column');
    },
  };
}

function vlaGatherer(spec: BinaryColumnSpec, rows: number, rowBytes: number, source: ByteSource, heap: HeapLocation): ColumnGatherer {
  const d = descriptorGatherer(spec, rows, rowBytes, heap);
  return {
    gather: d.gather,
    async finish() {
      const { data, offsets, validity } = await readVlaArrays(source, heap, spec.elementCode, d.descriptors);
      return columnOf(spec, rows, data, validity ? { offsets, validity } : { offsets });
    },
  };
}

function gathererFor(spec: BinaryColumnSpec, rows: number, rowBytes: number, source: ByteSource, heap: HeapLocation | undefined, shared = false, out?: ColumnArray): ColumnGatherer {
  if (spec.tform.repeat === 0) return emptyGatherer(spec, rows);
  if (spec.variable) {
    if (!heap) throw new Error('variable-length column without a heap');
    return vlaGatherer(spec, rows, rowBytes, source, heap);
  }
  switch (spec.elementCode) {
    case 'L': return logicalGatherer(spec, rows, rowBytes, out);
    case 'X': return bitGatherer(spec, rows, rowBytes, shared, out);
    case 'A': return stringGatherer(spec, rows, rowBytes, shared, out);
    default: return numericGatherer(spec, rows, rowBytes, shared, out);
  }
}

function rowsOf(ctx: HduContext, t: BinaryTableLayout): RowsLocation {
  return { source: ctx.source, hdu: ctx.index, dataOffset: ctx.dataOffset, rowBytes: t.rowBytes, workerPool: ctx.runtime.workerPool?.bind(ctx.runtime) };
}

function heapOf(ctx: HduContext, t: BinaryTableLayout): HeapLocation {
  return { hdu: ctx.index, fileOffset: ctx.dataOffset + t.heapOffset, size: t.heapSize };
}

/** Where the rows of a table (or of random groups) are. */
export interface RowsLocation {
  source: ByteSource;
  hdu: number;
  /** File offset of the first row. */
  dataOffset: number;
  rowBytes: number;
  /** The runtime's worker pool, for large gathers (see {@link gatherColumns}'s `workers`). */
  workerPool?: () => WorkerPool | null;
}

async function runGatherers(loc: RowsLocation, start: number, count: number, gatherers: ColumnGatherer[]): Promise<void> {
  const blockStart = loc.dataOffset + start * loc.rowBytes;
  await forEachRowBlock(loc.source, loc.hdu, loc.dataOffset, loc.rowBytes, start, count, (src, dv, first, n) => {
    for (const g of gatherers) g.gather(src, dv, first, n, blockStart + first * loc.rowBytes);
  });
}

/**
 * Gather columns described by `specs` from rows `start .. start + count - 1`
 * (one pass over the rows for all columns), then read the heap arrays of
 * variable-length columns. Also used for random groups, whose groups are rows.
 */
export async function gatherColumns(
  loc: RowsLocation,
  specs: readonly BinaryColumnSpec[],
  start: number,
  count: number,
  heap?: HeapLocation,
  workers?: WorkerChoice,
  into?: readonly Column[],
): Promise<Column[]> {
  const pool = parallelPool(loc, specs, count, workers);
  const outs = specs.map((s) => (into ? reusedOutput(s, count, into, loc.hdu) : undefined));
  const gatherers = specs.map((s, i) => gathererFor(s, count, loc.rowBytes, loc.source, heap, pool !== null && isParallelGatherable(s), outs[i]));
  if (pool) {
    const plan: ParallelGatherPlan = { shared: [], local: [], specs: [], outputs: [] };
    gatherers.forEach((g, i) => {
      const gather: BlockGather = (src, dv, first, n) => g.gather(src, dv, first, n, loc.dataOffset + (start + first) * loc.rowBytes);
      // A worker can write only into shared memory (a reused output may be an ordinary array).
      if (g.output && isParallelGatherable(specs[i]!) && g.output.buffer instanceof SharedArrayBuffer) {
        plan.shared.push(gather);
        plan.specs.push(specs[i]!);
        plan.outputs.push(g.output);
      } else plan.local.push(gather);
    });
    // Every column gatherable on any thread and a source workers can read themselves: each thread
    // reads its own blocks. Otherwise this thread reads every block and hands some to one worker.
    const sync = syncReader(loc.source);
    const loan = plan.local.length === 0 && sync ? loc.source.lend?.() : undefined;
    if (loan && sync) {
      const read = (offset: number, into: Uint8Array) => sync(offset, into.length, into).length;
      await gatherRowsLent(loan, read, loc.hdu, loc.dataOffset, loc.rowBytes, start, count, plan, pool, pool.size);
    } else await gatherRowsParallel(loc.source, loc.hdu, loc.dataOffset, loc.rowBytes, start, count, plan, pool);
  } else if (specs.some((s) => s.width > 0)) await runGatherers(loc, start, count, gatherers);
  const out: Column[] = [];
  for (const g of gatherers) out.push(await g.finish());
  return out;
}

/**
 * The array a read of `spec` may gather into from `into` (readTable's `into`:
 * the columns of an earlier read of the same table): that column's values
 * (packed bytes for strings), if it has enough room, else a FitsError.
 * Columns with no match by name, variable-length ones and empty ones get new
 * arrays. The column returned is a view of the first `rows` cells.
 */
function reusedOutput(spec: BinaryColumnSpec, rows: number, into: readonly Column[], hdu: number): ColumnArray | undefined {
  if (spec.variable || spec.tform.repeat === 0) return undefined;
  const col = into.find((c) => c.name === spec.name);
  if (!col) return undefined;
  const bad = (why: string) => new FitsError('BAD_ARGUMENT', `readTable({ into }): column ${spec.name} ${why}.`, { hdu });
  if (spec.elementCode === 'A') {
    const need = rows * spec.count * spec.stringWidth;
    if (!col.strings || col.strings.width !== spec.stringWidth) throw bad(`is not packed ${spec.stringWidth}-byte strings`);
    if (col.strings.bytes.length < need) throw bad(`has room for ${col.strings.bytes.length} bytes, not ${need}`);
    return col.strings.bytes.subarray(0, need);
  }
  const a = ARRAY_OF[spec.dtype as Exclude<ColumnDType, 'string'>];
  const data = col.data;
  const need = rows * spec.count * a.numbersPerElement;
  if (Array.isArray(data) || col.dtype !== spec.dtype || !(data instanceof (a.ctor as unknown as new () => ColumnArray))) throw bad(`holds ${col.dtype}, not ${spec.dtype}`);
  if (data.length < need) throw bad(`has room for ${data.length} values, not ${need}`);
  return data.subarray(0, need) as ColumnArray;
}

/**
 * Whether a read uses a worker: `false` never; `true` or undefined (the
 * default): the runtime's pool, for reads of at least PARALLEL_MIN_BYTES
 * stored bytes from synchronous sources; a pool: that pool.
 */
export type WorkerChoice = boolean | WorkerPool | undefined;

function parallelPool(loc: RowsLocation, specs: readonly BinaryColumnSpec[], count: number, workers: WorkerChoice): WorkerPool | null {
  if (workers === false || !sharedMemoryAvailable || count < 2) return null;
  if (!specs.some(isParallelGatherable)) return null;
  const bytes = count * loc.rowBytes;
  const runtimePool = workers === true || workers === undefined;
  if (runtimePool && bytes < PARALLEL_MIN_BYTES) return null;
  // Only for sources that read synchronously (files, memory): the serial path reads
  // asynchronous ones (HTTP) a block ahead while it gathers, which matters more there.
  if (runtimePool && !syncReader(loc.source)) return null;
  if (bytes < 2 * Math.max(loc.rowBytes, PARALLEL_BLOCK_BYTES)) return null; // fewer than two blocks
  const pool = runtimePool ? (loc.workerPool?.() ?? null) : workers;
  if (workers === undefined && pool && !poolIsWarm(pool)) return null; // workers still starting: this read goes alone
  return pool && pool.size > 0 ? pool : null;
}

/**
 * Read columns (by name or 0-based index; all when omitted) of a binary table
 * for a range of rows (all when omitted), as {@link Column}s. Works on any
 * BINTABLE HDU, including the table of a tile-compressed image: variable-length
 * columns (e.g. COMPRESSED_DATA `1PB`, `1QB`, UNCOMPRESSED_DATA `1PI`/`1PJ`)
 * come back as `offsets` + native `data`, fixed ones (ZSCALE, ZZERO, ZBLANK) as
 * typed arrays.
 * @example
 * const [tiles, zscale] = await readBinaryTableColumns(hdu, ['COMPRESSED_DATA', 'ZSCALE'], { start: 10, count: 4 });
 * const bytesOfRow0 = (tiles.data as Uint8Array).subarray(tiles.offsets![0], tiles.offsets![1]);
 */
export async function readBinaryTableColumns(ctx: HduContext, columns?: readonly (string | number)[], rows?: RowRange, workers?: WorkerChoice, into?: readonly Column[]): Promise<Column[]> {
  const t = binaryLayoutOf(ctx);
  const specs = selectColumns(t.columns, columns, ctx.index);
  const { start, count } = resolveRows(rows, t.nrows, ctx.index);
  return gatherColumns(rowsOf(ctx, t), specs, start, count, heapOf(ctx, t), workers, into);
}

/** Where the arrays of a variable-length column are, without reading them. */
export interface VlaCellRanges {
  /** Elements per row (bits for PX, bytes for PA, complex numbers for PC/PM). */
  counts: Float64Array;
  /** Absolute file offset of each row's array (0 for empty arrays). */
  fileOffsets: Float64Array;
  /** Bytes of each row's array in the file. */
  byteLengths: Float64Array;
  /** The element type letter (the one after P/Q). */
  elementCode: ElementCode;
}

/**
 * Read only the descriptors of a variable-length column (P/Q) for a range of
 * rows, checked against the heap: the file byte range of every cell, so a
 * caller (e.g. a cutout of a tile-compressed image) can read just the cells it
 * needs with `source.read(fileOffsets[i], byteLengths[i])`.
 * @example
 * const r = await readVlaDescriptors(hdu, 'COMPRESSED_DATA', { start: tile, count: 1 });
 * const bytes = await hdu.source.read(r.fileOffsets[0], r.byteLengths[0]);
 */
export async function readVlaDescriptors(ctx: HduContext, column: string | number, rows?: RowRange): Promise<VlaCellRanges> {
  const t = binaryLayoutOf(ctx);
  const [spec] = selectColumns(t.columns, [column], ctx.index);
  if (!spec!.variable || spec!.tform.repeat === 0) {
    throw new FitsError('BAD_ARGUMENT', `Column ${spec!.name} (TFORM '${spec!.tform.text}') is not a variable-length array column.`, { hdu: ctx.index });
  }
  const { start, count } = resolveRows(rows, t.nrows, ctx.index);
  const heap = heapOf(ctx, t);
  const g = descriptorGatherer(spec!, count, t.rowBytes, heap);
  await runGatherers(rowsOf(ctx, t), start, count, [g]);
  const { counts, heapOffsets } = g.descriptors;
  const fileOffsets = new Float64Array(count);
  const byteLengths = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    byteLengths[i] = heapBytes(spec!.elementCode, counts[i]!);
    fileOffsets[i] = byteLengths[i] === 0 ? 0 : heap.fileOffset + heapOffsets[i]!;
  }
  return { counts, fileOffsets, byteLengths, elementCode: spec!.elementCode };
}
