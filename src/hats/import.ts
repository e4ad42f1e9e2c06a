/**
 * Import tables (FITS, Parquet, …; one or many files with the same columns)
 * as a HATS catalog, with bounded memory:
 *
 * 1. counting pass: only the RA/Dec columns are read; each row's HEALPix pixel
 *    at the histogram order H is counted (a dense histogram, 4 bytes a pixel);
 *    the rows' `_healpix_29` are kept for pass 3 while they fit a quarter of
 *    the memory budget;
 * 2. partitions are planned from the histogram (partition.ts) and skymap.fits
 *    is written;
 * 3. bucketing pass: every batch of rows is sorted by partition and cut into
 *    pieces held in memory; when they pass the memory budget the largest are
 *    spilled to the spill store (FITS binary-table HDUs, one file per
 *    partition) — so inputs larger than memory work;
 * 4. each partition's pieces are joined, sorted by `_healpix_29` and written as
 *    dataset/Norder=k/Dir=d/Npix=n.parquet (one row group), then
 *    _metadata, _common_metadata, partition_info.csv and hats.properties.
 *
 * `_healpix_29` equals healpy.ang2pix(2**29, ra, dec, nest=True, lonlat=True)
 * (src/healpix); it is the first column of every partition.
 */
import { FitsError } from '../core/errors.js';
import type { Column } from '../table/column.js';
import { FitsTable } from '../table/ops/fits-table.js';
import { ang2pixNestInto } from '../healpix/nested.js';
import { openTableStream, formatOfPath, type ConvertIo, type TableFormat, type TableStream } from '../convert/convert.js';
import { defaultNullable, parquetMetadataFile, ParquetTableWriter, type ByteOutput } from '../convert/parquet.js';
import type { RowGroup } from 'hyparquet';
import type { TableMeta } from '../convert/table-meta.js';
import { adaptivePartitions, fixedOrderPartitions, partitionMap, type PartitionPlan } from './partition.js';
import { formatProperties, hatsDate, partitionInfoCsv, partitionPath, sortPixels, type HatsPixel } from './layout.js';
import { skymapFits } from './skymap.js';
import { argsortInt64, concatInt64, concatTables } from './concat.js';

/** Name of the spatial index column. */
export const HEALPIX_COLUMN = '_healpix_29';

/** A piece of a partition: rows and their `_healpix_29` values. */
export interface PartitionPiece {
  table: FitsTable;
  index: BigInt64Array;
}

/** Where pieces go when memory is full (src/node/hats.ts: temporary FITS files). */
export interface SpillStore {
  /** Keep a piece of a partition until the import writes that partition. */
  append(partition: number, piece: PartitionPiece, meta: TableMeta): Promise<void>;
  /** The pieces spilled for a partition, in order. */
  read(partition: number): AsyncIterable<PartitionPiece>;
  /** Remove everything. */
  dispose(): Promise<void>;
}

/** How the import reaches files. */
export interface HatsIo extends ConvertIo {
  /** Write a whole file (creating directories). */
  writeFile(path: string, bytes: Uint8Array): Promise<void>;
  /** A byte output for a file (creating directories). */
  createOutput(path: string): Promise<ByteOutput>;
  /** A fresh spill store. */
  createSpill(): Promise<SpillStore>;
  /** `a/b` joined with the platform's separator. */
  join(...parts: string[]): string;
}

/** Options of {@link importHats}. */
export interface HatsImportOptions {
  /** Right ascension and declination columns (degrees). */
  ra: string;
  dec: string;
  /** Adaptive partitions of at most this many rows (default 1,000,000, as hats-import). */
  maxRows?: number;
  /** Instead: every partition at this order. */
  order?: number;
  /** Order of the counting histogram and of skymap.fits: the deepest partitions (default 10, at most 12). */
  histogramOrder?: number;
  /** Shallowest partition order (default 0). */
  lowestOrder?: number;
  /** obs_collection (default: the output directory's name). */
  catalogName?: string;
  /** Memory for buffered rows before spilling, in bytes (default 1 GiB). */
  memoryBytes?: number;
  /** Rows read per batch. */
  batchRows?: number;
  /** FITS inputs: the table HDU. */
  hdu?: number | string;
  /** Input format (default: from each file's extension). */
  from?: TableFormat;
  codec?: 'SNAPPY' | 'UNCOMPRESSED';
  /** Columns with min/max statistics, or all (true) / none (false). Default: _healpix_29, RA and Dec. */
  statistics?: boolean | readonly string[];
  /** Progress: phase, items done, total when known. */
  onProgress?: (phase: 'count' | 'bucket' | 'write', done: number, total?: number) => void;
  /** hats_builder value. */
  builder?: string;
}

