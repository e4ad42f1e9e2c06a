/**
 * Node (and Deno, Bun) adapters of the converters: files through node:fs
 * (outputs written to a temporary file and renamed into place on success),
 * paths or URLs through the library's sources (http(s), s3 where installed).
 */
import { openFits } from '../file/fits-file.js';
import { createFitsWriter } from './create-writer.js';
import { NodeFileSink } from './file-sink.js';
import { resolveSource } from '../file/resolve-source.js';
import type { FitsTable } from '../table/ops/fits-table.js';
import type { ConvertIo } from '../convert/convert.js';
import { writeParquet, type ByteOutput, type ParquetFileSummary, type ParquetWriteOptions } from '../convert/parquet.js';
import { createNodeRuntime } from './runtime.js';

/** The converters read on this thread (no worker pool). */
const convertRuntime = createNodeRuntime({ workers: 0 });

/** A crash-safe file output (temporary file, renamed on close). */
export async function fileOutput(path: string): Promise<ByteOutput> {
  return NodeFileSink.create(path, { fsync: false });
}

/** The Node file system and remote sources, for {@link convertTable}. */
export function nodeConvertIo(): ConvertIo {
  return {
    openFits: (path) => openFits(path, {}, convertRuntime),
    openSource: (path) => resolveSource(path, convertRuntime),
    createOutput: fileOutput,
    createFitsWriter: (path) => createFitsWriter(path),
  };
}

/**
 * Write a table as a Parquet file (what `--format parquet` outputs call).
 * @example
 * await writeTableParquet(table, 'result.parquet');
 */
export async function writeTableParquet(table: FitsTable, path: string, opts: ParquetWriteOptions = {}): Promise<ParquetFileSummary> {
  return writeParquet(await fileOutput(path), table.materialize(), opts);
}
