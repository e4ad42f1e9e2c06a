/**
 * HATS catalogs: import tables (two passes, bounded memory) and cone searches
 * over local or remote catalogs. Node adapters in import-node.ts.
 * @packageDocumentation
 */
export { importHats, HEALPIX_COLUMN, type HatsImportOptions, type HatsImportResult, type HatsIo, type SpillStore, type PartitionPiece } from './import.js';
export { openHats, coneSearch, partitionsInDisc, catalogPath, type HatsCatalog, type ConeSearchOptions, type SourceOpener } from './cone.js';
export { adaptivePartitions, fixedOrderPartitions, type PartitionPlan } from './partition.js';
export { partitionPath, partitionInfoCsv, parsePartitionInfo, parseProperties, formatProperties, dirOf, sortPixels, type HatsPixel } from './layout.js';
export { skymapFits } from './skymap.js';
export { concatTables, argsortInt64 } from './concat.js';
