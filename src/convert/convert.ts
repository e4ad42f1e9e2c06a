/**
 * `convert`: one table between FITS, Parquet, Arrow IPC and CSV, streamed in
 * batches of rows (memory: about one batch) wherever both formats allow it.
 *
 * Runtime-neutral: files are opened and created through a {@link ConvertIo}
 * (src/node/convert.ts gives Node's). The FITS description of the table
 * (table-meta.ts) travels with it; when the input has none (a foreign Parquet,
 * Arrow or CSV file) and the output is FITS, string widths are measured over
 * the whole input first (a pass over its string columns only).
 */
import { FitsError } from '../core/errors.js';
import type { FitsFile } from '../file/fits-file.js';
import type { Hdu } from '../file/hdu.js';
import type { ByteSource } from '../core/byte-source.js';
import type { Column } from '../table/column.js';
import { FitsTable } from '../table/ops/fits-table.js';
import type { FitsWriter } from '../write/writer.js';
import { readArrowIpc, writeArrowIpc } from './arrow-ipc.js';
import { readCsv, writeCsv } from './csv.js';
import { addFitsTableStream } from './fits-out.js';
import { ParquetTableReader, ParquetTableWriter, type ByteOutput } from './parquet.js';
import { tableMetaFromColumns, tableMetaFromHeader, type TableMeta } from './table-meta.js';

/** Table file formats. `arrow` is the Arrow IPC file format, `arrows` the stream format. */
export type TableFormat = 'fits' | 'parquet' | 'arrow' | 'arrows' | 'csv';

/** The format a path's extension names, if any. */
export function formatOfPath(path: string): TableFormat | undefined {
  const p = path.toLowerCase().replace(/[?#].*$/, '').replace(/\.(gz|fz)$/, (m) => (m === '.gz' ? '' : m));
  if (/\.(fits|fit|fts|fz)$/.test(p)) return 'fits';
  if (/\.(parquet|parq|pq)$/.test(p)) return 'parquet';
  if (/\.(arrow|feather|ipc)$/.test(p)) return 'arrow';
  if (/\.arrows$/.test(p)) return 'arrows';
  if (/\.csv$/.test(p)) return 'csv';
  return undefined;
}

/** How convert reaches files. */
export interface ConvertIo {
  /** Open a FITS file to read. */
  openFits(path: string): Promise<FitsFile>;
  /** Open any file's bytes to read (Parquet, Arrow, CSV). */
  openSource(path: string): Promise<ByteSource>;
  /** Create an output file for bytes. */
  createOutput(path: string): Promise<ByteOutput>;
  /** Create a FITS file to write. */
  createFitsWriter(path: string): Promise<FitsWriter>;
}

/** A table as batches: the first (which fixes the columns) and the rest. */
export interface TableStream {
  meta: TableMeta;
  first: FitsTable;
  rest: AsyncIterable<FitsTable>;
  /** Total rows, when known up front. */
  numRows?: number;
  /** Columns whose values may be null in some batch. */
  nullable?: ReadonlySet<string>;
  /** Release the stream's file (also after an error). */
  close(): Promise<void>;
}

/** Options of {@link openTableStream}. */
export interface ReadStreamOptions {
  /** FITS: the HDU (index, or EXTNAME); default the first table. */
  hdu?: number | string;
  /** Columns to keep (all by default). */
  columns?: readonly string[];
  /** Rows per batch (default: ~64 MiB of FITS rows, a Parquet row group). */
  batchRows?: number;
  /** Measure string widths over the whole input when it carries no FITS description. */
  fullMeta?: boolean;
}

async function pickTableHdu(file: FitsFile, spec: number | string | undefined): Promise<Hdu> {
  if (typeof spec === 'number') return file.hdu(spec);
  if (typeof spec === 'string') return file.hdu(spec);
  for await (const hdu of file) if (hdu.kind === 'bintable' || hdu.kind === 'table' || hdu.kind === 'compressed-table') return hdu;
  throw new FitsError('NOT_FOUND', 'The file has no table HDU.');
}

function empty(): AsyncIterable<FitsTable> {
  return { async *[Symbol.asyncIterator]() {} };
}

/** The rest of an async iterator, as an iterable (after its first item was taken). */
function restOf<T>(it: AsyncIterator<T>): AsyncIterable<T> {
  return {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const n = await it.next();
        if (n.done) return;
        yield n.value;
      }
    },
  };
}

