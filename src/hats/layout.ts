/**
 * The HATS catalog layout (as the hats / LSDB Python packages read it):
 *
 *   CATALOG/hats.properties            key=value metadata (also written as `properties`)
 *   CATALOG/partition_info.csv         Norder,Npix — one line per partition
 *   CATALOG/skymap.fits                row counts per HEALPix pixel at one order
 *   CATALOG/dataset/_common_metadata   Parquet footer: the schema
 *   CATALOG/dataset/_metadata          Parquet footer: schema + every partition's row groups
 *   CATALOG/dataset/Norder=k/Dir=d/Npix=n.parquet   d = ⌊n / 10000⌋ · 10000
 */
import { FitsError } from '../core/errors.js';

/** A partition: a HEALPix pixel (nested) at an order. */
export interface HatsPixel {
  order: number;
  pixel: number;
}

/** The directory number of a pixel (pixels grouped by ten thousands). */
export function dirOf(pixel: number): number {
  return Math.floor(pixel / 10000) * 10000;
}

/** Path of a partition file relative to the dataset directory. */
export function partitionPath(p: HatsPixel, suffix = '.parquet'): string {
  return `Norder=${p.order}/Dir=${dirOf(p.pixel)}/Npix=${p.pixel}${suffix}`;
}

/** Sort pixels as hats does: by the start of their range at order 29 (then by order). */
export function sortPixels(list: HatsPixel[]): HatsPixel[] {
  return list.sort((a, b) => {
    const sa = a.pixel * 4 ** (29 - a.order);
    const sb = b.pixel * 4 ** (29 - b.order);
    return sa !== sb ? (sa < sb ? -1 : 1) : a.order - b.order;
  });
}

/** partition_info.csv text. */
export function partitionInfoCsv(list: readonly HatsPixel[]): string {
  return `Norder,Npix\n${list.map((p) => `${p.order},${p.pixel}\n`).join('')}`;
}

/** Parse partition_info.csv (FitsError CORRUPT_DATA when it is not one). */
export function parsePartitionInfo(text: string): HatsPixel[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const head = lines[0]?.split(',').map((s) => s.trim());
  const io = head?.indexOf('Norder') ?? -1;
  const ip = head?.indexOf('Npix') ?? -1;
  if (io < 0 || ip < 0) throw new FitsError('CORRUPT_DATA', 'partition_info.csv must start with a header naming Norder and Npix.');
  return lines.slice(1).map((l, i) => {
    const f = l.split(',');
    const order = Number(f[io]);
    const pixel = Number(f[ip]);
    if (!Number.isInteger(order) || order < 0 || order > 29 || !Number.isSafeInteger(pixel) || pixel < 0 || pixel >= 12 * 4 ** order) {
      throw new FitsError('CORRUPT_DATA', `partition_info.csv line ${i + 2} ('${l}') is not a HEALPix pixel.`);
    }
    return { order, pixel };
  });
}

/** A properties file (key=value lines, `#` comments), values as given. */
export function formatProperties(props: ReadonlyMap<string, string | number>): string {
  let out = '#HATS catalog\n';
  for (const [k, v] of props) out += `${k}=${String(v).replace(/\n/g, ' ')}\n`;
  return out;
}

/** Parse a properties file. */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (!t || t.startsWith('#') || t.startsWith('!')) continue;
    const eq = t.search(/[=:]/);
    if (eq < 0) continue;
    out.set(t.slice(0, eq).trim(), t.slice(eq + 1).trim());
  }
  return out;
}

/** Creation date as hats writes it (`2025-10-29T21:43UTC`). */
export function hatsDate(d = new Date()): string {
  return `${d.toISOString().slice(0, 16)}UTC`;
}
