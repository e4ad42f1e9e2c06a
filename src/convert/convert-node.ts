/**
 * Node (and Deno, Bun) adapters of the converters: files through node:fs
 * (outputs written to a temporary file and renamed into place on success),
 * paths or URLs through the library's sources (http(s), s3 where installed).
 */
import { open } from '../index.node.js';
import { createFitsWriter } from '../write/create-node.js';
import { NodeFileSink } from '../write/node-sink.js';
import { resolveSource } from '../io/resolve-source.js';
import type { FitsTable } from '../table/fits-table.js';
import type { ConvertIo } from './convert.js';
import { writeParquet, type ByteOutput, type ParquetFileSummary, type ParquetWriteOptions } from './parquet.js';

/** A crash-safe file output (temporary file, renamed on close). */
export async function fileOutput(path: string): Promise<ByteOutput> {
  return NodeFileSink.create(path, { fsync: false });
}

/** The Node file system and remote sources, for {@link convertTable}. */
export function nodeConvertIo(): ConvertIo {
  return {
    openFits: (path) => open(path),
    openSource: (path) => resolveSource(path),
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
