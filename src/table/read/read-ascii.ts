/**
 * Read columns of an ASCII table (XTENSION = 'TABLE'): fixed-width text
 * fields parsed as integers (Iw), correctly rounded doubles (Fw.d, Ew.d, Dw.d,
 * D exponents allowed) or strings (Aw). Blank numeric fields read as 0;
 * fields equal to TNULLn read as 0 and are null.
 */
import { FitsError } from '../../core/errors.js';
import type { HduContext } from '../../hdu/context.js';
import { allocateBuffer } from '../../core/buffers.js';
import { asciiTableLayout, type AsciiColumnSpec, type AsciiTableLayout } from './ascii-layout.js';
import type { Column } from '../column.js';
import { ValidityBuilder } from './gather.js';
import { forEachRowBlock } from './row-blocks.js';
import { resolveRows, selectColumns, type RowRange } from './selection.js';
import { latin1, StringInterner } from '../strings.js';

const FLOAT_RE = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[EeDd][+-]?[0-9]+)?$/;
const INT_RE = /^[+-]?[0-9]+$/;
const SPECIAL: Record<string, number> = { nan: NaN, inf: Infinity, infinity: Infinity };
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Value of a numeric field's text (spaces removed), or undefined if it is not a number. */
function parseFloatText(text: string): number | undefined {
  if (FLOAT_RE.test(text)) return Number(text.replace(/[Dd]/, 'e'));
  const sign = text[0] === '-' ? -1 : 1;
  const special = SPECIAL[text.replace(/^[+-]/, '').toLowerCase()];
  return special === undefined ? undefined : sign * special;
}

/** A small integer field (w ≤ 9 digits fits a double exactly); undefined if malformed. */
function parseSmallInt(b: Uint8Array, s: number, e: number): number | undefined {
  let i = s;
  let neg = false;
  if (b[i] === 0x2b) i++;
  else if (b[i] === 0x2d) {
    neg = true;
    i++;
  }
  if (i === e) return undefined;
  let v = 0;
  for (; i < e; i++) {
    const d = b[i]! - 0x30;
    if (d < 0 || d > 9) return undefined;
    v = v * 10 + d;
  }
  return neg ? -v : v;
}

/** True if bytes[s, e) spell `text`. */
function sameText(b: Uint8Array, s: number, e: number, text: string): boolean {
  if (e - s !== text.length) return false;
  for (let k = 0; k < text.length; k++) if (b[s + k] !== text.charCodeAt(k)) return false;
  return true;
}

interface AsciiGatherer {
  gather(src: Uint8Array, dv: DataView, first: number, n: number, blockFileOffset: number): void;
  finish(): Column;
}

