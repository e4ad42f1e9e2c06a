/**
 * Binary tables: columns (src/table/column.ts contract, plain typed arrays or
 * string arrays) → TFORMn/TTYPEn/… cards and big-endian rows + heap.
 *
 * Every TFORM: L, X, B, I, J, K, A, E, D, C, M and variable-length P/Q arrays
 * of any of them (heap after the table). Unsigned integers via TZEROn = 2^(n−1),
 * signed bytes via TZEROn = −128, TSCALn/TZEROn scaling of float data into
 * integer fields, TNULLn for null integers, TDIMn for multi-dimensional cells.
 */
import { FitsError } from '../core/errors.js';
import type { CardValue } from '../header/card.js';
import { parseBinaryTform, type BinaryTform, type TformCode } from '../table/read/tform.js';
import type { Column, ColumnArray, ColumnDType } from '../table/column.js';
import type { CardInput } from '../header/format.js';
import { keyOf, type StructuralCard } from './header-build.js';
import { littleEndianHost } from '../core/buffers.js';

/** A column to write. Only `name` and `data` are required. */
export interface ColumnInput {
  name: string;
  /** Values (column.ts layout). Plain `boolean[]` and `number[]` are accepted too. */
  data: ColumnArray | string[] | readonly boolean[] | readonly number[] | readonly (ColumnArray | string | readonly number[])[];
  /** TFORM (e.g. '3E', '20A', '1PJ', '1QD'); default from the data type. */
  format?: string;
  /** Element type of `data` (default: from the array type). */
  dtype?: ColumnDType;
  /** Cell shape, C order (slowest first); default [] (scalars) or from `format`. */
  cellShape?: readonly number[] | null;
  /** Variable-length columns: row i is data[offsets[i] .. offsets[i+1]). */
  offsets?: Int32Array | Float64Array | readonly number[];
  /** Validity bitmap (1 = valid), one bit per element, LSB first. */
  validity?: Uint8Array;
  unit?: string;
  /** TNULLn for integer fields (written for null elements). */
  tnull?: number | bigint;
  /** TSCALn / TZEROn: stored = (value − TZERO) / TSCAL. */
  tscal?: number;
  tzero?: number | bigint;
  /** Width of each string element of an A column with cells (TDIM's first axis). */
  stringWidth?: number;
}

/** Anything the table writer takes. */
export type TableInput =
  | readonly (Column | ColumnInput)[]
  | { readonly columns: readonly (Column | ColumnInput)[] }
  | { readonly [name: string]: ColumnArray | string[] | readonly boolean[] | readonly number[] | readonly (ColumnArray | string | readonly number[])[] };

type Kind = 'logical' | 'bits' | 'int' | 'float' | 'complex' | 'string';

/** How one column is stored. */
export interface ColumnPlan {
  index: number;
  name: string;
  /** Whether to write TTYPEn (false for unnamed columns copied from a header without it). */
  writeName: boolean;
  tform: BinaryTform;
  kind: Kind;
  /** Element code (for P/Q the element type). */
  code: Exclude<TformCode, 'P' | 'Q'>;
  vla: boolean;
  /** Elements per row (fixed-width columns). */
  cellSize: number;
  cellShape: number[] | null;
  /** Byte offset of the field in a row, and its width. */
  offset: number;
  width: number;
  dtype: ColumnDType;
  /** Integer fields: stored = value − offsetZero (exact unsigned/signed conventions). */
  offsetMode: boolean;
  /** Stored = (value − tzero) / tscal (rounded for integer fields). */
  scaleMode: boolean;
  tscal: number;
  tzero: number;
  tzeroCard: number | bigint | undefined;
  tscalCard: number | undefined;
  tnull: number | bigint | undefined;
  stringWidth: number;
  unit: string | undefined;
  tdim: string | undefined;
  /** TFORM came from the user's header (kept as written). */
  formFromHeader: boolean;
  /** Longest variable-length array written so far. */
  maxSeen: number;
}

/** Per-chunk data of one column. */
export interface ColumnSource {
  data: ArrayLike<unknown>;
  offsets?: ArrayLike<number>;
  validity?: Uint8Array;
  length: number;
}

const DTYPE_OF_CODE: Record<string, ColumnDType> = { L: 'bool', X: 'bool', B: 'uint8', I: 'int16', J: 'int32', K: 'int64', E: 'float32', D: 'float64', C: 'complex64', M: 'complex128', A: 'string' };
const CODE_OF_DTYPE: Record<ColumnDType, Exclude<TformCode, 'P' | 'Q'>> = {
  bool: 'L', uint8: 'B', int8: 'B', int16: 'I', uint16: 'I', int32: 'J', uint32: 'J', int64: 'K', uint64: 'K', float32: 'E', float64: 'D', complex64: 'C', complex128: 'M', string: 'A',
};
const UNSIGNED_ZERO: Partial<Record<ColumnDType, number | bigint>> = { int8: -128, uint16: 32768, uint32: 2147483648, uint64: 9223372036854775808n };
const ELEMENT_BYTES: Record<string, number> = { L: 1, X: 1, B: 1, I: 2, J: 4, K: 8, A: 1, E: 4, D: 8, C: 8, M: 16 };

