/**
 * Row groups for hyparquet-writer's ParquetWriter, with a fast path for flat,
 * non-null columns of fixed-width numbers (INT32 family, INT64, FLOAT,
 * DOUBLE): their PLAIN pages are the typed arrays' little-endian bytes,
 * copied whole (then snappy-compressed), and min/max are computed on the
 * arrays — where hyparquet-writer visits every value as a JS value, which for
 * int64 means one bigint per row (measured: ~5× slower on such columns, see
 * RESULTS-parquet.md). Every other column goes through hyparquet-writer's own
 * encoder (dremel levels, dictionaries).
 *
 * Uses hyparquet-writer internals (datapage, column, dremel, schema, snappy);
 * the dependency is pinned to 0.17.0 for that reason.
 */
import type { ColumnChunk, OffsetIndex, SchemaElement, SchemaTree } from 'hyparquet';
import type { ParquetWriter } from 'hyparquet-writer';
import { writePageHeader } from 'hyparquet-writer/src/datapage.js';
import { writeColumn } from 'hyparquet-writer/src/column.js';
import { encodeNestedValues } from 'hyparquet-writer/src/dremel.js';
import { schemaPathResolver } from 'hyparquet-writer/src/schema.js';
import { snappyCompress } from 'hyparquet-writer/src/snappy.js';

/** One column of a row group: its name, values, and how to encode it. */
export interface RowGroupColumn {
  name: string;
  /** A typed array (flat columns) or one JS value per row. */
  data: ArrayLike<unknown>;
  encoding?: 'PLAIN';
  statistics: boolean;
}

const PAGE_BYTES = 1 << 20;
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type Physical = Int32Array | BigInt64Array | Float32Array | Float64Array;

/** The physical array of a flat column, if the fast path can write it. */
function physicalOf(data: ArrayLike<unknown>, element: SchemaElement): Physical | undefined {
  if (!littleEndian) return undefined;
  const ct = element.converted_type;
  switch (element.type) {
    case 'INT64':
      return data instanceof BigInt64Array && ct === undefined ? data : undefined;
    case 'DOUBLE':
      return data instanceof Float64Array ? data : undefined;
    case 'FLOAT':
      return data instanceof Float32Array ? data : undefined;
    case 'INT32':
      if (data instanceof Int32Array && ct === undefined) return data;
      // 8/16-bit integers (flags, classes) go through the library: its dictionaries make them small.
      return undefined;
    default:
      return undefined;
  }
}

