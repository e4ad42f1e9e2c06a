/**
 * Reading HATS catalogs: open one (a local path or an http(s)/s3 URL — any
 * source the library can open), and cone searches that read only the
 * partitions a cone may touch (pixelMayIntersectDisc: the conservative HEALPix
 * test), then keep the rows within the radius (exact angular distance).
 */
import { FitsError } from '../core/errors.js';
import type { ByteSource } from '../core/byte-source.js';
import { FitsTable } from '../table/ops/fits-table.js';
import { lonLatVector, vectorAngle } from '../healpix/nested.js';
import { pixelMayIntersectDisc, type Disc } from '../healpix/disc.js';
import { ParquetTableReader } from '../convert/parquet.js';
import { concatTables } from './concat.js';
import { parsePartitionInfo, parseProperties, partitionPath, type HatsPixel } from './layout.js';

/** Opens a path or URL as bytes (default: the library's sources). */
export type SourceOpener = (pathOrUrl: string) => Promise<ByteSource>;

/** An opened HATS catalog (its metadata; partitions are read on demand). */
export interface HatsCatalog {
  root: string;
  properties: Map<string, string>;
  partitions: HatsPixel[];
  raColumn: string;
  decColumn: string;
  /** Opens files of the catalog. */
  openSource: SourceOpener;
}

/** `root/rel` for paths and URLs alike. */
export function catalogPath(root: string, rel: string): string {
  return `${root.replace(/[/\\]+$/, '')}/${rel}`;
}

async function readText(open: SourceOpener, path: string): Promise<string> {
  const s = await open(path);
  try {
    if (s.size > 1 << 30) throw new FitsError('BAD_SIZE', `${path} is ${s.size} bytes: too big for a HATS metadata file.`);
    return new TextDecoder().decode(await s.read(0, s.size));
  } finally {
    await s.close?.();
  }
}

/** Open a HATS catalog: hats.properties (or properties) and partition_info.csv. */
export async function openHats(root: string, opts: { openSource: SourceOpener }): Promise<HatsCatalog> {
  const openSource = opts.openSource;
  let propsText: string;
  try {
    propsText = await readText(openSource, catalogPath(root, 'hats.properties'));
  } catch (e) {
    try {
      propsText = await readText(openSource, catalogPath(root, 'properties'));
    } catch {
      throw new FitsError('NOT_FOUND', `${root} is not a HATS catalog: it has no hats.properties.`, { cause: e });
    }
  }
  const properties = parseProperties(propsText);
  const raColumn = properties.get('hats_col_ra');
  const decColumn = properties.get('hats_col_dec');
  if (!raColumn || !decColumn) throw new FitsError('UNSUPPORTED', `${root}: hats.properties names no hats_col_ra / hats_col_dec; cone searches need positions.`);
  const partitions = parsePartitionInfo(await readText(openSource, catalogPath(root, 'partition_info.csv')));
  return { root, properties, partitions, raColumn, decColumn, openSource };
}

/** Options of {@link coneSearch}. */
export interface ConeSearchOptions {
  /** Columns to return (default: all). */
  columns?: readonly string[];
  /** Called before each partition is read. */
  onPartition?: (p: HatsPixel, path: string) => void;
}

/** The partitions of a catalog a disc may touch. */
export function partitionsInDisc(cat: HatsCatalog, disc: Disc): HatsPixel[] {
  return cat.partitions.filter((p) => pixelMayIntersectDisc(p.order, p.pixel, disc));
}

/**
 * The rows within `radius` degrees of (ra, dec), reading only the partitions
 * the cone may touch. Returns them with the partitions read.
 * @example
 * const cat = await openHats('https://example.org/hats/gaia');
 * const { table } = await coneSearch(cat, { lon: 10.68, lat: 41.27, radius: 0.1 });
 */
export async function coneSearch(cat: HatsCatalog, disc: Disc, opts: ConeSearchOptions = {}): Promise<{ table: FitsTable; partitions: HatsPixel[] }> {
  const touched = partitionsInDisc(cat, disc);
  const centre = lonLatVector(disc.lon, disc.lat);
  const r = (disc.radius * Math.PI) / 180;
  const suffix = cat.properties.get('hats_npix_suffix') ?? '.parquet';
  const pieces: FitsTable[] = [];
  let empty: FitsTable | undefined;
  for (const p of touched) {
    const path = catalogPath(cat.root, `dataset/${partitionPath(p, suffix)}`);
    opts.onPartition?.(p, path);
    const source = await cat.openSource(path);
    try {
      const reader = await ParquetTableReader.open(source);
      const want = opts.columns ?? reader.columnNames;
      const read = [...new Set([...want, cat.raColumn, cat.decColumn])];
      const t = await reader.read({ columns: read });
      const ra = t.column(cat.raColumn).data as ArrayLike<number>;
      const dec = t.column(cat.decColumn).data as ArrayLike<number>;
      const keep: number[] = [];
      for (let i = 0; i < t.numRows; i++) if (vectorAngle(centre, lonLatVector(Number(ra[i]), Number(dec[i]))) <= r) keep.push(i);
      const out = t.take(Uint32Array.from(keep)).select([...want]).materialize();
      empty ??= out.slice(0, 0);
      if (out.numRows) pieces.push(out);
    } finally {
      await source.close?.();
    }
  }
  const table = pieces.length ? concatTables(pieces) : (empty ?? new FitsTable([], 0));
  return { table, partitions: touched };
}