function bad(message: string, hdu?: number): FitsError {
  return new FitsError('BAD_ARGUMENT', message, hdu !== undefined ? { hdu } : {});
}

function dtypeOfArray(a: unknown): ColumnDType | undefined {
  if (a instanceof Uint8Array) return 'uint8';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Uint16Array) return 'uint16';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Uint32Array) return 'uint32';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof BigUint64Array) return 'uint64';
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  return undefined;
}

/** Normalized column: data flattened to column.ts layout. */
export interface NormalColumn {
  name: string;
  dtype: ColumnDType;
  format?: string;
  cellShape: number[] | null;
  length: number;
  data: ArrayLike<unknown>;
  offsets?: ArrayLike<number>;
  validity?: Uint8Array;
  unit?: string;
  tnull?: number | bigint;
  tscal?: number;
  tzero?: number | bigint;
  stringWidth?: number;
}

/** Turn one input column into the column.ts layout (nested JS arrays become VLA or flat cells). */
export function normalizeColumn(c: Column | ColumnInput, hdu?: number): NormalColumn {
  const name = c.name;
  if (typeof name !== 'string') throw bad('Every column needs a name.', hdu);
  const input = c as ColumnInput;
  let data: ArrayLike<unknown> = c.data as ArrayLike<unknown>;
  let dtype: ColumnDType | undefined = (c as Column).dtype ?? input.dtype;
  let offsets = c.offsets as ArrayLike<number> | undefined;
  let cellShape: number[] | null | undefined = c.cellShape === undefined ? undefined : c.cellShape === null ? null : [...c.cellShape];
  const arrDtype = dtypeOfArray(data);
  if (!arrDtype && Array.isArray(data)) {
    const arr = data as unknown[];
    const first = arr.find((x) => x !== null && x !== undefined);
    if (typeof first === 'string' || (first === undefined && dtype === 'string')) dtype = 'string';
    else if (typeof first === 'boolean') {
      dtype = 'bool';
      data = Uint8Array.from(arr, (x) => (x ? 1 : 0));
    } else if (typeof first === 'number' && !offsets) {
      dtype ??= 'float64';
      data = Float64Array.from(arr as number[]);
    } else if (typeof first === 'bigint') {
      dtype ??= 'int64';
      data = BigInt64Array.from(arr as bigint[]);
    } else if (first !== undefined && (Array.isArray(first) || ArrayBuffer.isView(first))) {
      // One array per row: variable length unless a fixed cell shape is given.
      const rows = arr as ArrayLike<unknown>[];
      const elDtype = dtype ?? dtypeOfArray(first) ?? (typeof (first as unknown[])[0] === 'boolean' ? 'bool' : typeof (first as unknown[])[0] === 'string' ? 'string' : 'float64');
      dtype = elDtype;
      const lens = rows.map((r) => (r ? r.length : 0));
      const total = lens.reduce((a, b) => a + b, 0);
      const off = new Int32Array(rows.length + 1);
      for (let i = 0; i < rows.length; i++) off[i + 1] = off[i]! + lens[i]!;
      const flat: unknown[] | ColumnArray = elDtype === 'string' ? new Array<string>(total) : makeArray(elDtype, total);
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i];
        if (!r) continue;
        for (let k = 0; k < r.length; k++) {
          const v = r[k];
          (flat as unknown as unknown[])[off[i]! + k] = elDtype === 'bool' ? (v ? 1 : 0) : v;
        }
      }
      data = flat as ArrayLike<unknown>;
      const fixed = cellShape && cellShape.length > 0 && lens.every((n) => n === cellShape!.reduce((a, b) => a * b, 1));
      if (!fixed) {
        offsets = off;
        cellShape = null;
      }
    } else if (first === undefined) {
      dtype ??= 'float64';
      data = new Float64Array(0);
    }
  } else if (arrDtype) {
    if (!dtype) dtype = arrDtype;
  }
  const fmt = (c as Column).format || input.format;
  if (dtype === 'string' && !offsets && fmt && /^\s*\d*[PQ]A/i.test(fmt)) {
    // Strings for a PA/QA column: their bytes, one row each.
    const strs = data as ArrayLike<string>;
    const off = new Int32Array(strs.length + 1);
    for (let i = 0; i < strs.length; i++) off[i + 1] = off[i]! + String(strs[i] ?? '').length;
    const bytes = new Uint8Array(off[strs.length]!);
    for (let i = 0; i < strs.length; i++) {
      const s = String(strs[i] ?? '');
      for (let j = 0; j < s.length; j++) bytes[off[i]! + j] = s.charCodeAt(j);
    }
    data = bytes;
    offsets = off;
    cellShape = null;
  }
  if (!dtype) throw bad(`Column ${name}: unsupported data (use a typed array, string[], boolean[] or number[]).`, hdu);
  if (c.offsets && !ArrayBuffer.isView(c.offsets) && Array.isArray(c.offsets)) offsets = Int32Array.from(c.offsets as number[]);
  if (cellShape === undefined && fmt && !offsets && dtype !== 'string') {
    const m = /^\s*(\d*)([LXBIJKEDCM])/i.exec(fmt);
    if (m) {
      const r = m[1] ? Number(m[1]) : 1;
      cellShape = r === 1 && m[2]!.toUpperCase() !== 'X' ? [] : [r];
    }
  }
  const nominal = (c as Column).length;
  let length: number;
  if (offsets) length = offsets.length - 1;
  else if (typeof nominal === 'number') length = nominal;
  else {
    const per = cellShape ? cellShape.reduce((a, b) => a * b, 1) : 1;
    const mult = dtype === 'complex64' || dtype === 'complex128' ? 2 : 1;
    length = per === 0 ? 0 : data.length / (per * mult);
    if (!Number.isInteger(length)) throw bad(`Column ${name}: ${data.length} values do not fill whole cells of shape [${cellShape?.join(', ')}].`, hdu);
  }
  return {
    name,
    dtype,
    format: (c as Column).format || input.format || undefined,
    cellShape: offsets ? null : cellShape ?? [],
    length,
    data,
    offsets,
    validity: c.validity,
    unit: c.unit,
    tnull: input.tnull,
    tscal: input.tscal,
    tzero: input.tzero,
    stringWidth: input.stringWidth,
  };
}