/** What an import produced. */
export interface HatsImportResult {
  rows: number;
  partitions: (HatsPixel & { rows: number })[];
  histogramOrder: number;
  /** Bytes of the partition files. */
  bytes: number;
  spilledPieces: number;
}

function numericColumn(t: FitsTable, name: string, what: string): ArrayLike<number> {
  const i = t.columnIndex(name);
  if (i < 0) throw new FitsError('NOT_FOUND', `No ${what} column '${name}'; columns: ${t.columnNames.join(', ')}.`);
  const c = t.columns[i]!;
  if (c.validity) {
    for (let r = 0; r < c.length; r++) {
      if (((c.validity[r >>> 3]! >>> (r & 7)) & 1) === 0) throw new FitsError('BAD_ARGUMENT', `The ${what} column '${name}' is null in a row; every row needs a position (filter those rows out first).`);
    }
  }
  if (c.cellShape === null || c.cellShape.length > 0 || c.dtype === 'string' || c.dtype === 'bool' || c.dtype.startsWith('complex') || c.dtype.endsWith('64') && c.dtype !== 'float64') {
    throw new FitsError('BAD_ARGUMENT', `The ${what} column '${name}' must hold one real number per row (it is ${c.dtype}${c.cellShape && c.cellShape.length ? ` cells of [${c.cellShape}]` : ''}).`);
  }
  return c.data as ArrayLike<number>;
}

async function* batchesOf(s: TableStream): AsyncGenerator<FitsTable> {
  yield s.first;
  yield* s.rest;
}

/** Rough memory of a table's columns. */
function tableBytes(t: FitsTable): number {
  let b = 0;
  for (const c of t.columns) {
    if (c.strings) b += c.strings.bytes.length;
    else if (Array.isArray(c.data)) b += c.data.length * 24 + c.data.reduce((a, s) => a + s.length * 2, 0);
    else b += (c.data as { byteLength: number }).byteLength;
    if (c.offsets) b += c.offsets.byteLength;
  }
  return b + t.numRows * 8;
}

/** The kept batches' tables, each released once handed out. */
async function* keptTables(kept: { table?: FitsTable; index: BigInt64Array; bytes: number }[]): AsyncGenerator<FitsTable> {
  for (const k of kept) {
    const t = k.table!;
    delete k.table;
    yield t;
  }
}

/** keys[idx[i]] for every i, copied as 32-bit word pairs (no bigint per element). */
function gatherInt64(keys: BigInt64Array, idx: Uint32Array): BigInt64Array {
  const out = new BigInt64Array(idx.length);
  const src = new Uint32Array(keys.buffer, keys.byteOffset, keys.length * 2);
  const dst = new Uint32Array(out.buffer);
  for (let i = 0; i < idx.length; i++) {
    const j = idx[i]! * 2;
    dst[2 * i] = src[j]!;
    dst[2 * i + 1] = src[j + 1]!;
  }
  return out;
}

