/**
 * Table conversion (the `fitsflow/convert` entry): FITS tables ⇄ Parquet,
 * Arrow IPC and CSV, with the FITS description of each table kept.
 * Loads hyparquet / hyparquet-writer (and apache-arrow for Arrow IPC); the
 * main entry does not.
 * @packageDocumentation
 */
export {
  ParquetTableWriter, ParquetTableReader, MemoryOutput, writeParquet, readParquet, tableToParquet, parquetMetadataFile, asyncBufferOf, defaultNullable,
  type ByteOutput, type ParquetWriteOptions, type ParquetFileSummary,
} from './parquet.js';
export { writeArrowIpc, readArrowIpc, loadArrow, type ArrowWriteOptions } from './arrow-ipc.js';
export { writeCsv, readCsv, parseCsvRecords } from './csv.js';
export { addFitsTable, addFitsTableStream, fitsTableInput } from './fits-out.js';
export { convertTable, openTableStream, writeTableStream, formatOfPath, type TableFormat, type ConvertIo, type TableStream, type ConvertOptions } from './convert.js';
export { FITS_META_KEY, tableMetaFromHeader, tableMetaFromColumns, encodeTableMeta, decodeTableMeta, binaryTform, type TableMeta, type ColumnMeta, type MetaCard } from './table-meta.js';
