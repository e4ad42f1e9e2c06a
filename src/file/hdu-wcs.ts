/**
 * The WCS of an HDU, read through the public FitsFile/Hdu API: the image
 * header (the reconstructed one for tile-compressed images), pixel-list WCS
 * keywords of binary tables (TCTYPn, TCRPXn, …), and the lookup-table
 * distortions of HST-like files (CPDISj = 'LOOKUP' with WCSDVARR extensions,
 * D2IMDISj with D2IMARR extensions), as astropy's WCS(header, hdulist) reads them.
 */
import { FitsError } from '../core/errors.js';
import type { Card, Header } from '../header/header.js';
import type { FitsFile } from './fits-file.js';
import type { Hdu } from './hdu.js';
import { LookupTable } from '../wcs/lookup-table.js';
import { readTableWcsKeywords } from '../wcs/table-keywords.js';
import { readWcsKeywords } from '../wcs/keywords.js';
import { isSipKeyword } from '../wcs/sip.js';
import { tabularKey, tabularRequests, type TabularArray } from '../wcs/tabular.js';
import { Wcs, type LookupDistortions } from '../wcs/wcs.js';

/** The HDUs of a file by name or index (a FitsFile is one): where lookup tables and -TAB arrays are read from. */
export type HduLookup = Pick<FitsFile, 'hdu'>;

/** Options for {@link hduWcs}. */
export interface HduWcsOptions {
  /** ' ' (default) or 'A'…'Z'. */
  key?: string;
  /** The HDUs of the file, to read WCSDVARR/D2IMARR lookup tables and -TAB arrays (default: the HDU's own file). */
  file?: HduLookup;
}

/** The record-valued cards of a keyword (e.g. DP1 = 'AXIS.1: 1'), as field → value. */
function records(header: Header, keyword: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of header.cards) {
    if (c.commentary || c.keyword !== keyword || typeof c.value !== 'string') continue;
    const m = /^\s*([A-Za-z_][A-Za-z_0-9.]*)\s*:\s*([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eEdD][+-]?[0-9]+)?)\s*$/.exec(c.value);
    if (m) out.set(m[1]!.toUpperCase(), Number(m[2]!.replace(/[dD]/, 'e')));
  }
  return out;
}

function stringValue(c: Card | undefined): string | undefined {
  return c && typeof c.value === 'string' ? c.value.trim() : undefined;
}

async function readTable(file: HduLookup, extname: string, extver: number, hduIndex: number, transpose: boolean, oneD = false): Promise<LookupTable> {
  let ext: Hdu;
  try {
    ext = await file.hdu(extname, extver);
  } catch (e) {
    throw new FitsError('BAD_WCS', `The lookup-table distortion needs extension ${extname} (EXTVER ${extver}), which the file does not have.`, { hdu: hduIndex, cause: e });
  }
  const img = await ext.readImage();
  if (oneD) {
    // The AXISCORR convention: a 1-D table that astropy wraps as one row,
    // with CRPIXi/CRVALi/CDELTi read for i ≤ NAXIS only.
    if (img.shape.length !== 1) {
      throw new FitsError('BAD_WCS', `With AXISCORR, lookup table ${extname},${extver} must be a 1-D image (it has ${img.shape.length} axes).`, { hdu: ext.index });
    }
    const h = ext.header;
    const num = (k: string, d: number): number => {
      const v = h.get(k);
      return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : d;
    };
    const two = h.getInt('NAXIS', 1) >= 2;
    return new LookupTable(
      img.data as ArrayLike<number>,
      [img.shape[0]!, 1],
      [num('CRPIX1', 0.0), two ? num('CRPIX2', 0.0) : 0.0],
      [num('CRVAL1', 0.0), two ? num('CRVAL2', 0.0) : 0.0],
      [num('CDELT1', 1.0), two ? num('CDELT2', 1.0) : 1.0],
    );
  }
  if (img.shape.length !== 2) {
    throw new FitsError('BAD_WCS', `Lookup table ${extname},${extver} must be a 2-D image (it has ${img.shape.length} axes).`, { hdu: ext.index });
  }
  const h = ext.header;
  const num = (k: string, d: number): number => {
    const v = h.get(k);
    return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : d;
  };
  const t = new LookupTable(
    img.data as ArrayLike<number>,
    [img.shape[1]!, img.shape[0]!],
    [num('CRPIX1', 0.0), num('CRPIX2', 0.0)],
    [num('CRVAL1', 0.0), num('CRVAL2', 0.0)],
    [num('CDELT1', 1.0), num('CDELT2', 1.0)],
  );
  // astropy transposes the data only: the table keeps its CRPIX/CRVAL/CDELT.
  return transpose ? t.transposed() : t;
}

