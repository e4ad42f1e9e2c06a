/**
 * Table header checks after fitsverify: every column's TFORMn present and
 * valid, column keywords of the right type and within TFIELDS, TDIMn
 * consistent with TFORMn, TBCOLn only (and always) in ASCII tables, scaling
 * and null keywords only on columns that can have them, row width = NAXIS1.
 */
import type { Card, Header } from '../header/header.js';
import { checkType, type HduShape } from './header-checks.js';
import type { IssueList } from './issues.js';
import { parseAsciiForm, parseBinaryForm, type AsciiForm, type BinaryForm } from './tform.js';

/** The columns' parsed formats (null where invalid), for the data checks. */
export interface TableColumns {
  binary: (BinaryForm | null)[];
  ascii: (AsciiForm | null)[];
  tbcol: number[];
}

const COLUMN_KEYS = ['TTYPE', 'TFORM', 'TUNIT', 'TDISP', 'TDIM', 'TBCOL', 'TNULL', 'TSCAL', 'TZERO', 'TCTYP', 'TCUNI', 'TCRVL', 'TCDLT', 'TCRPX', 'TCROT'];

export function checkTableHeader(header: Header, shape: HduShape, issues: IssueList): TableColumns {
  const ascii = shape.type === 'table';
  const n = Math.max(0, Math.min(999, Math.floor(shape.tfields) || 0));
  const cols: TableColumns = { binary: [], ascii: [], tbcol: [] };
  const card = (k: string): Card | undefined => header.cards.find((c) => c.keyword === k);
  const where = (c: Card) => ({ card: c.index + 1 });

  // Column keywords beyond TFIELDS.
  for (const c of header.cards) {
    if (c.commentary) continue;
    for (const stem of COLUMN_KEYS) {
      if (!c.keyword.startsWith(stem)) continue;
      const rest = c.keyword.slice(stem.length);
      if (/^\d+$/.test(rest) && Number(rest) > n) issues.error('INDEX_EXCEEDS_TFIELDS', `Card ${c.index + 1}, ${c.keyword}: index ${Number(rest)} is greater than TFIELDS = ${n}.`, where(c));
    }
  }

  let rowWidth = 0;
  for (let i = 1; i <= n; i++) {
    const tform = card(`TFORM${i}`);
    let bf: BinaryForm | null = null;
    let af: AsciiForm | null = null;
    if (!tform) issues.error('MISSING_KEYWORD', `Mandatory keyword TFORM${i} is missing.`);
    else if (checkType(tform, 'string', issues)) {
      const v = String(tform.value);
      if (ascii) af = parseAsciiForm(v);
      else bf = parseBinaryForm(v);
      if (!af && !bf) issues.error('BAD_TFORM', `Card ${tform.index + 1}, TFORM${i} = '${v}' is not a valid ${ascii ? 'ASCII' : 'binary'} table format.`, where(tform));
    }
    cols.binary.push(bf);
    cols.ascii.push(af);
    if (bf) rowWidth += bf.width;

    for (const k of ['TTYPE', 'TUNIT', 'TDISP', 'TCTYP', 'TCUNI']) {
      const c = card(`${k}${i}`);
      if (c) checkType(c, 'string', issues);
    }
    for (const k of ['TCRVL', 'TCDLT', 'TCRPX', 'TCROT']) {
      const c = card(`${k}${i}`);
      if (c) checkType(c, 'float', issues);
    }
    const tbcol = card(`TBCOL${i}`);
    if (ascii) {
      if (!tbcol) issues.error('MISSING_KEYWORD', `Mandatory keyword TBCOL${i} is missing.`);
      else if (checkType(tbcol, 'int', issues)) {
        const v = Number(tbcol.value);
        cols.tbcol.push(v);
        if (v < 1 || (af && v + af.width - 1 > (shape.naxis[0] ?? 0))) issues.error('TBCOL_MISMATCH', `Card ${tbcol.index + 1}, TBCOL${i} = ${v}: the field does not fit in a row of NAXIS1 = ${shape.naxis[0] ?? 0} characters.`, where(tbcol));
      }
    } else if (tbcol) issues.error('TBCOL_IN_BINARY', `Card ${tbcol.index + 1}, TBCOL${i} is not allowed in a binary table.`, where(tbcol));
    if (!ascii && !tbcol) cols.tbcol.push(0);

    const code = bf?.code === 'P' || bf?.code === 'Q' ? bf.varCode : bf?.code ?? af?.code;
    for (const k of ['TSCAL', 'TZERO']) {
      const c = card(`${k}${i}`);
      if (!c) continue;
      if (checkType(c, 'float', issues)) {
        if (code === 'A' || code === 'L' || code === 'X') issues.error('TSCAL_WRONG_TYPE', `Card ${c.index + 1}, ${k}${i} is used in an A, L or X column.`, where(c));
        else if (k === 'TSCAL' && Number(c.value) === 0) issues.warning('ZERO_SCALE', `Card ${c.index + 1}, TSCAL${i}: the scaling factor is 0.`, where(c));
      }
    }
    const tnull = card(`TNULL${i}`);
    if (tnull) {
      if (ascii) checkType(tnull, 'string', issues);
      else if (checkType(tnull, 'int', issues) && code && !'BIJK'.includes(code)) {
        issues.error('TNULL_WRONG_TYPE', `Card ${tnull.index + 1}, TNULL${i} is used for a column of format ${String(tform?.value ?? '').trim()}.`, where(tnull));
      }
    }
    const tdim = card(`TDIM${i}`);
    if (tdim && ascii) issues.error('TDIM_IN_ASCII', `Card ${tdim.index + 1}, TDIM${i} is not allowed in an ASCII table.`, where(tdim));
    else if (tdim && checkType(tdim, 'string', issues) && bf) {
      const m = /^\s*\(\s*(\d+(\s*,\s*\d+)*)\s*\)\s*$/.exec(String(tdim.value));
      if (!m) issues.error('BAD_TDIM', `Card ${tdim.index + 1}, TDIM${i} = '${tdim.value}' is not of the form '(n1,n2,...)'.`, where(tdim));
      else if (bf.code !== 'P' && bf.code !== 'Q') {
        const product = m[1]!.split(',').reduce((p, x) => p * Number(x), 1);
        if (product > bf.repeat) issues.error('BAD_TDIM', `Card ${tdim.index + 1}, TDIM${i} = '${String(tdim.value).trim()}' holds ${product} elements, more than the repeat count ${bf.repeat} of TFORM${i}.`, where(tdim));
      }
    }
  }
  if (!ascii && n > 0 && cols.binary.every((f) => f) && rowWidth !== (shape.naxis[0] ?? 0)) {
    issues.error('NAXIS1_MISMATCH', `The columns take ${rowWidth} bytes per row but NAXIS1 = ${shape.naxis[0] ?? 0}.`);
  }
  const theap = card('THEAP');
  if (theap) {
    if (ascii) issues.error('KEYWORD_NOT_ALLOWED', `Card ${theap.index + 1}, THEAP is not allowed in an ASCII table.`, where(theap));
    else if (checkType(theap, 'int', issues) && shape.pcount === 0) issues.error('THEAP_NO_PCOUNT', `Card ${theap.index + 1}, THEAP is given but PCOUNT = 0.`, where(theap));
  }
  // Columns without names, and names that repeat.
  const names = new Map<string, number>();
  for (let i = 1; i <= n; i++) {
    const t = card(`TTYPE${i}`);
    if (!t) {
      issues.warning('NO_COLUMN_NAME', `Column ${i} has no name (no TTYPE${i}).`);
      continue;
    }
    const name = String(t.value ?? '').trim().toUpperCase();
    const prev = names.get(name);
    if (prev !== undefined) issues.warning('DUPLICATE_COLUMN', `Columns ${prev} and ${i} have the same name ${name} (case-insensitive).`);
    else names.set(name, i);
  }
  return cols;
}
