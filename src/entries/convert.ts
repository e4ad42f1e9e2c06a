/**
 * `fitsflow/convert`: FITS tables ⇄ Parquet, Arrow IPC and CSV (the FITS
 * description of each table kept in the file's metadata), HATS catalogs
 * (import, cone searches) and HEALPix (NESTED, to order 29). Loads hyparquet
 * and hyparquet-writer (and apache-arrow for Arrow IPC); `fitsflow` does not.
 * Node, Bun and Deno resolve it to convert-node.ts, which adds files.
 * @packageDocumentation
 * @module fitsflow/convert (browsers, workers, edge)
 */
export {
  ParquetTableWriter, ParquetTableReader, MemoryOutput, writeParquet, readParquet, tableToParquet, parquetMetadataFile, asyncBufferOf, defaultNullable,
  type ByteOutput, type ParquetWriteOptions, type ParquetFileSummary,
} from '../convert/parquet.js';
export { writeArrowIpc, readArrowIpc, loadArrow, type ArrowWriteOptions } from '../convert/arrow-ipc.js';
export { writeCsv, readCsv, parseCsvRecords } from '../convert/csv.js';
export { addFitsTable, addFitsTableStream, fitsTableInput } from '../convert/fits-out.js';
export { convertTable, openTableStream, writeTableStream, formatOfPath, type TableFormat, type ConvertIo, type TableStream, type ConvertOptions, type ReadStreamOptions, type WriteStreamOptions } from '../convert/convert.js';
export { FITS_META_KEY, tableMetaFromHeader, tableMetaFromColumns, encodeTableMeta, decodeTableMeta, binaryTform, type TableMeta, type ColumnMeta, type MetaCard } from '../convert/table-meta.js';
export { importHats, HEALPIX_COLUMN, type HatsImportOptions, type HatsImportResult, type HatsIo, type SpillStore, type PartitionPiece } from '../hats/import.js';
export { openHats, coneSearch, partitionsInDisc, catalogPath, type HatsCatalog, type ConeSearchOptions, type SourceOpener } from '../hats/cone.js';
export { adaptivePartitions, fixedOrderPartitions, type PartitionPlan } from '../hats/partition.js';
export { partitionPath, partitionInfoCsv, parsePartitionInfo, parseProperties, formatProperties, dirOf, sortPixels, type HatsPixel } from '../hats/layout.js';
export { skymapFits } from '../hats/skymap.js';
export { concatTables, argsortInt64 } from '../hats/concat.js';
export {
  MAX_ORDER, MAX_NUMBER_ORDER, nside, npix, checkOrder, angToFaceXY, xyfToNest, nestToXYF, ang2pixNest, ang2pixNestBig, healpix29,
  ang2pixNestInto, pix2angNest, pixelVector, xyfVector, lonLatVector, vectorAngle, maxPixelRadius, neighboursNest,
  type FaceXY, type LonLat,
} from '../healpix/nested.js';
export { queryDisc, queryDiscRanges, pixelMayIntersectDisc, angularDistance, type Disc } from '../healpix/disc.js';
