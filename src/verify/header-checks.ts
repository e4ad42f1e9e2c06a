/**
 * Header checks after fitsverify (fvrf_head.c): the mandatory keywords of each
 * HDU type in their required order and fixed format, keywords not allowed in
 * that HDU type, the types of reserved keywords, duplicates and deprecations.
 */
import type { Card, Header } from '../header/header.js';
import type { IssueList } from './issues.js';
import { checkCardSyntax, checkFixedInt, checkFixedLogical, checkFixedString, type RawCard } from './raw-cards.js';

/** What the header says an HDU is (filled in by {@link checkHeader}). */
export interface HduShape {
  type: 'primary' | 'image' | 'table' | 'bintable' | 'other';
  bitpix: number;
  naxis: number[];
  pcount: number;
  gcount: number;
  tfields: number;
  groups: boolean;
}

const VALID_BITPIX = new Set([8, 16, 32, 64, -32, -64]);
const STRING_KEYS = ['EXTNAME', 'ORIGIN', 'AUTHOR', 'CREATOR', 'REFERENC', 'TELESCOP', 'INSTRUME', 'OBSERVER', 'OBJECT'];
const INT_KEYS = ['EXTVER', 'EXTLEVEL'];
const FLOAT_KEYS = ['EQUINOX', 'MJD-OBS', 'MJD-AVG', 'EPOCH'];
const TABLE_INDEXED = ['TBCOL', 'TFORM', 'TSCAL', 'TZERO', 'TNULL', 'TTYPE', 'TUNIT', 'TDISP', 'TDIM', 'TCTYP', 'TCUNI', 'TCRVL', 'TCDLT', 'TCRPX', 'TCROT'];
const IMAGE_ONLY = ['BSCALE', 'BZERO', 'BUNIT', 'BLANK', 'DATAMAX', 'DATAMIN'];

/** The logical card (typed value) that starts at physical card `number`. */
export function cardsByNumber(header: Header): Map<number, Card> {
  const m = new Map<number, Card>();
  for (const c of header.cards) m.set(c.index + 1, c);
  return m;
}

const isInt = (c: Card | undefined) => !!c && !c.invalid && !c.isReal && (typeof c.value === 'number' || typeof c.value === 'bigint');
const isNum = (c: Card | undefined) => !!c && !c.invalid && (typeof c.value === 'number' || typeof c.value === 'bigint');
const num = (c: Card | undefined) => (c && (typeof c.value === 'number' || typeof c.value === 'bigint') ? Number(c.value) : NaN);

/** Check a reserved keyword's value type. */
export function checkType(c: Card, want: 'string' | 'int' | 'float' | 'logical', issues: IssueList): boolean {
  const where = { card: c.index + 1 };
  if (c.value === null && !c.invalid) {
    issues.error('NULL_VALUE', `Card ${c.index + 1}, ${c.keyword} has no value; a${want === 'int' ? 'n integer' : ` ${want}`} is expected.`, where);
    return false;
  }
  const ok = want === 'string' ? typeof c.value === 'string' : want === 'int' ? isInt(c) : want === 'float' ? isNum(c) : typeof c.value === 'boolean';
  if (!ok) issues.error('KEYWORD_TYPE', `Card ${c.index + 1}, ${c.keyword}: the value is not ${want === 'int' ? 'an integer' : want === 'float' ? 'a number' : `a ${want}`}.`, where);
  return ok;
}

/**
 * Check one header. `cards` are the physical cards through END; `index` the
 * HDU's position; `hduCount` how many HDUs the file has (for EXTEND).
 */