/** Keywords consumed by lookup-table distortions (astropy deletes them before wcslib). */
function isLookupKeyword(kw: string): boolean {
  return /^(CPDIS|D2IMDIS|CPERR|D2IMERR)[0-9]+$/.test(kw) || /^(DP|D2IM)[0-9]+$/.test(kw) || kw === 'AXISCORR';
}

/** astropy _read_distortion_kw / _read_det2im_kw for one family. */
async function lookupFamily(
  header: Header,
  file: HduLookup | undefined,
  hduIndex: number,
  disKw: 'CPDIS' | 'D2IMDIS',
  recKw: 'DP' | 'D2IM',
  extname: string,
): Promise<[LookupTable | null, LookupTable | null] | undefined> {
  const out: [LookupTable | null, LookupTable | null] = [null, null];
  let any = false;
  for (const i of [1, 2]) {
    const dis = stringValue(header.card(`${disKw}${i}`));
    if (dis === undefined) continue;
    if (dis.toLowerCase() !== 'lookup') {
      throw new FitsError('UNSUPPORTED', `${disKw}${i} = '${dis}': only 'LOOKUP' distortions are supported (as in astropy).`, { hdu: hduIndex });
    }
    if (!file) {
      throw new FitsError('BAD_ARGUMENT', `${disKw}${i} is a lookup-table distortion: pass { file } so its ${extname} extension can be read.`, { hdu: hduIndex });
    }
    const rec = records(header, `${recKw}${i}`);
    const extver = rec.get('EXTVER') ?? 1;
    const axis = rec.get(`AXIS.${i}`);
    if (axis === undefined) {
      throw new FitsError('BAD_WCS', `Lookup-table distortion ${disKw}${i} has no ${recKw}${i} 'AXIS.${i}' record.`, { hdu: hduIndex });
    }
    out[i - 1] = await readTable(file, extname, extver, hduIndex, axis !== i);
    any = true;
  }
  return any ? out : undefined;
}

/**
 * The WCS of an HDU (key ' ' or 'A'…'Z'), or null when it has none. Images
 * (plain and tile-compressed) use their image header; binary tables their
 * pixel-list keywords. Throws a FitsError (BAD_WCS) for an invalid WCS.
 */
export async function hduWcs(hdu: Hdu, opts: HduWcsOptions = {}): Promise<Wcs | null> {
  const key = opts.key ?? ' ';
  opts = { ...opts, file: opts.file ?? hdu.siblings };
  if (hdu.kind === 'bintable' || hdu.kind === 'table' || hdu.kind === 'compressed-table') {
    const kw = readTableWcsKeywords(hdu.tableHeader, key, hdu.index);
    return kw ? Wcs.fromKeywords(kw) : null;
  }
  const header = hdu.kind === 'compressed-image' ? hdu.imageHeader : hdu.header;
  const distortions: LookupDistortions = {};
  const cpdis = await lookupFamily(header, opts.file, hdu.index, 'CPDIS', 'DP', 'WCSDVARR');
  if (cpdis) (distortions as { cpdis?: typeof cpdis }).cpdis = cpdis;
  const axiscorr = header.get('AXISCORR');
  if (typeof axiscorr === 'number' && opts.file) {
    // Old D2IM convention: one D2IMARR,1 table for the axis AXISCORR names.
    const t = await readTable(opts.file, 'D2IMARR', 1, hdu.index, false, true);
    (distortions as { det2im?: [LookupTable | null, LookupTable | null] }).det2im = axiscorr === 1 ? [t, null] : axiscorr === 2 ? [null, t] : [null, null];
  } else {
    const d2im = await lookupFamily(header, opts.file, hdu.index, 'D2IMDIS', 'D2IM', 'D2IMARR');
    if (d2im) (distortions as { det2im?: typeof d2im }).det2im = d2im;
  }
  const tabArrays = await readTabularArrays(header, key, opts.file, hdu.index);
  return Wcs.fromHeader(header, { key, distortions, skipKeyword: isLookupKeyword, hdu: hdu.index, tabArrays });
}