function gathererFor(spec: AsciiColumnSpec, rows: number, rowBytes: number, hdu: number, firstRow: number): AsciiGatherer {
  const validity = spec.tnull !== undefined ? new ValidityBuilder(rows) : undefined;
  const tnull = spec.tnull;
  const bad = (text: string, row: number, offset: number): FitsError =>
    new FitsError('CORRUPT_DATA', `Row ${firstRow + row}, column ${spec.name} (${spec.format}): '${text}' is not a valid ${spec.code === 'I' ? 'integer' : 'number'}.`, { hdu, offset });
  const column = (data: Column['data']): Column => {
    const v = validity?.finish();
    const c: Column = { name: spec.name, dtype: spec.dtype, format: spec.format, cellShape: [], length: rows, data, ...(v ? { validity: v } : {}) };
    if (spec.keywords.unit !== undefined) (c as { unit?: string }).unit = spec.keywords.unit;
    return c;
  };

  if (spec.code === 'A') {
    const data = new Array<string>(rows);
    const interner = new StringInterner(spec.width);
    return {
      gather(src, dv, first, n) {
        for (let i = 0, s = spec.start; i < n; i++, s += rowBytes) {
          let e = s + spec.width;
          while (e > s && (src[e - 1] === 0x20 || src[e - 1] === 0)) e--;
          if (tnull !== undefined) {
            let b = s;
            while (b < e && src[b] === 0x20) b++;
            if (sameText(src, b, e, tnull)) validity!.setNull(first + i);
          }
          data[first + i] = interner.get(src, dv, s);
        }
      },
      finish: () => column(data),
    };
  }

  const dtype = spec.dtype;
  const buf = allocateBuffer(rows * (dtype === 'int16' ? 2 : dtype === 'int32' ? 4 : 8));
  const data = dtype === 'int16' ? new Int16Array(buf) : dtype === 'int32' ? new Int32Array(buf) : dtype === 'int64' ? new BigInt64Array(buf) : new Float64Array(buf);
  const { tscal, tzero } = spec.keywords;
  return {
    gather(src, _dv, first, n, blockFileOffset) {
      for (let i = 0, s = spec.start; i < n; i++, s += rowBytes) {
        let b = s;
        let e = s + spec.width;
        while (b < e && src[b] === 0x20) b++;
        while (e > b && (src[e - 1] === 0x20 || src[e - 1] === 0)) e--;
        const j = first + i;
        if (tnull !== undefined && sameText(src, b, e, tnull)) {
          validity!.setNull(j);
          continue; // reads as 0 (the array is zero-filled)
        }
        if (b === e) continue; // blank: 0
        if (data instanceof BigInt64Array) {
          const text = latin1(src, b, e - b);
          if (!INT_RE.test(text)) throw bad(text, j, blockFileOffset + s);
          const v = BigInt(text);
          if (v < INT64_MIN || v > INT64_MAX) throw bad(text, j, blockFileOffset + s);
          data[j] = v;
        } else if (spec.code === 'I' && !spec.scaled) {
          const v = parseSmallInt(src, b, e);
          if (v === undefined) throw bad(latin1(src, b, e - b), j, blockFileOffset + s);
          data[j] = v;
        } else {
          const text = latin1(src, b, e - b);
          let v = spec.code === 'I' ? (INT_RE.test(text) ? Number(text) : undefined) : parseFloatText(text);
          if (v === undefined) throw bad(text, j, blockFileOffset + s);
          if (tscal !== 1) v *= tscal;
          if (tzero !== 0) v += tzero;
          data[j] = v;
        }
      }
    },
    finish: () => column(data),
  };
}

/** The ASCII table layout of an HDU, with its declared data checked against the file size. */
export function asciiLayoutOf(ctx: HduContext): AsciiTableLayout {
  const t = asciiTableLayout(ctx.header, ctx.layout, ctx.index);
  if (ctx.dataOffset + ctx.layout.dataBytes > ctx.source.size) {
    throw new FitsError('TRUNCATED', `The table data needs ${ctx.layout.dataBytes} bytes but the file ends first.`, { hdu: ctx.index, offset: ctx.source.size });
  }
  return t;
}

/**
 * Read columns (by name or 0-based index; all when omitted) of an ASCII table
 * for a range of rows (all when omitted).
 * @example
 * const [mag] = await readAsciiTableColumns(hdu, ['MAG'], { start: 0, count: 100 });
 */
export async function readAsciiTableColumns(ctx: HduContext, columns?: readonly (string | number)[], rows?: RowRange): Promise<Column[]> {
  const t = asciiLayoutOf(ctx);
  const specs = selectColumns(t.columns, columns, ctx.index);
  const { start, count } = resolveRows(rows, t.nrows, ctx.index);
  const gatherers = specs.map((s) => gathererFor(s, count, t.rowBytes, ctx.index, start));
  const blockStart = ctx.dataOffset + start * t.rowBytes;
  if (gatherers.length) {
    await forEachRowBlock(ctx.source, ctx.index, ctx.dataOffset, t.rowBytes, start, count, (src, dv, first, n) => {
      for (const g of gatherers) g.gather(src, dv, first, n, blockStart + first * t.rowBytes);
    });
  }
  return gatherers.map((g) => g.finish());
}