/** Import input tables as a HATS catalog in `outDir`. */
export async function importHats(inputs: readonly string[], outDir: string, io: HatsIo, opts: HatsImportOptions): Promise<HatsImportResult> {
  if (inputs.length === 0) throw new FitsError('BAD_ARGUMENT', 'No input files.');
  if (opts.maxRows !== undefined && opts.order !== undefined) throw new FitsError('BAD_ARGUMENT', 'Give either a maximum number of rows per partition or a fixed order, not both.');
  const H = opts.histogramOrder ?? Math.max(10, opts.order ?? 0);
  if (!Number.isInteger(H) || H < 0 || H > 12) throw new FitsError('BAD_ARGUMENT', `The histogram order must be an integer from 0 to 12 (a dense histogram at order 12 takes 800 MB), not ${H}.`);
  const formatOf = (p: string): TableFormat => {
    const f = opts.from ?? formatOfPath(p);
    if (!f) throw new FitsError('BAD_ARGUMENT', `Cannot tell the format of ${p} from its name.`);
    return f;
  };
  const shift = 2 * (29 - H) - 32; // pixel at order H = high word of the order-29 index >> shift
  const progress = opts.onProgress ?? (() => undefined);

  // ---- 1. counting pass
  const histogram = new Uint32Array(12 * 4 ** H);
  let total = 0;
  const budget = opts.memoryBytes ?? 1 << 30;
  // Both passes read batches of the same rows. While the whole input fits the
  // memory budget the counting pass keeps every batch (and its _healpix_29),
  // and the bucketing pass reads nothing again; past the budget only the
  // _healpix_29 arrays are kept while they fit a quarter of it (8 bytes a
  // row), and beyond that they are recomputed.
  const batchRows = opts.batchRows ?? 1 << 18;
  let kept: { table?: FitsTable; index: BigInt64Array; bytes: number }[] | undefined = [];
  let keepTables = true;
  let keptBytes = 0;
  let meta: TableMeta | undefined;
  let columnsKey = '';
  const nullable = new Set<string>();
  const checkColumns = (st: TableStream, path: string) => {
    const key = st.first.columns.filter((c) => c.name !== HEALPIX_COLUMN).map((c) => `${c.name}:${c.dtype}:${JSON.stringify(c.cellShape)}`).join(',');
    if (!meta) {
      meta = { ...st.meta, columns: st.meta.columns.filter((m) => m.name !== HEALPIX_COLUMN) };
      columnsKey = key;
    } else if (key !== columnsKey) {
      throw new FitsError('BAD_ARGUMENT', `${path} does not have the columns of ${inputs[0]} (same names, types and shapes, in order).`);
    }
    for (const n of st.nullable ?? []) nullable.add(n);
  };
  const checked = new Set<string>();
  for (const path of inputs) {
    const allColumns = keepTables;
    const s = await openTableStream(path, formatOf(path), io, { hdu: opts.hdu, columns: allColumns ? undefined : [opts.ra, opts.dec], batchRows });
    try {
      if (allColumns) {
        checkColumns(s, path);
        checked.add(path);
      }
      for await (let b of batchesOf(s)) {
        const n = b.numRows;
        const index = new BigInt64Array(n);
        ang2pixNestInto(29, numericColumn(b, opts.ra, 'RA'), numericColumn(b, opts.dec, 'Dec'), index, 0, n);
        const words = new Uint32Array(index.buffer, 0, 2 * n);
        const hi = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
        for (let i = 0; i < n; i++) histogram[words[2 * i + hi]! >>> shift]!++;
        if (kept && keepTables) {
          if (b.columnIndex(HEALPIX_COLUMN) >= 0) b = b.select(b.columnNames.filter((x) => x !== HEALPIX_COLUMN));
          const bytes = tableBytes(b) + index.byteLength;
          keptBytes += bytes;
          if (keptBytes <= budget) kept.push({ table: b, index, bytes });
          else {
            // Too big to keep whole: keep the indices only (if they fit), read the rows again later.
            keepTables = false;
            for (const k of kept) {
              delete k.table;
              k.bytes = k.index.byteLength;
            }
            kept.push({ index, bytes: index.byteLength });
            keptBytes = kept.reduce((x, k) => x + k.bytes, 0);
          }
        } else if (kept) {
          keptBytes += index.byteLength;
          kept.push({ index, bytes: index.byteLength });
        }
        if (kept && !keepTables && keptBytes > budget / 4) kept = undefined;
        total += n;
        progress('count', total, undefined);
      }
    } finally {
      await s.close();
    }
  }
  if (total === 0) throw new FitsError('BAD_ARGUMENT', 'The inputs have no rows: a HATS catalog needs at least one.');

  // ---- 2. plan + skymap
  const plan: PartitionPlan = opts.order !== undefined
    ? fixedOrderPartitions(histogram, H, opts.order)
    : adaptivePartitions(histogram, H, opts.maxRows ?? 1_000_000, opts.lowestOrder ?? 0);
  await io.writeFile(io.join(outDir, 'skymap.fits'), skymapFits(histogram, H));

  // ---- 3. bucketing pass
  const nParts = plan.partitions.length;
  // Partition of each row: its pixel at the deepest partition order M, looked up in a small table.
  const { order: mapOrder, map: partitionOf } = partitionMap(plan.partitions);
  const mapShift = 2 * (29 - mapOrder) - 32;
  const buffers: PartitionPiece[][] = Array.from({ length: nParts }, () => []);
  const bufferedBytes = new Float64Array(nParts);
  let buffered = 0;
  let spill: SpillStore | undefined;
  let spilled = 0;
  const spilledParts = new Set<number>();
  let done = 0;
  let batchNo = 0;
  // Pieces may use what the kept batches do not (they give it back as they are bucketed).
  let keptLeft = kept ? keptBytes : 0;
  const inMemory = kept !== undefined && keepTables;
  const sources: (string | undefined)[] = inMemory ? [undefined] : [...inputs];
  for (const path of sources) {
    // Batches of ~256k rows: memory beyond the budget is about one batch.
    const s: TableStream | undefined = path === undefined ? undefined : await openTableStream(path, formatOf(path), io, { hdu: opts.hdu, batchRows });
    try {
      if (s && path !== undefined && !checked.has(path)) checkColumns(s, path);
      const batches: AsyncIterable<FitsTable> = s ? batchesOf(s) : keptTables(kept!);
      for await (let b of batches) {
        if (b.columnIndex(HEALPIX_COLUMN) >= 0) b = b.select(b.columnNames.filter((n) => n !== HEALPIX_COLUMN));
        const n = b.numRows;
        let index = kept?.[batchNo++]?.index;
        if (!index || index.length !== n) {
          index = new BigInt64Array(n);
          ang2pixNestInto(29, numericColumn(b, opts.ra, 'RA'), numericColumn(b, opts.dec, 'Dec'), index, 0, n);
        }
        const words = new Uint32Array(index.buffer);
        const hi = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
        // Counting sort of the rows by partition.
        const part = new Int32Array(n);
        const counts = new Uint32Array(nParts + 1);
        for (let i = 0; i < n; i++) {
          const p = partitionOf[words[2 * i + hi]! >>> mapShift]!;
          part[i] = p;
          counts[p + 1]!++;
        }
        for (let p = 0; p < nParts; p++) counts[p + 1]! += counts[p]!;
        const starts = counts.slice();
        const perm = new Uint32Array(n);
        for (let i = 0; i < n; i++) perm[starts[part[i]!]!++] = i;
        // One gather per partition: each piece owns its arrays, so a spilled piece frees its memory.
        const batchBytes = tableBytes(b) + n * 8;
        if (kept) {
          keptLeft -= kept[batchNo - 1]!.bytes;
          kept[batchNo - 1] = { index: new BigInt64Array(0), bytes: 0 }; // used: let it go
        }
        const pieceBudget = budget - keptLeft;
        for (let p = 0; p < nParts; p++) {
          const a = counts[p]!;
          const e = counts[p + 1]!;
          if (e === a) continue;
          const rowsOf = perm.subarray(a, e);
          buffers[p]!.push({ table: b.take(rowsOf).materialize(), index: gatherInt64(index, rowsOf) });
          const share = (batchBytes * (e - a)) / n;
          bufferedBytes[p]! += share;
          buffered += share;
        }
        done += n;
        progress('bucket', done, total);
        if (buffered > pieceBudget) {
          // Spill the biggest buffers until half the budget is free.
          spill ??= await io.createSpill();
          const order = Array.from({ length: nParts }, (_, p) => p).sort((x, y) => bufferedBytes[y]! - bufferedBytes[x]!);
          for (const p of order) {
            if (buffered <= pieceBudget / 2 || bufferedBytes[p] === 0) break;
            for (const piece of buffers[p]!) {
              await spill.append(p, piece, meta!);
              spilled++;
            }
            spilledParts.add(p);
            buffered -= bufferedBytes[p]!;
            bufferedBytes[p] = 0;
            buffers[p] = [];
          }
        }
      }
    } finally {
      await s?.close();
    }
  }
  if (done !== total) throw new FitsError('CHANGED', `The inputs had ${total} rows when counted and ${done} when read again; did a file change during the import?`);

  // ---- 4. partitions, then the catalog's metadata files
  const rowGroups: RowGroup[] = [];
  let bytes = 0;
  const fullMeta: TableMeta = {
    ...meta!,
    columns: [{ name: HEALPIX_COLUMN, dtype: 'int64', tform: 'K', shape: [], description: 'HEALPix nested pixel at order 29 (HATS spatial index)' }, ...meta!.columns],
  };
  const metaOf = new Map(fullMeta.columns.map((m) => [m.name, m]));
  const isNullable = (c: Column) => c.name !== HEALPIX_COLUMN && (nullable.has(c.name) || defaultNullable(c, metaOf.get(c.name)));
  let summarySchema: Parameters<typeof parquetMetadataFile>[0] | undefined;
  let kv: Parameters<typeof parquetMetadataFile>[2] = [];
  const datasetDir = io.join(outDir, 'dataset');
  for (let p = 0; p < nParts; p++) {
    const pixel = plan.partitions[p]!;
    const pieces: PartitionPiece[] = [];
    if (spill && spilledParts.has(p)) for await (const piece of spill.read(p)) pieces.push(piece);
    pieces.push(...buffers[p]!);
    buffers[p] = [];
    const joined = concatTables(pieces.map((x) => x.table));
    const index = concatInt64(pieces.map((x) => x.index));
    if (joined.numRows !== pixel.rows) throw new FitsError('CHANGED', `Partition ${partitionPath(pixel)} has ${joined.numRows} rows; ${pixel.rows} were counted. Did an input change during the import?`);
    const order = argsortInt64(index);
    const rows = joined.take(order).materialize();
    const sortedIndex = gatherInt64(index, order);
    const healpixColumn: Column = { name: HEALPIX_COLUMN, dtype: 'int64', format: 'K', cellShape: [], length: rows.numRows, data: sortedIndex };
    const table = new FitsTable([healpixColumn, ...rows.columns], rows.numRows);
    const rel = partitionPath(pixel);
    const w = new ParquetTableWriter(await io.createOutput(io.join(datasetDir, ...rel.split('/'))), table.columns, {
      meta: fullMeta,
      nullable: isNullable,
      codec: opts.codec,
      // Statistics where readers filter (the spatial index and positions): the others cost time for little use.
      statistics: opts.statistics ?? [HEALPIX_COLUMN, opts.ra, opts.dec],
      rowGroupRows: Math.max(1, rows.numRows),
    });
    await w.write(table);
    const summary = await w.close();
    bytes += summary.bytes;
    summarySchema ??= summary.schema;
    kv = summary.keyValues;
    for (const g of summary.rowGroups) rowGroups.push({ ...g, columns: g.columns.map((c) => ({ ...c, file_path: rel })) });
    progress('write', p + 1, nParts);
  }
  await spill?.dispose();
  await io.writeFile(io.join(datasetDir, '_metadata'), parquetMetadataFile(summarySchema!, rowGroups, kv));
  await io.writeFile(io.join(datasetDir, '_common_metadata'), parquetMetadataFile(summarySchema!, [], kv));

  const pixels = sortPixels(plan.partitions.map((x) => ({ order: x.order, pixel: x.pixel })));
  await io.writeFile(io.join(outDir, 'partition_info.csv'), new TextEncoder().encode(partitionInfoCsv(pixels)));
  const skyFraction = pixels.reduce((a, x) => a + 1 / (12 * 4 ** x.order), 0);
  const name = opts.catalogName ?? outDir.replace(/[/\\]+$/, '').split(/[/\\]/).pop() ?? 'catalog';
  const props = new Map<string, string | number>([
    ['obs_collection', name],
    ['dataproduct_type', 'object'],
    ['hats_nrows', total],
    ['hats_col_ra', opts.ra],
    ['hats_col_dec', opts.dec],
    ['hats_col_healpix', HEALPIX_COLUMN],
    ['hats_col_healpix_order', 29],
    ['hats_npix_suffix', '.parquet'],
    ['hats_skymap_order', H],
    ['hats_builder', opts.builder ?? 'fitsflow'],
    ['hats_creation_date', hatsDate()],
    ['hats_estsize', Math.ceil(bytes / 1024)],
    ['hats_release_date', '2025-08-22'],
    ['hats_version', 'v1.0'],
  ]);
  if (opts.order === undefined) props.set('hats_max_rows', opts.maxRows ?? 1_000_000);
  props.set('hats_order', Math.max(...pixels.map((x) => x.order)));
  props.set('moc_sky_fraction', skyFraction.toFixed(5));
  const propsText = new TextEncoder().encode(formatProperties(props));
  await io.writeFile(io.join(outDir, 'hats.properties'), propsText);
  await io.writeFile(io.join(outDir, 'properties'), propsText);
  return { rows: total, partitions: plan.partitions, histogramOrder: H, bytes, spilledPieces: spilled };
}