export function checkHeader(cards: RawCard[], header: Header, index: number, hduCount: number, issues: IssueList): HduShape {
  const typed = cardsByNumber(header);
  const shape: HduShape = { type: 'other', bitpix: 0, naxis: [], pcount: 0, gcount: 1, tfields: 0, groups: false };
  for (const c of cards) checkCardSyntax(c, issues);
  for (const c of header.cards) {
    if (c.invalid) issues.error('BAD_VALUE_FORMAT', `Card ${c.index + 1}, ${c.keyword}: the value field cannot be read.`, { card: c.index + 1 });
  }
  const at = (i: number) => cards[i];
  const expect = (i: number, key: string): Card | undefined => {
    const c = at(i);
    if (!c || c.keyword !== key) {
      issues.error('MANDATORY_ORDER', `${key} must be card ${i + 1}${c ? `; card ${i + 1} is ${c.keyword || 'blank'}` : ''}.`, { card: i + 1 });
      return undefined;
    }
    return typed.get(i + 1);
  };
  // Positions of the mandatory cards (0-based), which are excused from the "out of order" search below.
  const mandatory = new Set<number>();
  let pos = 0;
  if (index === 0) {
    const simple = expect(0, 'SIMPLE');
    if (simple) {
      mandatory.add(0);
      checkFixedLogical(at(0)!, issues);
      if (simple.value === false) issues.warning('SIMPLE_FALSE', 'SIMPLE = F: the file does not claim to conform to the FITS standard.', { card: 1 });
    }
    shape.type = 'primary';
  } else {
    const x = expect(0, 'XTENSION');
    if (x) {
      mandatory.add(0);
      checkFixedString(at(0)!, issues);
      const v = typeof x.value === 'string' ? x.value.trim() : '';
      if (v === 'IMAGE') shape.type = 'image';
      else if (v === 'TABLE') shape.type = 'table';
      else if (v === 'BINTABLE') shape.type = 'bintable';
      else if (['A3DTABLE', 'IUEIMAGE', 'FOREIGN', 'DUMP'].includes(v)) {
        issues.warning('LEGACY_XTENSION', `XTENSION = '${v}' is a legacy extension type.`, { card: 1 });
        if (v === 'A3DTABLE') shape.type = 'bintable';
      } else issues.error('XTENSION_VALUE', `XTENSION = '${v}' is not a registered extension type.`, { card: 1 });
    }
  }
  pos = 1;
  const bitpix = expect(pos, 'BITPIX');
  if (bitpix) {
    mandatory.add(pos);
    checkFixedInt(at(pos)!, issues);
    shape.bitpix = num(bitpix);
    if (!VALID_BITPIX.has(shape.bitpix)) issues.error('KEYWORD_VALUE', `BITPIX = ${at(pos)!.text.slice(10, 30).trim()} is not one of 8, 16, 32, 64, -32, -64.`, { card: pos + 1 });
  }
  pos = 2;
  const naxis = expect(pos, 'NAXIS');
  let nAxes = 0;
  if (naxis) {
    mandatory.add(pos);
    checkFixedInt(at(pos)!, issues);
    nAxes = num(naxis);
    if (!Number.isInteger(nAxes) || nAxes < 0 || nAxes > 999) {
      issues.error('KEYWORD_VALUE', `NAXIS = ${nAxes} is not an integer from 0 to 999.`, { card: 3 });
      nAxes = 0;
    }
  }
  for (let n = 1; n <= nAxes; n++) {
    pos = 2 + n;
    const c = expect(pos, `NAXIS${n}`);
    if (!c) {
      shape.naxis.push(0);
      continue;
    }
    mandatory.add(pos);
    checkFixedInt(at(pos)!, issues);
    const v = num(c);
    if (!Number.isInteger(v) || v < 0) issues.error('KEYWORD_VALUE', `NAXIS${n} = ${at(pos)!.text.slice(10, 30).trim()} is not a non-negative integer.`, { card: pos + 1 });
    shape.naxis.push(Number.isInteger(v) && v >= 0 ? v : 0);
  }
  pos = 3 + nAxes;
  if (index > 0) {
    const pc = expect(pos, 'PCOUNT');
    if (pc) {
      mandatory.add(pos);
      checkFixedInt(at(pos)!, issues);
      shape.pcount = num(pc);
    }
    const gc = expect(pos + 1, 'GCOUNT');
    if (gc) {
      mandatory.add(pos + 1);
      checkFixedInt(at(pos + 1)!, issues);
      shape.gcount = num(gc);
    }
    if (shape.type === 'table' || shape.type === 'bintable') {
      const tf = expect(pos + 2, 'TFIELDS');
      if (tf) {
        mandatory.add(pos + 2);
        checkFixedInt(at(pos + 2)!, issues);
        shape.tfields = num(tf);
        if (!Number.isInteger(shape.tfields) || shape.tfields < 0 || shape.tfields > 999) issues.error('BAD_TFIELDS', `TFIELDS = ${shape.tfields} is not an integer from 0 to 999.`, { card: pos + 3 });
      }
      if (shape.bitpix !== 8) issues.error('KEYWORD_VALUE', `BITPIX must be 8 in a ${shape.type === 'table' ? 'ASCII' : 'binary'} table.`, { card: 2 });
      if (nAxes !== 2) issues.error('KEYWORD_VALUE', `NAXIS must be 2 in a ${shape.type === 'table' ? 'ASCII' : 'binary'} table.`, { card: 3 });
      if (shape.gcount !== 1) issues.error('KEYWORD_VALUE', `GCOUNT must be 1 in a table (it is ${shape.gcount}).`, { card: pos + 2 });
      if (shape.type === 'table' && shape.pcount !== 0) issues.error('KEYWORD_VALUE', `PCOUNT must be 0 in an ASCII table (it is ${shape.pcount}).`, { card: pos + 1 });
      if (shape.type === 'bintable' && !(shape.pcount >= 0)) issues.error('KEYWORD_VALUE', `PCOUNT must be 0 or more (it is ${shape.pcount}).`, { card: pos + 1 });
    } else if (shape.type === 'image') {
      if (shape.pcount !== 0) issues.error('KEYWORD_VALUE', `Illegal PCOUNT value ${shape.pcount} for an image extension.`, { card: pos + 1 });
      if (shape.gcount !== 1) issues.error('KEYWORD_VALUE', `Illegal GCOUNT value ${shape.gcount} for an image extension.`, { card: pos + 2 });
    }
  }

  // Keyword placement.
  const firstCard = (key: string) => header.cards.find((c) => c.keyword === key);
  const allWith = (pred: (k: string) => boolean) => header.cards.filter((c) => !c.commentary && pred(c.keyword));
  const notAllowed = (c: Card, where: string) => issues.error('KEYWORD_NOT_ALLOWED', `Card ${c.index + 1}, ${c.keyword} is not allowed in ${where}.`, { card: c.index + 1 });
  const indexed = (c: Card, stems: readonly string[]) => stems.some((s) => c.keyword.startsWith(s) && /^\d+$/.test(c.keyword.slice(s.length)));
  for (const c of header.cards) {
    if (c.commentary || mandatory.has(c.index)) continue;
    if (['SIMPLE', 'BITPIX', 'NAXIS', 'XTENSION', 'END'].includes(c.keyword)) {
      issues.error('MANDATORY_ORDER', `Card ${c.index + 1}, ${c.keyword} is duplicated or out of order.`, { card: c.index + 1 });
    } else if (/^NAXIS\d+$/.test(c.keyword)) {
      const n = Number(c.keyword.slice(5));
      issues.error(n > nAxes ? 'KEYWORD_NOT_ALLOWED' : 'MANDATORY_ORDER', n > nAxes ? `Card ${c.index + 1}, ${c.keyword} is not allowed (n > NAXIS = ${nAxes}).` : `Card ${c.index + 1}, ${c.keyword} is duplicated or out of order.`, { card: c.index + 1 });
    } else if (index > 0 && ['PCOUNT', 'GCOUNT'].includes(c.keyword) || (index > 0 && c.keyword === 'TFIELDS' && (shape.type === 'table' || shape.type === 'bintable'))) {
      issues.error('MANDATORY_ORDER', `Card ${c.index + 1}, ${c.keyword} is duplicated or out of order.`, { card: c.index + 1 });
    }
  }
  if (index === 0) {
    const groups = firstCard('GROUPS');
    shape.groups = groups?.value === true && nAxes > 0 && shape.naxis[0] === 0;
    for (const c of allWith((k) => k === 'XTENSION')) if (!mandatory.has(c.index)) notAllowed(c, 'a primary array');
    for (const c of allWith((k) => k === 'PCOUNT' || k === 'GCOUNT')) {
      if (!shape.groups) notAllowed(c, 'a primary array');
      else if (checkType(c, 'int', issues)) {
        if (c.keyword === 'PCOUNT') shape.pcount = num(c);
        else shape.gcount = num(c);
      }
    }
    const extend = firstCard('EXTEND');
    if (extend && !shape.groups && checkType(extend, 'logical', issues) && extend.value === false && hduCount > 1) issues.error('EXTEND_FALSE', 'There are extensions but EXTEND = F.', { card: extend.index + 1 });
    if (!shape.groups) {
      for (const c of allWith((k) => /^P(TYPE|SCAL|ZERO)\d+$/.test(k))) notAllowed(c, 'a primary array that is not random groups');
    }
  } else {
    for (const c of allWith((k) => ['SIMPLE', 'EXTEND', 'BLOCKED', 'GROUPS'].includes(k) || /^P(TYPE|SCAL|ZERO)\d+$/.test(k))) if (!mandatory.has(c.index)) notAllowed(c, 'extensions');
  }
  const isArray = shape.type === 'primary' || shape.type === 'image';
  const isTable = shape.type === 'table' || shape.type === 'bintable';
  if (isArray) {
    for (const c of allWith((k) => k === 'TFIELDS' || k === 'THEAP')) notAllowed(c, 'an array HDU');
    for (const c of header.cards) if (!c.commentary && indexed(c, TABLE_INDEXED)) notAllowed(c, 'an array HDU');
    const blank = firstCard('BLANK');
    if (blank && checkType(blank, 'int', issues) && shape.bitpix < 0) issues.error('BLANK_WRONG_TYPE', `Card ${blank.index + 1}, BLANK must not be used with floating-point data (BITPIX = ${shape.bitpix}).`, { card: blank.index + 1 });
    const bscale = firstCard('BSCALE');
    if (bscale && checkType(bscale, 'float', issues) && num(bscale) === 0) issues.warning('ZERO_SCALE', `Card ${bscale.index + 1}, BSCALE: the scaling factor is 0.`, { card: bscale.index + 1 });
    for (const k of ['BZERO', 'DATAMAX', 'DATAMIN']) {
      const c = firstCard(k);
      if (c) checkType(c, 'float', issues);
    }
    const bunit = firstCard('BUNIT');
    if (bunit) checkType(bunit, 'string', issues);
  }
  // Tile-compressed images (ZIMAGE = T) are images to fitsverify: their scaling keywords are allowed.
  if (isTable && firstCard('ZIMAGE')?.value !== true) for (const c of allWith((k) => IMAGE_ONLY.includes(k))) notAllowed(c, 'a binary or ASCII table');

  // Reserved keywords of every HDU.
  for (const k of STRING_KEYS) {
    const c = firstCard(k);
    if (c) checkType(c, 'string', issues);
  }
  for (const k of INT_KEYS) {
    const c = firstCard(k);
    if (c) checkType(c, 'int', issues);
  }
  for (const k of FLOAT_KEYS) {
    const c = firstCard(k);
    if (c) checkType(c, 'float', issues);
  }
  const epoch = firstCard('EPOCH');
  if (epoch) issues.warning('DEPRECATED', `Card ${epoch.index + 1}, EPOCH is deprecated; use EQUINOX.`, { card: epoch.index + 1 });
  const blocked = firstCard('BLOCKED');
  if (blocked) issues.warning('DEPRECATED', `Card ${blocked.index + 1}, BLOCKED is deprecated.`, { card: blocked.index + 1 });
  for (const c of allWith((k) => k.startsWith('DATE'))) {
    if (checkType(c, 'string', issues) && !isFitsDate(String(c.value))) issues.error('BAD_DATE', `Card ${c.index + 1}, ${c.keyword} = '${c.value}' is not a FITS date (YYYY-MM-DD[Thh:mm:ss[.s]] or DD/MM/YY).`, { card: c.index + 1 });
  }
  // Duplicated keywords (commentary cards may repeat).
  const seen = new Map<string, number>();
  for (const c of header.cards) {
    if (c.commentary || c.hierarch) continue;
    const first = seen.get(c.keyword);
    if (first !== undefined && !mandatory.has(c.index)) issues.warning('DUPLICATE_KEYWORD', `Keyword ${c.keyword} is duplicated in card ${first} and card ${c.index + 1}.`, { card: c.index + 1 });
    else if (first === undefined) seen.set(c.keyword, c.index + 1);
  }
  return shape;
}

/** The date forms CFITSIO accepts (fits_str2time). */
function isFitsDate(v: string): boolean {
  const s = v.trim();
  if (/^\d{2}\/\d{2}\/\d{2}$/.test(s)) return true;
  const m = /^(\d{4})-(\d{2})-(\d{2})(T(\d{2}):(\d{2}):(\d{2}(\.\d*)?))?$/.exec(s);
  if (!m) return false;
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return false;
  if (m[4] && (Number(m[5]) > 23 || Number(m[6]) > 59 || Number(m[7]) >= 61)) return false;
  return true;
}