/** min/max (NaN skipped, −0 as min and +0 as max, as the Parquet spec asks) of a physical array. */
function statisticsOf(a: Physical): { min_value?: number | bigint; max_value?: number | bigint; null_count: bigint; nan_count?: bigint } {
  const n = a.length;
  if (a instanceof BigInt64Array) {
    if (n === 0) return { null_count: 0n };
    const w = new Uint32Array(a.buffer, a.byteOffset, n * 2);
    const hiOf = (i: number) => w[2 * i + 1]! | 0;
    let minI = 0;
    let maxI = 0;
    for (let i = 1; i < n; i++) {
      const h = hiOf(i);
      const l = w[2 * i]!;
      const hm = hiOf(minI);
      if (h < hm || (h === hm && l < w[2 * minI]!)) minI = i;
      const hx = hiOf(maxI);
      if (h > hx || (h === hx && l > w[2 * maxI]!)) maxI = i;
    }
    return { min_value: a[minI]!, max_value: a[maxI]!, null_count: 0n };
  }
  let min = Infinity;
  let max = -Infinity;
  let nan = 0;
  for (let i = 0; i < n; i++) {
    const v = a[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    if (v !== v) nan++;
  }
  const float = !(a instanceof Int32Array);
  const out: { min_value?: number; max_value?: number; null_count: bigint; nan_count?: bigint } = { null_count: 0n };
  if (float) out.nan_count = BigInt(nan);
  if (min <= max) {
    out.min_value = min === 0 ? -0 : min;
    out.max_value = max === 0 ? 0 : max;
  }
  return out;
}

/** Write a flat column's chunk: PLAIN data pages of about 1 MiB. */
function writeFlatColumn(pq: ParquetWriter, element: SchemaElement, name: string, values: Physical, codecAsked: string, stats: boolean): { chunk: ColumnChunk; offsetIndex?: OffsetIndex } {
  const writer = pq.writer;
  let codec = codecAsked;
  const offsetStart = writer.offset;
  const width = values.BYTES_PER_ELEMENT;
  const per = Math.max(1, Math.floor(PAGE_BYTES / width));
  const n = values.length;
  let uncompressed = 0;
  let pages = 0;
  const locations: OffsetIndex['page_locations'] = [];
  const dataPageOffset = BigInt(writer.offset);
  for (let start = 0; start < n || (n === 0 && pages === 0); start += per) {
    const count = Math.min(per, n - start);
    const bytes = new Uint8Array(values.buffer, values.byteOffset + start * width, count * width);
    // Snappy (in JS, ~50 MB/s here) saves little on noisy numbers and costs
    // time: a chunk whose first 64 KiB shrink by less than a quarter is stored
    // uncompressed (the codec is per chunk).
    if (pages === 0 && codec === 'SNAPPY') {
      const sample = bytes.subarray(0, 1 << 16);
      if (snappyCompress(sample).length > 0.75 * sample.length) codec = 'UNCOMPRESSED';
    }
    const data = codec === 'SNAPPY' ? snappyCompress(bytes) : bytes;
    const pageOffset = writer.offset;
    const headerStart = writer.offset;
    writePageHeader(writer, {
      type: 'DATA_PAGE_V2',
      uncompressed_page_size: bytes.length,
      compressed_page_size: data.length,
      data_page_header_v2: {
        num_values: count,
        num_nulls: 0,
        num_rows: count,
        encoding: 'PLAIN',
        definition_levels_byte_length: 0,
        repetition_levels_byte_length: 0,
        is_compressed: codec !== 'UNCOMPRESSED',
      },
    });
    uncompressed += writer.offset - headerStart + bytes.length;
    // The page bytes (the column's own memory, or snappy's output) go out without a copy where the writer can.
    const large = (writer as { appendLarge?: (b: Uint8Array) => void }).appendLarge;
    if (large) large.call(writer, data);
    else writer.appendBytes(data);
    locations.push({ offset: BigInt(pageOffset), compressed_page_size: writer.offset - pageOffset, first_row_index: BigInt(start) });
    pages++;
  }
  const statistics = stats ? statisticsOf(values) : undefined;
  const chunk: ColumnChunk = {
    meta_data: {
      type: element.type!,
      encodings: ['PLAIN'],
      path_in_schema: [name],
      codec: codec as 'SNAPPY',
      num_values: BigInt(n),
      total_compressed_size: BigInt(writer.offset - offsetStart),
      total_uncompressed_size: BigInt(uncompressed),
      data_page_offset: dataPageOffset,
      statistics: statistics as never,
      encoding_stats: stats ? [{ page_type: 'DATA_PAGE_V2', encoding: 'PLAIN', count: pages }] : undefined,
    },
    file_offset: BigInt(offsetStart),
  };
  return pages > 1 ? { chunk, offsetIndex: { page_locations: locations } } : { chunk };
}

function leafPaths(path: SchemaTree[]): SchemaTree[][] {
  const out: SchemaTree[][] = [];
  const dfs = (p: SchemaTree[]) => {
    const node = p[p.length - 1]!;
    if (!node.children.length) out.push(p);
    else for (const c of node.children) dfs([...p, c]);
  };
  dfs(path);
  return out;
}

const resolvers = new WeakMap<ParquetWriter, (path: string[]) => SchemaTree[]>();

/**
 * Append one row group of `rows` rows to a ParquetWriter (the columns in
 * schema order), then flush the writer (which hands the bytes to the output).
 */
export async function writeRowGroup(pq: ParquetWriter, columns: readonly RowGroupColumn[], rows: number): Promise<void> {
  let resolve = resolvers.get(pq);
  if (!resolve) resolvers.set(pq, (resolve = schemaPathResolver(pq.schema)));
  const start = pq.writer.offset;
  const chunks: ColumnChunk[] = [];
  for (const col of columns) {
    const path = resolve([col.name]);
    const element = path[path.length - 1]!.element;
    const physical = path.length === 2 ? physicalOf(col.data, element) : undefined;
    if (physical) {
      const r = writeFlatColumn(pq, element, col.name, physical, pq.codec, col.statistics);
      chunks.push(r.chunk);
      pq.pendingIndexes.push(r as never);
      continue;
    }
    for (const leaf of leafPaths(path)) {
      const schemaPath = leaf.map((n) => n.element);
      const result = writeColumn({
        writer: pq.writer,
        column: {
          columnName: schemaPath.slice(1).map((s) => s.name).join('.'),
          element: schemaPath[schemaPath.length - 1]!,
          schemaPath,
          codec: pq.codec,
          compressors: pq.compressors,
          stats: col.statistics,
          statisticsTruncateLength: pq.statisticsTruncateLength,
          pageSize: PAGE_BYTES,
          columnIndex: false,
          offsetIndex: true,
          encoding: col.encoding,
        },
        pageData: encodeNestedValues(leaf, col.data as never),
      });
      chunks.push(result.chunk);
      pq.pendingIndexes.push(result as never);
    }
  }
  let total = 0n;
  for (const c of chunks) total += c.meta_data?.total_uncompressed_size ?? 0n;
  pq.num_rows += BigInt(rows);
  pq.row_groups.push({ columns: chunks, total_byte_size: total, num_rows: BigInt(rows), total_compressed_size: BigInt(pq.writer.offset - start) });
  await pq.writer.flush?.();
}