function selectMeta(meta: TableMeta, columns: readonly Column[]): TableMeta {
  const names = new Set(columns.map((c) => c.name));
  return { ...meta, columns: meta.columns.filter((m) => names.has(m.name)) };
}

/** Widen string TFORMs of `meta` to hold the strings of `cols`. */
function widenStrings(meta: TableMeta, cols: readonly Column[]): void {
  for (const c of cols) {
    if (c.dtype !== 'string' || c.offsets || !c.cellShape) continue;
    const m = meta.columns.find((x) => x.name === c.name);
    if (!m) continue;
    const per = c.cellShape.reduce((a, b) => a * b, 1);
    let w = 1;
    for (const s of c.data as string[]) w = Math.max(w, s.length);
    const have = /^\s*(\d*)A/i.exec(m.tform);
    const cur = have ? (have[1] ? Number(have[1]) : 1) / Math.max(1, per) : 0;
    if (w > cur) m.tform = `${w * per}A`;
  }
}

/** Open a table file as a stream of batches. */
export async function openTableStream(path: string, format: TableFormat, io: ConvertIo, opts: ReadStreamOptions = {}): Promise<TableStream> {
  if (format === 'fits') {
    const file = await io.openFits(path);
    try {
      const hdu = await pickTableHdu(file, opts.hdu);
      if (hdu.kind !== 'bintable' && hdu.kind !== 'table' && hdu.kind !== 'compressed-table') throw new FitsError('BAD_ARGUMENT', `HDU ${hdu.index} is a ${hdu.kind}, not a table.`);
      const rowBytes = hdu.layout.naxes[0] ?? 1;
      const total = hdu.layout.naxes[1] ?? 0;
      const rows = opts.batchRows ?? Math.max(1024, Math.min(1 << 20, Math.floor((64 << 20) / Math.max(1, rowBytes))));
      const it = hdu.iterateTable({ rows, columns: opts.columns as string[] | undefined })[Symbol.asyncIterator]();
      const n = await it.next();
      const first = n.done ? await hdu.readTable({ columns: opts.columns as string[] | undefined, rows: { start: 0, count: 0 } }) : n.value;
      const meta = tableMetaFromHeader(hdu.tableHeader, first.columns);
      return { meta, first, rest: n.done ? empty() : restOf(it), numRows: total, close: () => file.close() };
    } catch (e) {
      await file.close();
      throw e;
    }
  }
  if (format === 'parquet') {
    const source = await io.openSource(path);
    try {
      const reader = await ParquetTableReader.open(source);
      const columns = opts.columns ?? reader.columnNames;
      const batchOpts = { columns, rows: opts.batchRows };
      const it = reader.batches(batchOpts)[Symbol.asyncIterator]();
      const n = await it.next();
      const first = n.done ? await reader.read({ columns, start: 0, end: 0 }) : n.value;
      let meta: TableMeta;
      if (reader.hasFitsMeta) meta = selectMeta(reader.meta, first.columns);
      else {
        meta = tableMetaFromColumns(first.columns);
        const strings = first.columns.filter((c) => c.dtype === 'string' && !c.offsets).map((c) => c.name);
        if (opts.fullMeta && strings.length) for await (const b of reader.batches({ columns: strings, rows: opts.batchRows })) widenStrings(meta, b.columns);
      }
      const nullable = reader.nullableColumns;
      return { meta, first, rest: n.done ? empty() : restOf(it), numRows: reader.numRows, nullable, close: async () => source.close?.() };
    } catch (e) {
      await source.close?.();
      throw e;
    }
  }
  // CSV and Arrow IPC: read from the whole bytes.
  const source = await io.openSource(path);
  let bytes: Uint8Array;
  try {
    if (source.size > 2 ** 31) throw new FitsError('BAD_SIZE', `${path} is ${source.size} bytes; CSV and Arrow inputs are read whole and must be under 2 GiB (convert it to Parquet with another tool first).`);
    bytes = (await source.read(0, source.size)).slice();
  } finally {
    await source.close?.();
  }
  if (format === 'csv') {
    let table = readCsv(new TextDecoder().decode(bytes));
    if (opts.columns) table = table.select(opts.columns).materialize();
    return { meta: tableMetaFromColumns(table.columns), first: table, rest: empty(), numRows: table.numRows, close: async () => undefined };
  }
  const { meta, batches } = await readArrowIpc(bytes);
  const all: FitsTable[] = [];
  for await (const b of batches) all.push(opts.columns ? b.select(opts.columns).materialize() : b);
  const first = all[0] ?? new FitsTable([], 0);
  let m: TableMeta;
  if (meta) m = selectMeta(meta, first.columns);
  else {
    m = tableMetaFromColumns(first.columns);
    for (const b of all) widenStrings(m, b.columns);
  }
  const nullable = new Set(all.flatMap((b) => b.columns.filter((c) => c.validity).map((c) => c.name)));
  return { meta: m, first, rest: (async function* () { yield* all.slice(1); })(), numRows: all.reduce((a, b) => a + b.numRows, 0), nullable, close: async () => undefined };
}

