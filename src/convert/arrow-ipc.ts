/**
 * FITS tables ⇄ Arrow IPC (the file format `.arrow`/`.feather` v2, or the
 * stream format `.arrows`), through apache-arrow (an optional peer
 * dependency, imported on first use) and the library's column ⇄ Arrow mapping
 * (src/table/arrow.ts). The table's FITS description is kept in the schema's
 * metadata under `fits:table`; each field also carries its own fits:* keys.
 */
import { FitsError } from '../core/errors.js';
import { arrowToColumns, columnsToArrow, type ArrowModule } from '../arrow/arrow.js';
import { FitsTable } from '../table/ops/fits-table.js';
import type { ByteOutput } from './parquet.js';
import { decodeTableMeta, encodeTableMeta, FITS_META_KEY, tableMetaFromColumns, type TableMeta } from './table-meta.js';

/** Load apache-arrow (FitsError UNSUPPORTED with the install command when it is missing). */
export async function loadArrow(): Promise<ArrowModule> {
  try {
    return (await import('apache-arrow')) as ArrowModule;
  } catch (e) {
    throw new FitsError('UNSUPPORTED', 'Arrow IPC needs the apache-arrow package: npm install apache-arrow.', { cause: e });
  }
}

/** Options of {@link writeArrowIpc}. */
export interface ArrowWriteOptions {
  /** 'file' (random access, `.arrow`, default) or 'stream' (`.arrows`). */
  format?: 'file' | 'stream';
  /** The table's FITS description (default: from the first batch's columns). */
  meta?: TableMeta;
  /** The apache-arrow module (default: imported). */
  arrow?: ArrowModule;
}

/** Write batches of one table as Arrow IPC to an output; returns the number of rows. */
export async function writeArrowIpc(output: ByteOutput, batches: AsyncIterable<FitsTable> | Iterable<FitsTable>, opts: ArrowWriteOptions = {}): Promise<number> {
  const A = opts.arrow ?? (await loadArrow());
  const writer = opts.format === 'stream' ? new A.RecordBatchStreamWriter() : new A.RecordBatchFileWriter();
  // Drain the writer's output while batches are written.
  const pump = (async () => {
    for await (const chunk of writer) await output.write(chunk);
  })();
  let rows = 0;
  let schema: InstanceType<ArrowModule['Schema']> | undefined;
  try {
    for await (const t of batches) {
      const table = columnsToArrow(A, t.columns, t.numRows);
      if (!schema) {
        const meta = opts.meta ?? tableMetaFromColumns(t.columns);
        schema = new A.Schema(table.schema.fields, new Map([[FITS_META_KEY, encodeTableMeta(meta)]]));
      }
      for (const b of table.batches) writer.write(new A.RecordBatch(schema, b.data));
      rows += t.numRows;
    }
    writer.finish();
    await pump;
    await output.close();
  } catch (e) {
    writer.abort?.();
    await pump.catch(() => undefined);
    await output.abort(e);
    throw e;
  }
  return rows;
}

/** Batches of an Arrow IPC file or stream (bytes, or chunks of them), with the table's FITS description. */
export async function readArrowIpc(source: Uint8Array | AsyncIterable<Uint8Array>, opts: { arrow?: ArrowModule } = {}): Promise<{ meta: TableMeta | undefined; batches: AsyncGenerator<FitsTable> }> {
  const A = opts.arrow ?? (await loadArrow());
  // The reader's sync and async variants share what is used here.
  type Reader = { open(): unknown; schema: { metadata: Map<string, string> } } & (Iterable<unknown> | AsyncIterable<unknown>);
  let reader: Reader;
  try {
    reader = (await A.RecordBatchReader.from(source as Uint8Array)) as unknown as Reader;
    await reader.open();
  } catch (e) {
    throw new FitsError('CORRUPT_DATA', `Not a readable Arrow IPC file or stream: ${(e as Error).message}`, { cause: e });
  }
  const stored = reader.schema.metadata.get(FITS_META_KEY);
  const meta = stored !== undefined ? decodeTableMeta(stored) : undefined;
  async function* batches(): AsyncGenerator<FitsTable> {
    for await (const b of reader as AsyncIterable<InstanceType<ArrowModule['RecordBatch']>>) {
      const { columns, numRows } = arrowToColumns(new A.Table(b));
      yield new FitsTable(columns, numRows);
    }
  }
  return { meta, batches: batches() };
}