function makeArray(dtype: ColumnDType, n: number): ColumnArray {
  switch (dtype) {
    case 'bool': case 'uint8': return new Uint8Array(n);
    case 'int8': return new Int8Array(n);
    case 'int16': return new Int16Array(n);
    case 'uint16': return new Uint16Array(n);
    case 'int32': return new Int32Array(n);
    case 'uint32': return new Uint32Array(n);
    case 'int64': return new BigInt64Array(n);
    case 'uint64': return new BigUint64Array(n);
    case 'float32': case 'complex64': return new Float32Array(n);
    default: return new Float64Array(n);
  }
}

/** The list of columns of any accepted table input. */
export function tableColumns(input: TableInput, hdu?: number): NormalColumn[] {
  let cols: readonly (Column | ColumnInput)[];
  if (Array.isArray(input)) cols = input as readonly (Column | ColumnInput)[];
  else if (input && typeof input === 'object' && Array.isArray((input as { columns?: unknown }).columns)) cols = (input as { columns: readonly (Column | ColumnInput)[] }).columns;
  else cols = Object.entries(input as Record<string, ColumnInput['data']>).map(([name, data]) => ({ name, data }));
  return cols.map((c) => normalizeColumn(c, hdu));
}

function headerValue(cards: readonly CardInput[], key: string): CardValue | undefined {
  const c = cards.find((x) => !x.commentary && keyOf(x) === key);
  return c ? (c.value ?? null) : undefined;
}

function numberOf(v: CardValue | undefined): number | undefined {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined;
}

/** Parse '(a,b,c)' into numbers (FITS order). */
function parseTdim(v: string): number[] | undefined {
  const m = /^\s*\(([\d\s,]+)\)\s*$/.exec(v);
  if (!m) return undefined;
  const parts = m[1]!.split(',').map((s) => Number(s.trim()));
  return parts.every((n) => Number.isInteger(n) && n >= 0) ? parts : undefined;
}

/**
 * Plan every column: its TFORM and scaling, using (in order) the column's own
 * options, the user's header cards (TFORMn, TSCALn, TZEROn, TNULLn, TDIMn), and
 * defaults from the element type.
 */
