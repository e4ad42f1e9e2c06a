/**
 * Binary-table HDUs for FitsWriter: whole tables, or rows streamed in chunks.
 */
import { FitsError } from '../core/errors.js';
import type { CardInput } from '../header/format.js';
import { assembleHeader, keyOf, toCardInputs, type StructuralCard } from './header-build.js';
import { checksumCards } from './hdu-emit.js';
import {
  HeapBuilder, columnCards, vlaFormPatches, encodeRows, normalizeColumn, planColumns, tableColumns, type ColumnInput, type ColumnPlan, type ColumnSource, type NormalColumn, type TableInput,
} from './table-encode.js';
import type { WriterContext, HduWriteOptions } from './context.js';

/** Options of {@link FitsWriter.addTable}. */
export type TableWriteOptions = HduWriteOptions;

/** Column description for a streamed table: `format` (or `dtype`) fixes the layout. */
export type ColumnSchema = Omit<ColumnInput, 'data'> & { data?: ColumnInput['data'] };

const COLUMN_KEY = /^T(TYPE|FORM|UNIT|SCAL|ZERO|NULL|DIM|DISP|BCOL|LMIN|LMAX|DMIN|DMAX)(\d+)$/;
const PRIMARY_ONLY = new Set(['SIMPLE', 'EXTEND']);

/** Header cards of a binary table. */
export function tableHeader(index: number, plans: ColumnPlan[], rowWidth: number, nrows: number, pcount: number, user: CardInput[], o: { extname?: string; checksum: boolean; extra?: StructuralCard[] }) {
  const mandatory: StructuralCard[] = [
    { keyword: 'XTENSION', value: 'BINTABLE', comment: 'binary table extension' },
    { keyword: 'BITPIX', value: 8, comment: 'array data type' },
    { keyword: 'NAXIS', value: 2, comment: 'number of array dimensions' },
    { keyword: 'NAXIS1', value: rowWidth, comment: 'length of dimension 1', mode: 'derived' },
    { keyword: 'NAXIS2', value: nrows, comment: 'length of dimension 2', mode: 'derived' },
    { keyword: 'PCOUNT', value: pcount, comment: 'number of group parameters', mode: 'derived' },
    { keyword: 'GCOUNT', value: 1, comment: 'number of groups' },
    { keyword: 'TFIELDS', value: plans.length, comment: 'number of table fields' },
  ];
  const required: StructuralCard[] = [...columnCards(plans)];
  if (o.extname !== undefined) required.push({ keyword: 'EXTNAME', value: o.extname, comment: 'extension name', mode: 'derived' });
  if (o.extra) required.push(...o.extra);
  const hasTheap = user.some((c) => !c.commentary && keyOf(c) === 'THEAP');
  if (hasTheap) required.push({ keyword: 'THEAP', value: rowWidth * nrows, comment: '', mode: 'derived' });
  const ncols = plans.length;
  const filtered = user.filter((c) => {
    if (c.commentary) return true;
    const m = COLUMN_KEY.exec(keyOf(c));
    return !(m && Number(m[2]) > ncols);
  });
  return assembleHeader(filtered, {
    mandatory,
    required,
    trailing: o.checksum ? checksumCards() : [],
    drop: (k) => PRIMARY_ONLY.has(k),
    hdu: index,
  });
}

function sourceOf(c: NormalColumn): ColumnSource {
  return { data: c.data, offsets: c.offsets, validity: c.validity, length: c.length };
}

/** Write a whole table. */
export async function writeTable(w: WriterContext, input: TableInput, opts: TableWriteOptions = {}): Promise<void> {
  await w.ensurePrimary();
  await w.run(async () => {
    const index = w.nextIndex;
    const user = toCardInputs(opts.header);
    const cols = tableColumns(input, index);
    const { plans, rowWidth, nrows } = planColumns(cols, user, index);
    const checksum = w.wantsChecksum(opts);
    const cards = tableHeader(index, plans, rowWidth, nrows, 0, user, { extname: opts.extname, checksum });
    const sources = cols.map(sourceOf);
    const heap = new HeapBuilder();
    await w.emit(cards, async (emit) => {
      await emitRows(plans, sources, nrows, rowWidth, heap, emit);
      for (const h of heap.chunks) await emit(h);
    }, { checksum, hdu: index, finalize: () => ({ PCOUNT: heap.size, ...theapPatch(cards, rowWidth * nrows), ...vlaFormPatches(plans) }) });
  });
}

function theapPatch(cards: { keyword: string; commentary?: boolean }[], value: number): Record<string, number> {
  return cards.some((c) => !c.commentary && c.keyword === 'THEAP') ? { THEAP: value } : {};
}

/** Bytes of rows encoded per write: at least the file sink's buffer, so they are written without a copy. */
const ROW_CHUNK = 8 << 20;

/**
 * Encode and emit rows in chunks, two buffers taking turns: the next chunk is
 * encoded while the previous one is being written.
 */