/** The -TAB arrays a representation needs, read from their binary tables (row 1, as wcslib). */
async function readTabularArrays(header: Header, key: string, file: HduLookup | undefined, hduIndex: number): Promise<Map<string, TabularArray> | undefined> {
  let kw: ReturnType<typeof readWcsKeywords>;
  try {
    kw = readWcsKeywords(header, key, { skip: (k) => isSipKeyword(k) || isLookupKeyword(k) });
  } catch {
    return undefined; // Wcs.fromHeader reports the keyword error.
  }
  if (!kw) return undefined;
  let requests: ReturnType<typeof tabularRequests>;
  try {
    requests = tabularRequests(kw);
  } catch {
    return undefined; // reported by Wcs.fromHeader with the keyword at fault
  }
  if (!requests.length) return undefined;
  if (!file) throw new FitsError('BAD_ARGUMENT', 'This WCS has -TAB axes: pass { file } so their tables can be read.', { hdu: hduIndex });
  const out = new Map<string, TabularArray>();
  for (const r of requests) {
    let ext: Hdu;
    try {
      ext = await file.hdu(r.extname, r.extver);
    } catch (e) {
      throw new FitsError('BAD_WCS', `The -TAB axis needs table ${r.extname} (EXTVER ${r.extver}), which the file does not have.`, { hdu: hduIndex, cause: e });
    }
    if (ext.kind !== 'bintable' && ext.kind !== 'compressed-table') throw new FitsError('BAD_WCS', `The -TAB array ${r.ttype} must be in a binary table; ${r.extname} is a ${ext.kind}.`, { hdu: ext.index });
    const t = await ext.readTable({ columns: [r.ttype], rows: { start: 0, count: 1 } });
    const col = t.column(r.ttype);
    if (!col.cellShape || typeof col.data[0] !== 'number') {
      throw new FitsError('BAD_WCS', `The -TAB array ${r.ttype} of ${r.extname} must be a fixed-size numeric column.`, { hdu: ext.index });
    }
    const size = col.cellShape.reduce((a, b) => a * b, 1);
    const data = col.data as ArrayLike<number>;
    out.set(tabularKey(r), { data: Array.from({ length: size }, (_, k) => data[k]!), shape: r.kind === 'i' ? [size] : col.cellShape });
  }
  return out;
}

/**
 * One line describing the WCS of an HDU (as `fitsflow info` prints it; ''
 * when it has none), from its header alone: lookup tables are named, not read.
 */
export function wcsSummary(hdu: Hdu): string {
  const header = hdu.kind === 'compressed-image' ? hdu.imageHeader : hdu.header;
  try {
    const table = hdu.kind === 'bintable' || hdu.kind === 'table' || hdu.kind === 'compressed-table';
    const tkw = table ? readTableWcsKeywords(hdu.tableHeader, ' ') : null;
    const wcs = table ? (tkw ? Wcs.fromKeywords(tkw) : null) : Wcs.fromHeader(header, { skipKeyword: isLookupKeyword });
    if (!wcs) return '';
    const lookup = header.has('CPDIS1') || header.has('CPDIS2') || header.has('D2IMDIS1') || header.has('D2IMDIS2') ? ' + lookup tables' : '';
    return `WCS: ${wcs.summary()}${lookup}`;
  } catch (e) {
    return `WCS: invalid (${e instanceof Error ? e.message : String(e)})`;
  }
}