export function planColumns(cols: readonly NormalColumn[], user: readonly CardInput[], hdu?: number, opts: { schemaOnly?: boolean } = {}): { plans: ColumnPlan[]; rowWidth: number; nrows: number } {
  const plans: ColumnPlan[] = [];
  let offset = 0;
  let nrows = -1;
  cols.forEach((c, i) => {
    const n = i + 1;
    if (nrows < 0) nrows = c.length;
    else if (c.length !== nrows && !opts.schemaOnly) throw bad(`Column ${c.name} has ${c.length} rows, the others ${nrows}.`, hdu);
    const hForm = headerValue(user, `TFORM${n}`);
    const formText = typeof hForm === 'string' && hForm.trim() ? hForm.trim() : c.format;
    const isVla = !!c.offsets || (opts.schemaOnly === true && !!formText && /^\s*\d*[PQ]/i.test(formText));
    const elementCode = CODE_OF_DTYPE[c.dtype];
    let tform: BinaryTform;
    if (formText) {
      tform = parseBinaryTform(formText, hdu);
      if ((tform.code === 'P' || tform.code === 'Q') && tform.maxLength === undefined && typeof hForm !== 'string' && c.offsets) {
        // Add the maximum length to a user's P/Q format (CFITSIO expects it).
        let max = 0;
        for (let r = 0; r < c.length; r++) max = Math.max(max, Number(c.offsets[r + 1]) - Number(c.offsets[r]));
        tform = parseBinaryTform(`${formText}(${max})`, hdu);
      }
    } else if (isVla) {
      let max = 0;
      for (let r = 0; r < c.length; r++) max = Math.max(max, Number(c.offsets![r + 1]) - Number(c.offsets![r]));
      const total = c.length ? Number(c.offsets![c.length]) - Number(c.offsets![0]) : 0;
      const wide = total * (ELEMENT_BYTES[elementCode] ?? 1) * (c.dtype.startsWith('complex') ? 1 : 1) > 2 ** 31 - 1;
      tform = parseBinaryTform(`1${wide ? 'Q' : 'P'}${elementCode}(${max})`, hdu);
    } else {
      let per = c.cellShape ? c.cellShape.reduce((a, b) => a * b, 1) : 1;
      if (c.dtype === 'string') {
        let w = c.stringWidth ?? 0;
        if (!c.stringWidth) for (let k = 0; k < c.data.length; k++) w = Math.max(w, latin1Length(String((c.data as string[])[k] ?? '')));
        w = Math.max(w, 1);
        per *= w;
      }
      tform = parseBinaryTform(`${per}${elementCode}`, hdu);
    }
    const vla = tform.code === 'P' || tform.code === 'Q';
    if (vla !== isVla) throw bad(`Column ${c.name}: TFORM ${tform.text} ${vla ? 'needs' : 'cannot take'} variable-length data.`, hdu);
    const code = (vla ? tform.elementCode! : tform.code) as Exclude<TformCode, 'P' | 'Q'>;
    const kind: Kind = code === 'L' ? 'logical' : code === 'X' ? 'bits' : code === 'A' ? 'string' : code === 'C' || code === 'M' ? 'complex' : code === 'E' || code === 'D' ? 'float' : 'int';
    checkCompatible(c, code, kind, hdu);
    // Cell shape and TDIM.
    const hTdim = headerValue(user, `TDIM${n}`);
    const tdimAxes = typeof hTdim === 'string' ? parseTdim(hTdim) : undefined;
    let cellShape = c.cellShape;
    let stringWidth = 0;
    let cellSize = 1;
    if (!vla) {
      if (kind === 'string') {
        if (tdimAxes && tdimAxes.length >= 1) {
          stringWidth = tdimAxes[0]!;
          cellShape = tdimAxes.slice(1).reverse();
        } else if (cellShape && cellShape.length > 0) {
          stringWidth = c.stringWidth ?? Math.floor(tform.repeat / cellShape.reduce((a, b) => a * b, 1));
        } else {
          stringWidth = tform.repeat;
          cellShape = [];
        }
        cellSize = cellShape!.reduce((a, b) => a * b, 1);
        if (stringWidth * cellSize !== tform.repeat) throw bad(`Column ${c.name}: TFORM ${tform.text} does not hold ${cellSize} strings of ${stringWidth} characters.`, hdu);
      } else {
        if (tdimAxes) cellShape = [...tdimAxes].reverse();
        else if (!cellShape || (cellShape.length <= 1 && tform.repeat !== (cellShape[0] ?? 1))) cellShape = tform.repeat === 1 && (!cellShape || cellShape.length === 0) && kind !== 'bits' ? [] : [tform.repeat];
        cellSize = cellShape.reduce((a, b) => a * b, 1);
        if (cellSize !== tform.repeat) throw bad(`Column ${c.name}: cells of shape [${cellShape.join(', ')}] do not match TFORM ${tform.text}.`, hdu);
      }
      const mult = kind === 'complex' ? 2 : 1;
      const expected = c.length * cellSize * mult;
      if (!opts.schemaOnly && c.data.length !== expected) {
        throw bad(`Column ${c.name}: ${c.data.length} values for ${c.length} rows of ${cellSize}${mult === 2 ? ' complex' : ''} elements.`, hdu);
      }
    }
    let tdim: string | undefined;
    if (!vla && cellShape) {
      const axes = kind === 'string' ? [stringWidth, ...[...cellShape].reverse()] : [...cellShape].reverse();
      if ((kind === 'string' && cellShape.length >= 1) || (kind !== 'string' && cellShape.length > 1) || tdimAxes) tdim = `(${axes.join(',')})`;
    }
    // Scaling.
    const hScal = numberOf(headerValue(user, `TSCAL${n}`));
    const hZeroV = headerValue(user, `TZERO${n}`);
    const hNull = headerValue(user, `TNULL${n}`);
    const tscal = c.tscal ?? hScal ?? 1;
    const tzeroRaw = c.tzero ?? (typeof hZeroV === 'number' || typeof hZeroV === 'bigint' ? hZeroV : undefined);
    let tzero = tzeroRaw === undefined ? 0 : Number(tzeroRaw);
    let tzeroCard: number | bigint | undefined = tzeroRaw;
    let offsetMode = false;
    let scaleMode = false;
    const natural = UNSIGNED_ZERO[c.dtype];
    if (kind === 'int') {
      const codeMatches = CODE_OF_DTYPE[c.dtype] === code;
      if (natural !== undefined && codeMatches && tscal === 1 && (tzeroRaw === undefined || Number(tzeroRaw) === Number(natural))) {
        offsetMode = true;
        tzero = Number(natural);
        tzeroCard = tzeroRaw ?? natural;
      } else if (tscal !== 1 || tzero !== 0) {
        scaleMode = true;
      }
    } else if (kind === 'float') {
      scaleMode = tscal !== 1 || tzero !== 0;
    }
    let tnull: number | bigint | undefined = c.tnull ?? (typeof hNull === 'number' || typeof hNull === 'bigint' ? hNull : undefined);
    if (kind !== 'int') tnull = undefined;
    const width = tform.width;
    plans.push({
      index: n,
      name: c.name,
      writeName: !(headerValue(user, `TTYPE${n}`) === undefined && user.length > 0 && new RegExp(`^col${n}$`).test(c.name) && headerValue(user, `TFORM${n}`) !== undefined),
      tform,
      kind,
      code,
      vla,
      cellSize: vla ? 1 : cellSize,
      cellShape: vla ? null : cellShape!,
      offset,
      width,
      dtype: c.dtype,
      offsetMode,
      scaleMode,
      tscal,
      tzero,
      tzeroCard: kind === 'int' || kind === 'float' ? tzeroCard : undefined,
      tscalCard: (kind === 'int' || kind === 'float') && (tscal !== 1 || hScal !== undefined) ? tscal : undefined,
      tnull,
      stringWidth,
      unit: c.unit,
      tdim,
      formFromHeader: typeof hForm === 'string' && hForm.trim() !== '',
      maxSeen: 0,
    });
    offset += width;
  });
  return { plans, rowWidth: offset, nrows: Math.max(0, nrows) };
}