async function emitRows(plans: ColumnPlan[], sources: ColumnSource[], nrows: number, rowWidth: number, heap: HeapBuilder, emit: (b: Uint8Array) => Promise<void>): Promise<void> {
  if (rowWidth === 0 || nrows === 0) return;
  const per = Math.max(1, Math.floor(ROW_CHUNK / rowWidth));
  const size = Math.min(per, nrows) * rowWidth;
  const bufs = takeBuffers();
  for (let i = 0; i < (nrows > per ? 2 : 1); i++) if (bufs[i]!.length < size) bufs[i] = new Uint8Array(size);
  let pending: Promise<void> | null = null;
  try {
    for (let r = 0, which = 0; r < nrows; r += per, which ^= 1) {
      const n = Math.min(per, nrows - r);
      const out = bufs[which]!.subarray(0, n * rowWidth);
      encodeRows(plans, sources, r, n, rowWidth, out, heap);
      if (pending) await pending;
      pending = emit(out);
    }
    await pending;
  } catch (e) {
    await pending?.catch(() => undefined);
    throw e;
  }
  giveBuffers(bufs);
}

// The row buffers of the last table, kept for the next one while the garbage
// collector lets them live (fresh memory costs page faults).
let bufferCache: WeakRef<Uint8Array[]> | undefined;

function takeBuffers(): Uint8Array[] {
  const b = bufferCache?.deref();
  bufferCache = undefined;
  return b ?? [new Uint8Array(0), new Uint8Array(0)];
}

function giveBuffers(b: Uint8Array[]): void {
  bufferCache = new WeakRef(b);
}

/**
 * Write a table whose rows arrive in chunks (each a table input with the
 * schema's columns, in order). NAXIS2 and PCOUNT are filled in at the end;
 * fixed-width rows stream with bounded memory, variable-length data is
 * kept in memory until the heap is written after the last row.
 */
export async function writeTableStream(
  w: WriterContext,
  schema: readonly ColumnSchema[],
  chunks: AsyncIterable<TableInput> | Iterable<TableInput>,
  opts: TableWriteOptions = {},
): Promise<void> {
  await w.ensurePrimary();
  await w.run(async () => {
    const index = w.nextIndex;
    const user = toCardInputs(opts.header);
    const schemaCols: NormalColumn[] = schema.map((s) => {
      if (s.data !== undefined) return normalizeColumn(s as ColumnInput, index);
      const dtype = s.dtype;
      if (!dtype && !s.format) throw new FitsError('BAD_ARGUMENT', `Stream column ${s.name} needs a format or a dtype.`, { hdu: index });
      const vla = !!s.format && /^\s*\d*[PQ]/i.test(s.format);
      return {
        name: s.name,
        dtype: dtype ?? guessDtype(s.format!),
        format: s.format,
        cellShape: vla ? null : s.cellShape ? [...s.cellShape] : [],
        length: 0,
        data: [],
        offsets: vla ? [0] : undefined,
        unit: s.unit,
        tnull: s.tnull,
        tscal: s.tscal,
        tzero: s.tzero,
        stringWidth: s.stringWidth,
      };
    });
    for (const c of schemaCols) {
      if (c.dtype === 'string' && !c.format && !c.stringWidth) throw new FitsError('BAD_ARGUMENT', `Stream string column ${c.name} needs a format (e.g. '20A') or stringWidth.`, { hdu: index });
    }
    const { plans, rowWidth } = planColumns(schemaCols, user, index, { schemaOnly: true });
    const checksum = w.wantsChecksum(opts);
    const cards = tableHeader(index, plans, rowWidth, 0, 0, user, { extname: opts.extname, checksum });
    const heap = new HeapBuilder();
    let nrows = 0;
    await w.emit(cards, async (emit) => {
      for await (const chunk of chunks) {
        const cols = tableColumns(chunk, index);
        if (cols.length !== plans.length) throw new FitsError('BAD_ARGUMENT', `A chunk has ${cols.length} columns; the table has ${plans.length}.`, { hdu: index });
        const n = cols[0]?.length ?? 0;
        cols.forEach((c, i) => {
          if (c.length !== n) throw new FitsError('BAD_ARGUMENT', `Column ${c.name} of a chunk has ${c.length} rows, the first ${n}.`, { hdu: index });
          if (c.name !== plans[i]!.name) throw new FitsError('BAD_ARGUMENT', `Chunk column ${i + 1} is ${c.name}, the table's is ${plans[i]!.name}.`, { hdu: index });
        });
        await emitRows(plans, cols.map(sourceOf), n, rowWidth, heap, emit);
        nrows += n;
      }
      for (const h of heap.chunks) await emit(h);
    }, { checksum, hdu: index, finalize: () => ({ NAXIS2: nrows, PCOUNT: heap.size, ...theapPatch(cards, rowWidth * nrows), ...vlaFormPatches(plans) }) });
  });
}

function guessDtype(format: string): NormalColumn['dtype'] {
  const m = /^\s*\d*([PQ])?([LXBIJKAEDCM])/i.exec(format);
  const code = m ? m[2]!.toUpperCase() : 'D';
  return ({ L: 'bool', X: 'bool', B: 'uint8', I: 'int16', J: 'int32', K: 'int64', A: 'string', E: 'float32', D: 'float64', C: 'complex64', M: 'complex128' } as const)[code as 'L'] ?? 'float64';
}
