/**
 * Compare two FITS files as astropy's FITSDiff does: HDU counts, then each
 * pair of HDUs in order — extension type, name, version, level, header, data.
 */
import type { FitsFile } from '../file/fits-file.js';
import type { Hdu } from '../file/hdu.js';
import { diffImages, diffRawData, type ImageDataDiff, type RawDataDiff } from './data-diff.js';
import { diffHeaders, type HeaderDiff } from './header-diff.js';
import { matchesAny, resolveDiffOptions, type DiffOptions, type ResolvedDiffOptions } from './options.js';
import { diffGroups, diffTables, type TableDataDiff } from './table-diff.js';

/** What differs between two HDUs at the same position. */
export interface HduDiff {
  /** 0-based position (after ignored HDUs are left out). */
  index: number;
  /** EXTNAME of the first file's HDU when both have the same name and version, else ''. */
  name: string;
  version: number;
  identical: boolean;
  extensionTypes?: [string | null, string | null];
  names?: [string, string];
  versions?: [number, number];
  levels?: [number, number];
  header: HeaderDiff;
  data?: ImageDataDiff | TableDataDiff | RawDataDiff;
}

/** The result of {@link diffFiles}. */
export interface FitsDiffReport {
  identical: boolean;
  /** HDU counts, when they differ. */
  hduCount?: [number, number];
  /** Pairs of HDUs that differ (identical pairs are left out). */
  hdus: HduDiff[];
  options: ResolvedDiffOptions;
}

function hduName(h: Hdu): string {
  const v = h.header.get('EXTNAME');
  if (typeof v === 'string') return v.replace(/\s+$/, '');
  return h.index === 0 ? 'PRIMARY' : '';
}
const intKey = (h: Hdu, k: string) => {
  const v = h.header.get(k);
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : 1;
};
const isImage = (h: Hdu) => h.kind === 'image' || h.kind === 'compressed-image';
const isTable = (h: Hdu) => h.kind === 'bintable' || h.kind === 'table' || h.kind === 'compressed-table';

/** Whether astropy would give this HDU data (None for empty images). */
function hasData(h: Hdu): boolean {
  if (h.kind === 'image') return h.layout.naxes.length > 0 && h.layout.naxes.every((n) => n > 0);
  if (h.kind === 'compressed-image') return (h.shape?.length ?? 0) > 0 && h.shape!.every((n) => n > 0);
  if (isTable(h)) return true;
  return h.layout.dataBytes > 0;
}

async function diffHdu(a: Hdu, b: Hdu, index: number, o: ResolvedDiffOptions): Promise<HduDiff> {
  const d: HduDiff = { index, name: '', version: intKey(a, 'EXTVER'), identical: true, header: diffHeaders(a.tableHeader, b.tableHeader, o) };
  const na = hduName(a);
  const nb = hduName(b);
  if (na !== nb) d.names = [na, nb];
  if (intKey(a, 'EXTVER') !== intKey(b, 'EXTVER')) d.versions = [intKey(a, 'EXTVER'), intKey(b, 'EXTVER')];
  if (intKey(a, 'EXTLEVEL') !== intKey(b, 'EXTLEVEL')) d.levels = [intKey(a, 'EXTLEVEL'), intKey(b, 'EXTLEVEL')];
  const xa = a.header.get('XTENSION');
  const xb = b.header.get('XTENSION');
  const ta = typeof xa === 'string' ? xa.replace(/\s+$/, '') : null;
  const tb = typeof xb === 'string' ? xb.replace(/\s+$/, '') : null;
  if (ta !== tb) d.extensionTypes = [ta, tb];
  if (!hasData(a) || !hasData(b)) {
    // astropy compares no data when either side has none.
  } else if (a.kind === 'random-groups' && b.kind === 'random-groups') d.data = await diffGroups(a, b, o);
  else if (isImage(a) && isImage(b)) d.data = await diffImages(a, b, o);
  else if (isTable(a) && isTable(b)) d.data = await diffTables(a, b, o);
  else if (!d.extensionTypes) d.data = await diffRawData(a, b, o);
  d.identical = !d.names && !d.versions && !d.levels && !d.extensionTypes && d.header.identical && (!d.data || d.data.identical);
  if (na === nb && !d.versions) d.name = na;
  return d;
}

/**
 * Compare two open FITS files (astropy's FITSDiff). Identical when no HDU
 * pair differs and the HDU counts match.
 * @example
 * const report = await diffFiles(await open('a.fits'), await open('b.fits'), { rtol: 1e-6, ignoreKeywords: ['DATE'] });
 * if (!report.identical) console.log(formatDiffReport(report, 'a.fits', 'b.fits'));
 */
export async function diffFiles(a: FitsFile, b: FitsFile, options: DiffOptions = {}): Promise<FitsDiffReport> {
  const o = resolveDiffOptions(options);
  const keep = (h: Hdu) => !o.ignoreHdus.length || !matchesAny(hduName(h), o.ignoreHdus);
  const ha = (await a.hdus()).filter(keep);
  const hb = (await b.hdus()).filter(keep);
  const report: FitsDiffReport = { identical: true, hdus: [], options: o };
  if (ha.length !== hb.length) report.hduCount = [ha.length, hb.length];
  for (let i = 0; i < Math.min(ha.length, hb.length); i++) {
    const d = await diffHdu(ha[i]!, hb[i]!, i, o);
    if (!d.identical) report.hdus.push(d);
  }
  report.identical = !report.hduCount && report.hdus.length === 0;
  return report;
}