function latin1Length(s: string): number {
  return s.length;
}

function checkCompatible(c: NormalColumn, code: string, kind: Kind, hdu?: number): void {
  const d = c.dtype;
  const ok =
    kind === 'string' ? d === 'string' || (c.offsets !== undefined && d === 'uint8') :
    kind === 'logical' || kind === 'bits' ? d === 'bool' || d === 'uint8' :
    kind === 'complex' ? d === 'complex64' || d === 'complex128' :
    d !== 'string' && d !== 'bool' && d !== 'complex64' && d !== 'complex128';
  if (!ok && !(kind === 'int' && d === 'bool')) throw bad(`Column ${c.name}: ${d} data cannot be stored as TFORM code ${code}.`, hdu);
}

/** The TTYPEn/TFORMn/… cards of the planned columns. */
export function columnCards(plans: readonly ColumnPlan[]): StructuralCard[] {
  const out: StructuralCard[] = [];
  for (const p of plans) {
    const n = p.index;
    if (p.writeName) out.push({ keyword: `TTYPE${n}`, value: p.name, comment: '', mode: 'derived' });
    out.push({ keyword: `TFORM${n}`, value: p.tform.text, comment: '', mode: 'match' });
    if (p.unit !== undefined && p.unit !== '') out.push({ keyword: `TUNIT${n}`, value: p.unit, comment: '', mode: 'derived' });
    if (p.tscalCard !== undefined) out.push({ keyword: `TSCAL${n}`, value: p.tscalCard, comment: '', mode: 'derived', isReal: !Number.isInteger(p.tscalCard) });
    if (p.tzeroCard !== undefined) out.push({ keyword: `TZERO${n}`, value: p.tzeroCard, comment: '', mode: 'derived' });
    if (p.tnull !== undefined) out.push({ keyword: `TNULL${n}`, value: p.tnull, comment: '', mode: 'derived' });
    if (p.tdim !== undefined) out.push({ keyword: `TDIM${n}`, value: p.tdim, comment: '', mode: 'derived' });
  }
  return out;
}

/** TFORM values to fill in after the data: the maximum length of P/Q columns written without one. */
export function vlaFormPatches(plans: readonly ColumnPlan[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of plans) {
    if (!p.vla || p.formFromHeader) continue;
    const base = p.tform.text.replace(/\(\d*\)\s*$/, '');
    out[`TFORM${p.index}`] = `${base}(${Math.max(p.maxSeen, p.tform.maxLength ?? 0)})`;
  }
  return out;
}

