/**
 * FITS tables ⇄ Apache Parquet, with hyparquet-writer / hyparquet (pure JS).
 *
 * Why these: measured against parquet-wasm (Rust, 5 MB of WASM) on a 1M-row
 * catalog table (bench/parquet-libs.ts, RESULTS-parquet.md), hyparquet-writer
 * writes within ~2× of it and reads within ~2‥3×, correctly for every type
 * FITS needs (int64/uint64, nested lists, structs, nulls); pure JS runs in
 * every runtime without loading a WASM module, so WASM would not be "far better".
 *
 * Writing streams: {@link ParquetTableWriter} takes tables (batches of rows)
 * one at a time, each becoming a row group, and hands the bytes of each row
 * group to an output as soon as it is encoded — memory holds one batch.
 * Reading goes row group by row group over any ByteSource (files, HTTP ranges).
 * The FITS description of the table (table-meta.ts) is stored in the file's
 * key-value metadata under `fits:table`.
 */
import { ParquetWriter, ByteWriter } from 'hyparquet-writer';
import { parquetMetadataAsync, parquetRead, parquetSchema, type AsyncBuffer, type FileMetaData, type KeyValue, type RowGroup, type SchemaElement } from 'hyparquet';
import { inflate } from 'pako';
import { FitsError } from '../core/errors.js';
import type { ByteSource } from '../core/byte-source.js';
import type { Column } from '../table/column.js';
import { FitsTable } from '../table/ops/fits-table.js';
import { writeRowGroup } from './parquet-fast.js';
import { checkColumnNames, columnValues, planColumn, type ColumnPlan } from './parquet-schema.js';
import { columnFromParquet, describeParquetColumn, type ParquetColumnShape, type SchemaNode } from './parquet-columns.js';
import { decodeTableMeta, encodeTableMeta, FITS_META_KEY, tableMetaFromColumns, type ColumnMeta, type TableMeta } from './table-meta.js';

/** Where encoded bytes go (a file, memory, a stream); FitsWriter's sinks fit. */
export interface ByteOutput {
  /** Append bytes (the output may keep the array until the promise settles). */
  write(bytes: Uint8Array): Promise<void>;
  /** Finish and publish the output. */
  close(): Promise<void>;
  /** Discard the output. */
  abort(reason?: unknown): Promise<void>;
}

/** Collects bytes in memory (for tests and small tables). */
export class MemoryOutput implements ByteOutput {
  readonly chunks: Uint8Array[] = [];
  async write(bytes: Uint8Array): Promise<void> {
    this.chunks.push(bytes.slice());
  }
  async close(): Promise<void> {}
  async abort(): Promise<void> {
    this.chunks.length = 0;
  }
  /** Everything written, as one array. */
  bytes(): Uint8Array {
    const n = this.chunks.reduce((a, c) => a + c.length, 0);
    const out = new Uint8Array(n);
    let o = 0;
    for (const c of this.chunks) (out.set(c, o), (o += c.length));
    return out;
  }
}

/** Options of {@link ParquetTableWriter}. */
export interface ParquetWriteOptions {
  /** Compression: 'SNAPPY' (default; what pyarrow and DuckDB write) or 'UNCOMPRESSED'. */
  codec?: 'SNAPPY' | 'UNCOMPRESSED';
  /** Column statistics (min/max/null count) for readers' pushdown: all columns (default true), none, or those named. */
  statistics?: boolean | readonly string[];
  /** The table's FITS description (default: from the first batch's columns). */
  meta?: TableMeta;
  /**
   * Which columns may hold nulls (Parquet OPTIONAL); decided once for the
   * whole file. Default: columns with a TNULL, logical (L) columns, and
   * columns of the first batch that have nulls.
   */
  nullable?: (column: Column, meta: ColumnMeta | undefined) => boolean;
  /** More key-value metadata for the file's footer. */
  keyValues?: Record<string, string>;
  /** Row groups of at most this many rows (a batch with more is split). Default 1 << 20. */
  rowGroupRows?: number;
}