/** Options of {@link writeTableStream}. */
export interface WriteStreamOptions {
  /** Parquet compression (default SNAPPY). */
  codec?: 'SNAPPY' | 'UNCOMPRESSED';
  /** FITS: the EXTNAME of the table (default: the input's). */
  extname?: string;
  /** Called after each batch with the rows written so far. */
  onProgress?: (rows: number) => void;
}

async function* chain(s: TableStream, count: (n: number) => void): AsyncGenerator<FitsTable> {
  yield s.first;
  count(s.first.numRows);
  for await (const b of s.rest) {
    yield b;
    count(b.numRows);
  }
}

/** Write a table stream to a file of a format; returns the rows written. */
export async function writeTableStream(path: string, format: TableFormat, io: ConvertIo, s: TableStream, opts: WriteStreamOptions = {}): Promise<number> {
  let rows = 0;
  const count = (n: number) => {
    rows += n;
    opts.onProgress?.(rows);
  };
  if (format === 'fits') {
    const w = await io.createFitsWriter(path);
    try {
      const counted = chain(s, count);
      const first = (await counted.next()).value as FitsTable;
      await addFitsTableStream(w, first, { [Symbol.asyncIterator]: () => counted }, s.meta, { extname: opts.extname, nullable: s.nullable });
      await w.close();
    } catch (e) {
      await w.abort(e);
      throw e;
    }
    return rows;
  }
  const out = await io.createOutput(path);
  if (format === 'parquet') {
    const w = new ParquetTableWriter(out, s.first.columns, { meta: s.meta, codec: opts.codec });
    for await (const b of chain(s, count)) await w.write(b);
    await w.close();
    return rows;
  }
  if (format === 'csv') {
    await writeCsv(out, chain(s, count));
    return rows;
  }
  await writeArrowIpc(out, chain(s, count), { meta: s.meta, format: format === 'arrows' ? 'stream' : 'file' });
  return rows;
}

/** Options of {@link convertTable}. */
export interface ConvertOptions extends ReadStreamOptions, WriteStreamOptions {
  /** Formats (default: from the file extensions). */
  from?: TableFormat;
  to?: TableFormat;
}

/**
 * Convert one table file into another format.
 * @example
 * await convertTable('cat.fits', 'cat.parquet', nodeConvertIo());
 */
export async function convertTable(input: string, output: string, io: ConvertIo, opts: ConvertOptions = {}): Promise<{ rows: number; from: TableFormat; to: TableFormat }> {
  const from = opts.from ?? formatOfPath(input);
  const to = opts.to ?? formatOfPath(output);
  if (!from) throw new FitsError('BAD_ARGUMENT', `Cannot tell the format of ${input} from its name; give it (fits, parquet, arrow, arrows, csv).`);
  if (!to) throw new FitsError('BAD_ARGUMENT', `Cannot tell the format of ${output} from its name; give it (fits, parquet, arrow, arrows, csv).`);
  const stream = await openTableStream(input, from, io, { ...opts, fullMeta: opts.fullMeta ?? to === 'fits' });
  try {
    const rows = await writeTableStream(output, to, io, stream, opts);
    return { rows, from, to };
  } finally {
    await stream.close();
  }
}