/** Collects heap bytes. */
export class HeapBuilder {
  chunks: Uint8Array[] = [];
  size = 0;
  append(bytes: Uint8Array): number {
    const at = this.size;
    if (bytes.length) {
      // Pieces that follow each other in one buffer become one chunk (one write).
      const last = this.chunks[this.chunks.length - 1];
      if (last && last.buffer === bytes.buffer && last.byteOffset + last.length === bytes.byteOffset) {
        this.chunks[this.chunks.length - 1] = new Uint8Array(last.buffer, last.byteOffset, last.length + bytes.length);
      } else this.chunks.push(bytes);
      this.size += bytes.length;
    }
    return at;
  }
}

const T = 0x54;
const F = 0x46;

function isValidBit(v: Uint8Array | undefined, i: number): boolean {
  return !v || ((v[i >>> 3]! >>> (i & 7)) & 1) === 1;
}

/** Round half away from zero. */
function nint(x: number): number {
  return x >= 0 ? Math.floor(x + 0.5) : -Math.floor(-x + 0.5);
}

const INT_LIMITS: Record<string, [number, number]> = { B: [0, 255], I: [-32768, 32767], J: [-2147483648, 2147483647] };

/**
 * Encode `count` elements of a numeric/logical/string column starting at
 * element `e0` of `src` into `dv` at byte `pos` (contiguous elements).
 */
function encodeElements(p: ColumnPlan, src: ColumnSource, e0: number, count: number, dv: DataView, bytes: Uint8Array, pos: number): void {
  const data = src.data as ArrayLike<number | bigint | string>;
  const validity = src.validity;
  switch (p.kind) {
    case 'logical': {
      for (let k = 0; k < count; k++) {
        const e = e0 + k;
        bytes[pos + k] = isValidBit(validity, e) ? (data[e] ? T : F) : 0;
      }
      return;
    }
    case 'string': {
      const w = p.stringWidth;
      for (let k = 0; k < count; k++) {
        const s = String(data[e0 + k] ?? '');
        if (s.length > w) throw bad(`Column ${p.name}: the string "${s.slice(0, 30)}…" is longer than its ${w} characters.`);
        const at = pos + k * w;
        for (let j = 0; j < s.length; j++) {
          const ch = s.charCodeAt(j);
          if (ch > 0xff) throw bad(`Column ${p.name}: a string holds a character beyond Latin-1.`);
          bytes[at + j] = ch;
        }
        bytes.fill(0x20, at + s.length, at + w);
      }
      return;
    }
    case 'complex': {
      const single = p.code === 'C';
      for (let k = 0; k < 2 * count; k++) {
        const v = Number(data[2 * e0 + k]);
        if (single) dv.setFloat32(pos + 4 * k, v);
        else dv.setFloat64(pos + 8 * k, v);
      }
      return;
    }
    case 'float': {
      const single = p.code === 'E';
      const { scaleMode, tscal, tzero } = p;
      for (let k = 0; k < count; k++) {
        const e = e0 + k;
        let v = isValidBit(validity, e) ? Number(data[e]) : NaN;
        if (scaleMode) v = (v - tzero) / tscal;
        if (single) dv.setFloat32(pos + 4 * k, v);
        else dv.setFloat64(pos + 8 * k, v);
      }
      return;
    }
    case 'int': {
      encodeInts(p, data as ArrayLike<number | bigint>, validity, e0, count, dv, bytes, pos);
      return;
    }
    default:
      throw new Error('unreachable');
  }
}

function encodeInts(p: ColumnPlan, data: ArrayLike<number | bigint>, validity: Uint8Array | undefined, e0: number, count: number, dv: DataView, bytes: Uint8Array, pos: number): void {
  const code = p.code;
  const { offsetMode, scaleMode, tscal, tzero, tnull } = p;
  if (code === 'K') {
    const zeroBig = offsetMode ? BigInt(tzero === 2 ** 63 ? 9223372036854775808n : BigInt(tzero)) : 0n;
    for (let k = 0; k < count; k++) {
      const e = e0 + k;
      let r: bigint;
      if (!isValidBit(validity, e)) {
        if (tnull === undefined) throw bad(`Column ${p.name} has null values but no TNULL.`);
        r = BigInt(tnull);
      } else {
        const v = data[e]!;
        if (scaleMode) {
          const x = Number(v);
          if (x !== x) {
            if (tnull === undefined) throw bad(`Column ${p.name}: NaN needs a TNULL.`);
            r = BigInt(tnull);
          } else {
            const q = nint((x - tzero) / tscal);
            if (!Number.isFinite(q) || q < -(2 ** 63) || q >= 2 ** 63) throw bad(`Column ${p.name}: ${x} does not fit a K field.`);
            r = BigInt(q);
          }
        } else {
          r = (typeof v === 'bigint' ? v : BigInt(toInteger(v, p))) - zeroBig;
          if (r < -(2n ** 63n) || r >= 2n ** 63n) throw bad(`Column ${p.name}: ${String(v)} does not fit a K field.`);
        }
      }
      dv.setBigInt64(pos + 8 * k, r);
    }
    return;
  }
  const [lo, hi] = INT_LIMITS[code]!;
  const tn = tnull === undefined ? undefined : Number(tnull);
  const width = code === 'B' ? 1 : code === 'I' ? 2 : 4;
  for (let k = 0; k < count; k++) {
    const e = e0 + k;
    let r: number;
    if (!isValidBit(validity, e)) {
      if (tn === undefined) throw bad(`Column ${p.name} has null values but no TNULL.`);
      r = tn;
    } else {
      const x = Number(data[e]!);
      if (scaleMode) {
        if (x !== x) {
          if (tn === undefined) throw bad(`Column ${p.name}: NaN needs a TNULL.`);
          r = tn;
        } else r = nint((x - tzero) / tscal);
      } else r = toInteger(x, p) - (offsetMode ? tzero : 0);
      if (!(r >= lo && r <= hi)) throw bad(`Column ${p.name}: ${x} does not fit a ${code} field${scaleMode || offsetMode ? ' with its TSCAL/TZERO' : ''}.`);
    }
    if (width === 1) bytes[pos + k] = r;
    else if (width === 2) dv.setInt16(pos + 2 * k, r);
    else dv.setInt32(pos + 4 * k, r);
  }
}