/** The default nullability rule (see {@link ParquetWriteOptions.nullable}). */
export function defaultNullable(column: Column, meta: ColumnMeta | undefined): boolean {
  if (column.validity) return true;
  if (meta?.tnull !== undefined) return true;
  return column.dtype === 'bool' && /^\s*\d*[PQ]?L/i.test(column.format);
}

/**
 * hyparquet-writer's buffer writer, handing each row group's bytes to an
 * output. Large pages (appendLarge) are queued as they are instead of being
 * copied into the buffer, and the buffer keeps its size from one row group to
 * the next (no regrowing).
 */
export class OutputWriter extends ByteWriter {
  private pending: Promise<void> = Promise.resolve();
  private queued: Uint8Array[] = [];
  constructor(private readonly out: ByteOutput) {
    super(1 << 16);
  }
  /** Append bytes the caller will not change until the next flush, without copying them. */
  appendLarge(bytes: Uint8Array): void {
    if (bytes.length < 1 << 16) {
      this.appendBytes(bytes);
      return;
    }
    if (this.index > 0) {
      this.queued.push(new Uint8Array(this.buffer.slice(0, this.index)));
      this.index = 0;
    }
    this.queued.push(bytes);
    this.offset += bytes.length;
  }
  flush(): Promise<void> {
    if (this.index > 0) {
      this.queued.push(new Uint8Array(this.buffer.slice(0, this.index)));
      this.index = 0;
    }
    const chunks = this.queued;
    this.queued = [];
    if (chunks.length) this.pending = this.pending.then(async () => {
      for (const c of chunks) await this.out.write(c);
    });
    return this.pending;
  }
  override finish(): Promise<void> {
    return this.flush();
  }
}

/** What a finished Parquet file holds (for `_metadata` files of HATS datasets). */
export interface ParquetFileSummary {
  numRows: number;
  schema: SchemaElement[];
  rowGroups: RowGroup[];
  keyValues: KeyValue[];
  /** Bytes written. */
  bytes: number;
}

/**
 * Writes FITS tables as one Parquet file, batch by batch.
 * @example
 * const w = new ParquetTableWriter(output, firstBatch.columns, { meta });
 * for await (const batch of hdu.iterateTable()) await w.write(batch);
 * await w.close();
 */
export class ParquetTableWriter {
  readonly plans: ColumnPlan[];
  readonly meta: TableMeta;
  private readonly writer: OutputWriter;
  private readonly pq: ParquetWriter;
  private readonly rowGroupRows: number;
  private readonly statistics: boolean | readonly string[];
  private rows = 0;
  private state: 'open' | 'closed' | 'failed' = 'open';

  /** `columns`: the columns of the first batch (they fix the schema). */
  constructor(private readonly output: ByteOutput, columns: readonly Column[], opts: ParquetWriteOptions = {}) {
    checkColumnNames(columns.map((c) => c.name));
    this.meta = opts.meta ?? tableMetaFromColumns(columns);
    const metaOf = new Map(this.meta.columns.map((m) => [m.name, m]));
    const nullable = opts.nullable ?? defaultNullable;
    this.plans = columns.map((c) => planColumn(c, nullable(c, metaOf.get(c.name))));
    const schema: SchemaElement[] = [{ name: 'schema', num_children: this.plans.length }, ...this.plans.flatMap((p) => p.elements)];
    const kv: KeyValue[] = [{ key: FITS_META_KEY, value: encodeTableMeta(this.meta) }];
    for (const [key, value] of Object.entries(opts.keyValues ?? {})) kv.push({ key, value });
    this.writer = new OutputWriter(output);
    this.statistics = opts.statistics ?? true;
    this.pq = new ParquetWriter({ writer: this.writer, schema, codec: opts.codec ?? 'SNAPPY', statistics: this.statistics !== false, kvMetadata: kv, createdBy: 'fitsflow' });
    this.rowGroupRows = Math.max(1, Math.floor(opts.rowGroupRows ?? 1 << 20));
  }

  /** Rows written so far. */
  get numRows(): number {
    return this.rows;
  }

