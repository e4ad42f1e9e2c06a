/**
 * Which header edits change what the data mean, and which values such a
 * keyword may take. Used by header updates (src/node/update.ts, `fitsflow
 * header --set/--delete`): an edit that changes how pixels or cells are
 * decoded (scaling, compression, shape, names) needs `force`, and even then
 * must give the keyword a value of its type that agrees with the rest of the
 * header, so that a recomputed CHECKSUM never seals a broken file.
 */
import { FitsError } from '../core/errors.js';
import type { CardValue } from '../header/card.js';
import { parseBinaryTform } from '../table/read/tform.js';

/** What editing a keyword changes, in words; undefined when it changes nothing in the data. */
export function editEffect(keyword: string): string | undefined {
  const k = keyword.toUpperCase();
  if (/^(BSCALE|BZERO|BLANK)$/.test(k)) return 'changes the pixel values every reader computes from the stored data';
  if (/^(TSCAL|TZERO|TNULL)\d+$/.test(k)) return 'changes the values every reader computes from the stored column';
  if (/^(PSCAL|PZERO)\d+$/.test(k)) return 'changes the random-groups parameter values every reader computes';
  if (/^(ZQUANTIZ|ZDITHER0|ZNAME\d+|ZVAL\d+|ZMASKCMP|ZSIMPLE|ZTENSION|ZEXTEND|ZPCOUNT|ZGCOUNT|ZBLANK|ZSCALE|ZZERO|ZTHEAP|ZCTYP\d+|ZFORM\d+)$/.test(k)) {
    return 'changes how the compressed tiles are decoded';
  }
  if (/^TDIM\d+$/.test(k)) return 'changes the shape the cells of the column are read with';
  if (/^TTYPE\d+$/.test(k)) return 'renames the column, breaking programs that read it by name';
  if (k === 'EXTEND') return 'says whether extensions may follow the primary HDU';
  return undefined;
}

/** The cards an edit is checked against: keyword → value of the HDU's header after the edit. */
export type EditedValues = ReadonlyMap<string, CardValue>;

function bad(keyword: string, value: CardValue, must: string, hdu: number): FitsError {
  return new FitsError('BAD_ARGUMENT', `${keyword} = ${JSON.stringify(typeof value === 'bigint' ? String(value) : value)} is not allowed: ${must}.`, { hdu });
}

/**
 * Check an edit of a data-changing keyword ({@link editEffect}): `value`
 * undefined is a deletion. Throws BAD_ARGUMENT without `force`, and, with it,
 * when the value is not of the keyword's type or disagrees with the header
 * (`after`: the header's values once every edit is made).
 */
export function checkHeaderEdit(keyword: string, value: CardValue | undefined, after: EditedValues, force: boolean, hdu: number): void {
  const k = keyword.toUpperCase();
  const effect = editEffect(k);
  if (effect === undefined) return;
  if (!force) {
    throw new FitsError('BAD_ARGUMENT', `${value === undefined ? 'Deleting' : 'Setting'} ${k} ${effect}; pass --force (force: true) if that is what you want.`, { hdu });
  }
  if (value === undefined) return;
  const isNumber = typeof value === 'number' || typeof value === 'bigint';
  const isInteger = typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value));
  if (/^(BSCALE|BZERO|ZSCALE|ZZERO|TSCAL\d+|TZERO\d+|PSCAL\d+|PZERO\d+)$/.test(k)) {
    if (!isNumber || !Number.isFinite(Number(value))) throw bad(k, value, 'it must be a finite number', hdu);
    if (/SCAL/.test(k) && Number(value) === 0) throw bad(k, value, 'a scale factor of 0 would make every value the same', hdu);
  } else if (/^(BLANK|ZBLANK)$/.test(k)) {
    if (!isInteger) throw bad(k, value, 'it must be an integer', hdu);
  } else if (/^TNULL\d+$/.test(k)) {
    const ascii = after.get('XTENSION') === 'TABLE';
    if (ascii ? typeof value !== 'string' : !isInteger) throw bad(k, value, ascii ? 'in an ASCII table it must be a string' : 'it must be an integer', hdu);
  } else if (k === 'ZQUANTIZ') {
    if (value !== 'NO_DITHER' && value !== 'SUBTRACTIVE_DITHER_1' && value !== 'SUBTRACTIVE_DITHER_2') throw bad(k, value, 'it must be NO_DITHER, SUBTRACTIVE_DITHER_1 or SUBTRACTIVE_DITHER_2', hdu);
  } else if (k === 'ZDITHER0') {
    if (!isInteger || Number(value) < 1 || Number(value) > 10000) throw bad(k, value, 'it must be an integer from 1 to 10000', hdu);
  } else if (/^(EXTEND|ZSIMPLE|ZEXTEND)$/.test(k)) {
    if (typeof value !== 'boolean') throw bad(k, value, 'it must be T or F', hdu);
  } else if (/^(ZPCOUNT|ZGCOUNT|ZTHEAP)$/.test(k)) {
    if (!isInteger || Number(value) < 0) throw bad(k, value, 'it must be a non-negative integer', hdu);
  } else if (/^TTYPE\d+$/.test(k)) {
    if (typeof value !== 'string' || value.trim() === '') throw bad(k, value, 'a column name must be a non-empty string', hdu);
  } else if (/^TDIM\d+$/.test(k)) {
    checkTdim(k, value, after, hdu);
  } else if (/^(ZNAME\d+|ZTENSION|ZMASKCMP|ZCTYP\d+|ZFORM\d+)$/.test(k)) {
    if (typeof value !== 'string' || value.trim() === '') throw bad(k, value, 'it must be a non-empty string', hdu);
  } else if (/^ZVAL\d+$/.test(k)) {
    if (!isNumber && typeof value !== 'string') throw bad(k, value, 'it must be a number or a string', hdu);
  }
}

/** TDIMn = '(a,b,…)': positive integers whose product fits the repeat count of TFORMn. */
function checkTdim(k: string, value: CardValue, after: EditedValues, hdu: number): void {
  const m = typeof value === 'string' ? /^\s*\(\s*(\d+(?:\s*,\s*\d+)*)\s*\)\s*$/.exec(value) : null;
  if (!m) throw bad(k, value, "it must be '(n1,n2,…)' with positive integers", hdu);
  const dims = m[1]!.split(',').map((d) => Number(d.trim()));
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 1)) throw bad(k, value, 'each axis must be a positive integer', hdu);
  const n = k.slice(4);
  const tform = after.get(`TFORM${n}`);
  if (after.get('XTENSION') !== 'BINTABLE' || typeof tform !== 'string') throw bad(k, value, `it applies to a binary-table column with a TFORM${n}`, hdu);
  let repeat: number;
  try {
    const t = parseBinaryTform(tform);
    if (t.code === 'P' || t.code === 'Q') return; // the shape of each variable-length array is checked as it is read
    repeat = t.repeat;
  } catch {
    throw bad(k, value, `TFORM${n} = '${tform}' cannot be read`, hdu);
  }
  const product = dims.reduce((a, b) => a * b, 1);
  if (product > repeat) throw bad(k, value, `its ${product} elements exceed the ${repeat} of TFORM${n} = '${tform}'`, hdu);
}
