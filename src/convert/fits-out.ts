/**
 * Converted tables into FITS binary tables, through the library's writer
 * (FitsWriter.addTable / addTableStream): each column with the TFORM, TNULL,
 * TSCAL/TZERO and unit of its FITS description (table-meta.ts), the stored
 * header cards, and TDISP/TUCD/TCOMM per column — so FITS → X → FITS gives the
 * same table back.
 *
 * Integer columns with nulls but no TNULL (from Parquet, Arrow or CSV) get one:
 * the smallest stored value of their type, checked against every value
 * written (a column that uses it is refused rather than silently nulled).
 */
import { FitsError } from '../core/errors.js';
import type { Column } from '../table/column.js';
import type { FitsTable } from '../table/ops/fits-table.js';
import type { FitsWriter } from '../write/writer.js';
import type { ColumnInput } from '../write/table-encode.js';
import { binaryTform, headerCardsOf, type ColumnMeta, type MetaCard, type TableMeta } from './table-meta.js';

/** Stored-value range and offset (TZERO of the unsigned conventions) of integer columns. */
const STORED: Partial<Record<Column['dtype'], { min: bigint; zero: bigint }>> = {
  uint8: { min: 0n, zero: 0n },
  int8: { min: 0n, zero: -128n },
  int16: { min: -32768n, zero: 0n },
  uint16: { min: -32768n, zero: 32768n },
  int32: { min: -2147483648n, zero: 0n },
  uint32: { min: -2147483648n, zero: 2147483648n },
  int64: { min: -9223372036854775808n, zero: 0n },
  uint64: { min: -9223372036854775808n, zero: 9223372036854775808n },
};

/** A TNULL for an integer column that has nulls and none given: the smallest stored value. */
function chosenTnull(col: Pick<Column, 'dtype' | 'format' | 'cellShape'>): bigint | undefined {
  if (!/^\s*\d*[PQ]?[BIJK]/i.test(binaryTform(col))) return undefined;
  return STORED[col.dtype]?.min;
}

function validAt(v: Uint8Array | undefined, i: number): boolean {
  return !v || ((v[i >>> 3]! >>> (i & 7)) & 1) === 1;
}

/** Refuse a column whose valid values include the physical value of the TNULL we chose. */
function checkTnullUnused(col: Column, tnull: bigint): void {
  const s = STORED[col.dtype];
  if (!s) return;
  const physical = tnull + s.zero;
  const d = col.data as ArrayLike<number | bigint>;
  const big = typeof d[0] === 'bigint';
  const target = big ? physical : Number(physical);
  for (let i = 0; i < d.length; i++) {
    if (d[i] === target && validAt(col.validity, i)) {
      throw new FitsError('UNSUPPORTED', `Column '${col.name}' has nulls and uses the value ${physical}, the only free TNULL fitsflow tries; give the column a TNULL in the input's fits:table metadata.`);
    }
  }
}

/** A writer column for `col` with its FITS description. */
function columnInput(col: Column, m: ColumnMeta | undefined, tnull: bigint | undefined): ColumnInput & { length: number } {
  const input: ColumnInput & { length: number } = {
    name: col.name,
    data: col.data as ColumnInput['data'],
    dtype: col.dtype,
    format: m?.tform ?? binaryTform(col),
    cellShape: col.cellShape,
    length: col.length,
  };
  if (col.offsets) input.offsets = col.offsets;
  if (col.validity) input.validity = col.validity;
  const unit = m?.unit ?? col.unit;
  if (unit !== undefined && unit !== '') input.unit = unit;
  const t = m?.tnull ?? tnull;
  if (t !== undefined) input.tnull = t;
  if (m?.tscal !== undefined) input.tscal = m.tscal;
  if (m?.tzero !== undefined) input.tzero = m.tzero;
  return input;
}

/** Columns and header cards to write a table with its FITS description. */
export function fitsTableInput(columns: readonly Column[], meta: TableMeta | undefined): { columns: (ColumnInput & { length: number })[]; header: MetaCard[]; extname?: string } {
  const metaOf = new Map((meta?.columns ?? []).map((m) => [m.name, m]));
  const names = columns.map((c) => c.name);
  const inputs = columns.map((c) => {
    const m = metaOf.get(c.name);
    let tnull: bigint | undefined;
    if (m?.tnull === undefined && c.validity && (tnull = chosenTnull(c)) !== undefined) checkTnullUnused(c, tnull);
    // (a TNULL is only chosen for columns with nulls, and checked against their values)
    return columnInput(c, m, tnull);
  });
  const header = meta ? headerCardsOf(meta, (n) => names.indexOf(n)) : [];
  const out: { columns: (ColumnInput & { length: number })[]; header: MetaCard[]; extname?: string } = { columns: inputs, header };
  if (meta?.extname) out.extname = meta.extname;
  return out;
}

/** Add a table HDU to a FITS writer. */
export async function addFitsTable(writer: FitsWriter, table: FitsTable, meta?: TableMeta, opts: { extname?: string } = {}): Promise<void> {
  const t = fitsTableInput(table.columns, meta);
  await writer.addTable(t.columns, { header: t.header, extname: opts.extname ?? t.extname });
}

/**
 * Add a table HDU whose rows arrive in batches (memory: one batch, plus
 * variable-length arrays until the end). `first` fixes the columns.
 */
export async function addFitsTableStream(writer: FitsWriter, first: FitsTable, rest: AsyncIterable<FitsTable>, meta?: TableMeta, opts: { extname?: string; nullable?: ReadonlySet<string> } = {}): Promise<void> {
  const metaOf = new Map((meta?.columns ?? []).map((m) => [m.name, m]));
  // Nulls may appear in any batch: integer columns that may hold nulls and have no TNULL get one up front.
  const tnulls = first.columns.map((c) => (metaOf.get(c.name)?.tnull === undefined && (c.validity || opts.nullable?.has(c.name)) ? chosenTnull(c) : undefined));
  const shape = fitsTableInput(first.columns, meta);
  const schema = shape.columns.map((c, i) => {
    const { data: _data, validity: _v, offsets: _o, length: _l, ...rest } = c;
    const s: Omit<ColumnInput, 'data'> = { ...rest };
    if (tnulls[i] !== undefined) s.tnull = tnulls[i];
    return s;
  });
  const it = rest[Symbol.asyncIterator]();
  async function* batches(): AsyncGenerator<(ColumnInput & { length: number })[]> {
    for (let t: FitsTable | undefined = first; t; ) {
      const cols = t.columns;
      cols.forEach((c, i) => {
        if (tnulls[i] !== undefined) checkTnullUnused(c, tnulls[i]!);
      });
      yield fitsTableInput(cols, meta).columns.map((c, i) => (tnulls[i] !== undefined ? { ...c, tnull: tnulls[i] } : c));
      const next = await it.next();
      t = next.done ? undefined : next.value;
    }
  }
  await writer.addTableStream(schema, batches(), { header: shape.header, extname: opts.extname ?? shape.extname });
}