function toInteger(v: number | bigint, p: ColumnPlan): number {
  const x = Number(v);
  if (!Number.isInteger(x)) throw bad(`Column ${p.name}: ${x} is not an integer (give TSCAL/TZERO or a float format).`);
  return x;
}

/** Pack bits (one 0/1 byte per element) MSB first. */
function encodeBits(src: ArrayLike<unknown>, e0: number, nbits: number, bytes: Uint8Array, pos: number, nbytes: number): void {
  bytes.fill(0, pos, pos + nbytes);
  for (let k = 0; k < nbits; k++) if (src[e0 + k]) bytes[pos + (k >>> 3)]! |= 0x80 >>> (k & 7);
}

/**
 * Encode rows [r0, r0 + n) of every column into `out` (n × rowWidth bytes),
 * appending variable-length data to `heap`.
 */
export function encodeRows(plans: readonly ColumnPlan[], sources: readonly ColumnSource[], r0: number, n: number, rowWidth: number, out: Uint8Array, heap: HeapBuilder): void {
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let c = 0; c < plans.length; c++) {
    const p = plans[c]!;
    const src = sources[c]!;
    if (p.vla) {
      encodeVla(p, src, r0, n, rowWidth, out, dv, heap);
      continue;
    }
    if (p.width === 0) continue;
    if (p.kind === 'bits') {
      for (let r = 0; r < n; r++) encodeBits(src.data, (r0 + r) * p.cellSize, p.cellSize, out, r * rowWidth + p.offset, p.width);
      continue;
    }
    const per = p.cellSize;
    if (encodeRaw(p, src, r0, n, rowWidth, out, dv)) continue;
    if (rowWidth === p.width) {
      // A single column: all cells are contiguous.
      encodeElements(p, src, r0 * per, n * per, dv, out, 0);
      continue;
    }
    for (let r = 0; r < n; r++) encodeElements(p, src, (r0 + r) * per, per, dv, out, r * rowWidth + p.offset);
  }
}

/** Element width of a typed array whose bytes are a field's stored bytes (byte-swapped), by TFORM code; flip: the sign-bit offset convention. */
function rawLayout(p: ColumnPlan, data: unknown): { w: 1 | 2 | 4 | 8; flip: boolean } | null {
  if (p.scaleMode) return null;
  switch (p.code) {
    case 'D': return data instanceof Float64Array ? { w: 8, flip: false } : null;
    case 'E': return data instanceof Float32Array ? { w: 4, flip: false } : null;
    case 'M': return data instanceof Float64Array && p.dtype === 'complex128' ? { w: 8, flip: false } : null;
    case 'C': return data instanceof Float32Array && p.dtype === 'complex64' ? { w: 4, flip: false } : null;
    case 'K':
      if (data instanceof BigInt64Array && !p.offsetMode) return { w: 8, flip: false };
      return data instanceof BigUint64Array && p.offsetMode ? { w: 8, flip: true } : null;
    case 'J':
      if (data instanceof Int32Array && !p.offsetMode) return { w: 4, flip: false };
      return data instanceof Uint32Array && p.offsetMode ? { w: 4, flip: true } : null;
    case 'I':
      if (data instanceof Int16Array && !p.offsetMode) return { w: 2, flip: false };
      return data instanceof Uint16Array && p.offsetMode ? { w: 2, flip: true } : null;
    case 'B':
      if (data instanceof Uint8Array && p.dtype === 'uint8' && !p.offsetMode) return { w: 1, flip: false };
      return data instanceof Int8Array && p.offsetMode ? { w: 1, flip: true } : null;
    default:
      return null;
  }
}

