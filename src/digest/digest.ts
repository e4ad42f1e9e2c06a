/**
 * The reference digest of a FITS file (../shared/corpus/DIGEST.md): what a
 * conforming reader returns for every HDU, as JSON. `fitsflow digest` prints it.
 */
import type { FitsFile } from '../file/fits-file.js';
import type { Hdu, HduReadImageOptions } from '../file/hdu.js';
import type { Header } from '../header/header.js';
import { arrayDigest, EMPTY_SHA256, nullArrayDigest, type ArrayDigest } from './array-digest.js';
import { type Json, jsonCardValue, jsonNumber } from './json.js';
import { pixelScaling } from '../image/pixel-type.js';
import type { ImageData } from '../image/read-image.js';

/** The reference digest of one HDU (test/corpus/DIGEST.md): kind, shape, dtype and a hash and statistics of its values. */
export interface HduDigest {
  index: number;
  kind: string;
  extname: string | null;
  extver: number | null;
  [key: string]: Json;
}

/** The reference digest of a file: one {@link HduDigest} per HDU. */
export interface FileDigest {
  hdus: HduDigest[];
  [key: string]: Json;
}

/** Options of {@link digestFile} and {@link digestHdu}. */
export interface DigestOptions {
  /** Digest only this HDU. */
  hdu?: number;
  /** How compressed images are decoded (e.g. `{ gpu: true }`), passed to readImage. */
  readOptions?: HduReadImageOptions;
}

/** The header cards of an HDU as the digest lists them. */
export function cardsJson(header: Header): Json[] {
  return header.cards.map((c) => [c.keyword, jsonCardValue(c.value), c.comment]);
}

function extFields(hdu: Hdu): Pick<HduDigest, 'extname' | 'extver'> {
  const name = hdu.header.get('EXTNAME');
  const ver = hdu.header.get('EXTVER');
  return {
    extname: typeof name === 'string' ? name : null,
    extver: typeof ver === 'number' && Number.isInteger(ver) ? ver : typeof ver === 'bigint' ? (jsonNumber(ver) as number) : null,
  };
}
function imageArrayDigest(img: ImageData, hdu: Hdu): ArrayDigest {
  if (img.shape.some((n) => n === 0)) {
    return { shape: img.shape, dtype: img.dtype, sha256: EMPTY_SHA256, sha256_f64: EMPTY_SHA256, min: null, max: null, mean: null, nan_count: 0 };
  }
  return arrayDigest(img.data, img.shape, img.dtype, hdu.runtime.sha256);
}

/** Digest one HDU. */
export async function digestHdu(hdu: Hdu, opts: DigestOptions = {}): Promise<HduDigest> {
  // A compressed table digests as the table it holds (its restored header, its rows).
  const d: HduDigest = { index: hdu.index, kind: hdu.kind === 'compressed-table' ? 'bintable' : hdu.kind, ...extFields(hdu) };
  if (hdu.kind !== 'compressed-image') {
    d.ncards = hdu.tableHeader.physicalCount;
    d.cards = cardsJson(hdu.tableHeader);
  }
  switch (hdu.kind) {
    case 'image': {
      if (hdu.layout.naxes.length === 0) Object.assign(d, nullArrayDigest());
      else if (hdu.layout.naxes.some((n) => n === 0)) {
        const dtype = pixelScaling(hdu.header, hdu.layout.bitpix).dtype;
        Object.assign(d, { shape: [...hdu.layout.naxes].reverse(), dtype, sha256: EMPTY_SHA256, sha256_f64: EMPTY_SHA256, min: null, max: null, mean: null, nan_count: 0 });
      } else Object.assign(d, imageArrayDigest(await hdu.readImage(opts.readOptions), hdu));
      break;
    }
    case 'compressed-image':
      Object.assign(d, imageArrayDigest(await hdu.readImage(opts.readOptions), hdu));
      break;
    case 'bintable':
    case 'table': {
      const { digestTable } = await import('./table-digest.js');
      Object.assign(d, await digestTable(hdu));
      break;
    }
    case 'compressed-table': {
      const [{ digestTable }, { compressedTableView }] = await Promise.all([import('./table-digest.js'), import('../ztable/view.js')]);
      Object.assign(d, await digestTable(await compressedTableView(hdu)));
      break;
    }
    case 'random-groups': {
      const { digestRandomGroups } = await import('./table-digest.js');
      Object.assign(d, await digestRandomGroups(hdu));
      break;
    }
    default:
      break;
  }
  return d;
}

/** Digest a whole file (or one HDU of it). */
export async function digestFile(file: FitsFile, opts: DigestOptions = {}): Promise<FileDigest> {
  const hdus: HduDigest[] = [];
  if (opts.hdu !== undefined) {
    hdus.push(await digestHdu(await file.hdu(opts.hdu), opts));
  } else {
    for await (const hdu of file) hdus.push(await digestHdu(hdu, opts));
  }
  return { hdus };
}