  /** Append a batch (its columns in the order and of the types of the first). */
  async write(table: FitsTable | { columns: readonly Column[]; numRows: number }): Promise<void> {
    if (this.state !== 'open') throw new FitsError('BAD_ARGUMENT', `The Parquet writer is ${this.state}.`);
    const cols = table.columns;
    if (cols.length !== this.plans.length) throw new FitsError('BAD_ARGUMENT', `A batch has ${cols.length} columns; the file has ${this.plans.length}.`);
    cols.forEach((c, i) => {
      const p = this.plans[i]!;
      if (c.name !== p.name || c.dtype !== p.dtype) throw new FitsError('BAD_ARGUMENT', `Batch column ${i + 1} is ${c.name} (${c.dtype}); the file's is ${p.name} (${p.dtype}).`);
      if (c.validity && !p.nullable && hasNull(c)) throw new FitsError('BAD_ARGUMENT', `Column ${c.name} has nulls in a later batch but was written as non-nullable; pass the nullable option.`);
    });
    const n = table.numRows;
    try {
      for (let r0 = 0; r0 < n; r0 += this.rowGroupRows) {
        const r1 = Math.min(n, r0 + this.rowGroupRows);
        const stats = this.statistics;
        const columnData = this.plans.map((p, i) => ({ name: p.name, data: columnValues(p, cols[i]!, r0, r1), encoding: encodingOf(p), statistics: typeof stats === 'boolean' ? stats : stats.includes(p.name) }));
        await writeRowGroup(this.pq, columnData, r1 - r0);
        this.rows += r1 - r0;
      }
    } catch (e) {
      await this.abort(e);
      throw e instanceof FitsError ? e : new FitsError('BAD_ARGUMENT', `Parquet encoding failed: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Write the footer and close the output; returns what the file holds. */
  async close(): Promise<ParquetFileSummary> {
    if (this.state !== 'open') throw new FitsError('BAD_ARGUMENT', `The Parquet writer is ${this.state}.`);
    try {
      await this.pq.finish();
      await this.output.close();
    } catch (e) {
      await this.abort(e);
      throw e;
    }
    this.state = 'closed';
    return { numRows: this.rows, schema: this.pq.schema, rowGroups: this.pq.row_groups, keyValues: this.pq.kvMetadata ?? [], bytes: this.writer.offset };
  }

  /** Give up: the output is discarded. */
  async abort(reason?: unknown): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'failed';
    await this.output.abort(reason);
  }
}

/** Plain encoding for floats (dictionaries rarely pay off there and cost time). */
function encodingOf(p: ColumnPlan): 'PLAIN' | undefined {
  return p.flat && (p.dtype === 'float32' || p.dtype === 'float64') ? 'PLAIN' : undefined;
}

function hasNull(c: Column): boolean {
  const v = c.validity!;
  const n = c.offsets ? Number(c.offsets[c.length]) : c.length * (c.cellShape ? c.cellShape.reduce((a, b) => a * b, 1) : 1);
  for (let i = 0; i < n; i++) if (((v[i >>> 3]! >>> (i & 7)) & 1) === 0) return true;
  return false;
}

/** Write one table as Parquet bytes to an output. */
export async function writeParquet(output: ByteOutput, table: FitsTable, opts: ParquetWriteOptions = {}): Promise<ParquetFileSummary> {
  const w = new ParquetTableWriter(output, table.columns, opts);
  await w.write(table);
  return w.close();
}

/** One table as a Parquet file in memory. */
export async function tableToParquet(table: FitsTable, opts: ParquetWriteOptions = {}): Promise<Uint8Array> {
  const out = new MemoryOutput();
  await writeParquet(out, table, opts);
  return out.bytes();
}

/**
 * A Parquet file holding only a footer: the schema (`_common_metadata`) or
 * the schema and row groups of other files (`_metadata`, whose column chunks
 * carry `file_path`), as pyarrow's write_metadata writes them.
 */
export function parquetMetadataFile(schema: SchemaElement[], rowGroups: RowGroup[], keyValues: KeyValue[]): Uint8Array {
  const writer = new ByteWriter();
  const pq = new ParquetWriter({ writer, schema, kvMetadata: keyValues, createdBy: 'fitsflow' });
  pq.row_groups = rowGroups;
  pq.num_rows = rowGroups.reduce((a, g) => a + g.num_rows, 0n);
  void pq.finish();
  return writer.getBytes().slice();
}

// ---------------------------------------------------------------- reading

/** hyparquet's view of a ByteSource. */
export function asyncBufferOf(source: ByteSource): AsyncBuffer {
  return {
    byteLength: source.size,
    async slice(start: number, end = source.size): Promise<ArrayBuffer> {
      const b = await source.read(start, end - start);
      const out = new Uint8Array(b.length);
      out.set(b);
      return out.buffer;
    },
  };
}

function memoryBuffer(bytes: Uint8Array | ArrayBuffer): AsyncBuffer {
  const u = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  return { byteLength: u.length, slice: (s: number, e = u.length) => u.slice(s, e).buffer };
}

const COMPRESSORS = {
  // pako (already a fitsflow dependency) for GZIP; SNAPPY is built into hyparquet.
  GZIP: (input: Uint8Array) => inflate(input),
};

/** A Parquet file opened for reading as FITS tables. */
export class ParquetTableReader {
  /** Number of rows. */
  readonly numRows: number;
  /** The table's FITS description: stored in the file, or derived from its schema. */
  readonly meta: TableMeta;
  /** Whether the file carried fitsflow's `fits:table` metadata. */
  readonly hasFitsMeta: boolean;
  readonly columnShapes: ParquetColumnShape[];
  /** Rows of each row group. */
  readonly rowGroupRows: number[];

  private constructor(private readonly file: AsyncBuffer, readonly metadata: FileMetaData) {
    this.numRows = Number(metadata.num_rows);
    this.rowGroupRows = metadata.row_groups.map((g) => Number(g.num_rows));
    const tree = parquetSchema(metadata) as SchemaNode;
    this.columnShapes = tree.children.map((c) => describeParquetColumn(c));
    const stored = metadata.key_value_metadata?.find((kv) => kv.key === FITS_META_KEY)?.value;
    this.hasFitsMeta = stored !== undefined;
    this.meta = stored !== undefined ? decodeTableMeta(stored) : { columns: [], cards: [] };
  }

  /** Open Parquet bytes, or a ByteSource (file, URL). */
  static async open(source: ByteSource | Uint8Array | ArrayBuffer): Promise<ParquetTableReader> {
    const file = source instanceof Uint8Array || source instanceof ArrayBuffer ? memoryBuffer(source) : asyncBufferOf(source);
    let metadata: FileMetaData;
    try {
      metadata = await parquetMetadataAsync(file);
    } catch (e) {
      if (e instanceof FitsError) throw e;
      throw new FitsError('CORRUPT_DATA', `Not a readable Parquet file${(source as ByteSource).name ? ` (${(source as ByteSource).name})` : ''}: ${(e as Error).message}.`, { cause: e });
    }
    return new ParquetTableReader(file, metadata);
  }

  /**
   * Columns that may hold nulls: OPTIONAL in the schema, and with nulls
   * counted in some row group's statistics (or no statistics to say).
   */
  get nullableColumns(): Set<string> {
    const counts = new Map<string, bigint | undefined>();
    for (const g of this.metadata.row_groups) {
      for (const c of g.columns) {
        const name = c.meta_data?.path_in_schema[0];
        if (name === undefined) continue;
        const n = c.meta_data?.statistics?.null_count;
        const prev = counts.has(name) ? counts.get(name) : 0n;
        counts.set(name, prev === undefined || n === undefined ? undefined : prev + BigInt(n));
      }
    }
    return new Set(this.columnShapes.filter((c) => c.nullable && counts.get(c.name) !== 0n).map((c) => c.name));
  }

  /** Column names, in order. */
  get columnNames(): string[] {
    return this.columnShapes.map((c) => c.name);
  }

  private metaOf(name: string): ColumnMeta | undefined {
    return this.hasFitsMeta ? this.meta.columns.find((m) => m.name === name) : undefined;
  }

  /** Rows `start .. end` (end exclusive) of some columns (default all) as a FitsTable. */
  async read(opts: { columns?: readonly string[]; start?: number; end?: number } = {}): Promise<FitsTable> {
    const names = opts.columns ?? this.columnNames;
    for (const n of names) if (!this.columnNames.includes(n)) throw new FitsError('NOT_FOUND', `No column named '${n}'; columns: ${this.columnNames.join(', ')}.`);
    const start = Math.max(0, opts.start ?? 0);
    const end = Math.min(this.numRows, opts.end ?? this.numRows);
    if (end <= start) {
      return new FitsTable(names.map((n) => columnFromParquet([], this.columnShapes.find((s) => s.name === n)!, this.metaOf(n))), 0);
    }
    const chunks = new Map<string, { at: number; data: ArrayLike<unknown> }[]>();
    try {
      await parquetRead({
        file: this.file,
        metadata: this.metadata,
        columns: [...names],
        rowStart: start,
        rowEnd: end,
        compressors: COMPRESSORS,
        onChunk: (c) => {
          let list = chunks.get(c.columnName);
          if (!list) chunks.set(c.columnName, (list = []));
          list.push({ at: c.rowStart, data: c.columnData });
        },
      });
    } catch (e) {
      const msg = (e as Error).message ?? String(e);
      if (/compressor|codec/i.test(msg)) {
        throw new FitsError('UNSUPPORTED', `${msg}: fitsflow reads SNAPPY, GZIP and uncompressed Parquet; rewrite the file with one of them (e.g. DuckDB: COPY … TO 'out.parquet' (COMPRESSION snappy)).`, { cause: e });
      }
      throw new FitsError('CORRUPT_DATA', `Reading the Parquet file failed: ${msg}`, { cause: e });
    }
    const n = end - start;
    const columns = names.map((name) => {
      const parts = (chunks.get(name) ?? []).sort((a, b) => a.at - b.at);
      const rows = joinRows(parts, start, n, name);
      return columnFromParquet(rows, this.columnShapes.find((s) => s.name === name)!, this.metaOf(name));
    });
    return new FitsTable(columns, n);
  }

  /** The table batch by batch (one row group each, or `rows` rows), for bounded memory. */
  async *batches(opts: { columns?: readonly string[]; rows?: number } = {}): AsyncGenerator<FitsTable> {
    let start = 0;
    if (opts.rows !== undefined) {
      if (!(opts.rows >= 1)) throw new FitsError('BAD_ARGUMENT', `rows per batch must be ≥ 1 (got ${opts.rows}).`);
      for (; start < this.numRows; start += opts.rows) yield await this.read({ columns: opts.columns, start, end: start + opts.rows });
      return;
    }
    for (const g of this.rowGroupRows) {
      if (g > 0) yield await this.read({ columns: opts.columns, start, end: start + g });
      start += g;
    }
  }
}

/** Concatenate decoded chunks covering rows [start, start + n). */
function joinRows(parts: { at: number; data: ArrayLike<unknown> }[], start: number, n: number, name: string): ArrayLike<unknown> {
  if (parts.length === 1 && parts[0]!.at === start && parts[0]!.data.length === n) return parts[0]!.data;
  const out: unknown[] = new Array(n);
  let filled = 0;
  for (const p of parts) {
    const a = Math.max(p.at, start);
    const b = Math.min(p.at + p.data.length, start + n);
    for (let r = a; r < b; r++) out[r - start] = p.data[r - p.at];
    filled += Math.max(0, b - a);
  }
  if (filled < n) throw new FitsError('CORRUPT_DATA', `Column '${name}': the file holds ${filled} of ${n} rows.`);
  return out;
}

/** Read a whole Parquet file (bytes or a ByteSource) as one FitsTable, with its FITS description. */
export async function readParquet(source: ByteSource | Uint8Array | ArrayBuffer, opts: { columns?: readonly string[] } = {}): Promise<{ table: FitsTable; meta: TableMeta }> {
  const r = await ParquetTableReader.open(source);
  const table = await r.read(opts);
  return { table, meta: r.hasFitsMeta ? r.meta : tableMetaFromColumns(table.columns) };
}