/**
 * Fixed-width numeric fields whose stored values are the data's own bits
 * (no scaling, no nulls): copy each element's bytes in FITS order straight
 * into the rows, a word at a time. Same bytes as encodeElements. Returns
 * false when the column needs the general path.
 */
function encodeRaw(p: ColumnPlan, src: ColumnSource, r0: number, n: number, rowWidth: number, out: Uint8Array, dv: DataView): boolean {
  if (src.validity || p.kind === 'string' || p.kind === 'logical' || p.kind === 'bits') return false;
  const data = src.data as unknown as ArrayBufferView & { length: number };
  const layout = rawLayout(p, data);
  if (!layout) return false;
  const { w, flip } = layout;
  const per = p.kind === 'complex' ? 2 * p.cellSize : p.cellSize; // elements of w bytes per row
  const e0 = r0 * per;
  if (data.length < e0 + n * per) return false;
  const base = p.offset;
  if (w === 1) {
    const a = new Uint8Array(data.buffer, data.byteOffset + e0, n * per);
    const x = flip ? 0x80 : 0;
    for (let r = 0, e = 0; r < n; r++) {
      let o = base + r * rowWidth;
      for (let k = 0; k < per; k++) out[o++] = a[e++]! ^ x;
    }
    return true;
  }
  if (w === 2) {
    const a = new Uint16Array(data.buffer, data.byteOffset + e0 * 2, n * per);
    const x = flip ? 0x8000 : 0;
    for (let r = 0, e = 0; r < n; r++) {
      let o = base + r * rowWidth;
      for (let k = 0; k < per; k++, o += 2) dv.setUint16(o, a[e++]! ^ x);
    }
    return true;
  }
  if (w === 4) {
    const a = new Uint32Array(data.buffer, data.byteOffset + e0 * 4, n * per);
    const x = flip ? 0x80000000 : 0;
    for (let r = 0, e = 0; r < n; r++) {
      let o = base + r * rowWidth;
      for (let k = 0; k < per; k++, o += 4) dv.setUint32(o, (a[e++]! ^ x) >>> 0);
    }
    return true;
  }
  // 8 bytes: two 32-bit words, the high one first.
  const a = new Uint32Array(data.buffer, data.byteOffset + e0 * 8, 2 * n * per);
  const hi = littleEndianHost ? 1 : 0;
  const lo = 1 - hi;
  const x = flip ? 0x80000000 : 0;
  for (let r = 0, e = 0; r < n; r++) {
    let o = base + r * rowWidth;
    for (let k = 0; k < per; k++, o += 8, e += 2) {
      dv.setUint32(o, (a[e + hi]! ^ x) >>> 0);
      dv.setUint32(o + 4, a[e + lo]!);
    }
  }
  return true;
}

function encodeVla(p: ColumnPlan, src: ColumnSource, r0: number, n: number, rowWidth: number, out: Uint8Array, dv: DataView, heap: HeapBuilder): void {
  const offsets = src.offsets!;
  const elBytes = ELEMENT_BYTES[p.code]!;
  const isQ = p.tform.code === 'Q';
  for (let r = 0; r < n; r++) {
    const a = Number(offsets[r0 + r]);
    const b = Number(offsets[r0 + r + 1]);
    const count = b - a;
    if (!(count >= 0)) throw bad(`Column ${p.name}: offsets must not decrease.`);
    if (count > p.maxSeen) p.maxSeen = count;
    let bytes: Uint8Array;
    if (p.code === 'X') {
      bytes = new Uint8Array(Math.ceil(count / 8));
      encodeBits(src.data, a, count, bytes, 0, bytes.length);
    } else if (p.code === 'A' || (p.code === 'B' && src.data instanceof Uint8Array && !p.scaleMode && !p.offsetMode && !src.validity)) {
      bytes = (src.data as Uint8Array).subarray(a, b);
    } else if (p.code === 'I' && src.data instanceof Int16Array && !p.scaleMode && !p.offsetMode && !src.validity) {
      bytes = new Uint8Array(count * 2);
      const h = new DataView(bytes.buffer);
      const d = src.data;
      for (let k = 0; k < count; k++) h.setInt16(2 * k, d[a + k]!);
    } else {
      bytes = new Uint8Array(count * elBytes);
      const hdv = new DataView(bytes.buffer);
      encodeElements(p, src, a, count, hdv, bytes, 0);
    }
    const at = heap.append(bytes);
    const pos = r * rowWidth + p.offset;
    const len = count;
    if (isQ) {
      dv.setBigInt64(pos, BigInt(len));
      dv.setBigInt64(pos + 8, BigInt(at));
    } else {
      if (at > 2147483647) throw bad(`Column ${p.name}: the heap exceeds 2 GiB; use a Q format.`);
      dv.setInt32(pos, len);
      dv.setInt32(pos + 4, at);
    }
  }
}

/** The dtype a TFORM code reads back as (without scaling). */
export function dtypeOfCode(code: string): ColumnDType {
  return DTYPE_OF_CODE[code] ?? 'uint8';
}
