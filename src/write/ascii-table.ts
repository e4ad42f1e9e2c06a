/**
 * ASCII tables (XTENSION = 'TABLE'): columns → fixed-width text rows, with
 * TBCOLn positions, Iw / Fw.d / Ew.d / Dw.d / Aw formats and TNULLn strings.
 * Floating-point values are written in the shortest text that reads back to
 * the same double whenever it fits the field.
 */
import { FitsError } from '../core/errors.js';
import type { CardValue } from '../header/card.js';
import type { CardInput } from '../header/format.js';
import { assembleHeader, keyOf, toCardInputs, type StructuralCard } from './header-build.js';
import { checksumCards } from './hdu-emit.js';
import { tableColumns, type NormalColumn, type TableInput } from './table-encode.js';
import type { WriterContext, HduWriteOptions } from './context.js';

export interface AsciiTableWriteOptions extends HduWriteOptions {
  /** TFORMn per column name (e.g. { flux: 'E15.7', id: 'I8' }). */
  formats?: Record<string, string>;
}

interface AsciiPlan {
  index: number;
  name: string;
  writeName: boolean;
  code: 'A' | 'I' | 'F' | 'E' | 'D';
  width: number;
  decimals: number;
  form: string;
  tbcol: number; // 1-based
  tnull: string | undefined;
  tscal: number;
  tzero: number;
  unit?: string;
}

const FORM_RE = /^\s*([AIFED])(\d+)(?:\.(\d+))?\s*$/i;

function bad(message: string, hdu?: number): FitsError {
  return new FitsError('BAD_ARGUMENT', message, hdu !== undefined ? { hdu } : {});
}

function headerValue(cards: readonly CardInput[], key: string): CardValue | undefined {
  const c = cards.find((x) => !x.commentary && keyOf(x) === key);
  return c ? (c.value ?? null) : undefined;
}

function isValid(v: Uint8Array | undefined, i: number): boolean {
  return !v || ((v[i >>> 3]! >>> (i & 7)) & 1) === 1;
}

function defaultForm(c: NormalColumn): string {
  const d = c.dtype;
  if (d === 'string') {
    let w = 1;
    for (let i = 0; i < c.data.length; i++) w = Math.max(w, String((c.data as string[])[i] ?? '').length);
    return `A${w}`;
  }
  if (d === 'float32') return 'E15.7';
  if (d === 'float64') return 'D25.17';
  if (d === 'int64' || d === 'uint64') return 'I20';
  if (d === 'int32' || d === 'uint32') return 'I11';
  if (d === 'int16' || d === 'uint16') return 'I6';
  if (d === 'int8' || d === 'uint8') return 'I4';
  throw new FitsError('BAD_ARGUMENT', `Column ${c.name}: ${d} data cannot go in an ASCII table.`);
}

/** Fortran-style real text always has a decimal point ("1.E-300", "3."). */
function withPoint(s: string): string {
  if (s.includes('.')) return s;
  const e = s.indexOf('E');
  return e >= 0 ? `${s.slice(0, e)}.${s.slice(e)}` : `${s}.`;
}

/** Text for a number in an Fw.d / Ew.d / Dw.d field (exact when it fits). */
export function formatAsciiReal(x: number, code: 'F' | 'E' | 'D', w: number, d: number): string {
  const candidates: string[] = [];
  if (Number.isFinite(x)) {
    if (code === 'F') candidates.push(x.toFixed(Math.min(d, 100)));
    const s = withPoint(String(x).toUpperCase());
    candidates.push(s);
    if (s.startsWith('0.')) candidates.push(s.slice(1));
    if (s.startsWith('-0.')) candidates.push('-' + s.slice(2));
    const exact = candidates.filter((c) => Number(c) === x && c.length <= w);
    if (exact.length) return exact[0]!.padStart(w);
    // Lossy: the most digits that fit.
    for (let k = Math.min(d, 20); k >= 0; k--) {
      const t = withPoint(code === 'F' ? x.toFixed(k) : x.toExponential(k).toUpperCase());
      if (t.length <= w) return t.padStart(w);
    }
  }
  throw new FitsError('BAD_ARGUMENT', `${x} does not fit an ASCII field of width ${w}.`);
}

/** Write an ASCII table HDU. */
export async function writeAsciiTable(w: WriterContext, input: TableInput, opts: AsciiTableWriteOptions = {}): Promise<void> {
  await w.ensurePrimary();
  await w.run(async () => {
    const index = w.nextIndex;
    const user = toCardInputs(opts.header);
    const cols = tableColumns(input, index);
    const nrows = cols[0]?.length ?? 0;
    const plans: AsciiPlan[] = [];
    let next = 1;
    cols.forEach((c, i) => {
      const n = i + 1;
      if (c.length !== nrows) throw bad(`Column ${c.name} has ${c.length} rows, the others ${nrows}.`, index);
      if (c.cellShape === null || (c.cellShape && c.cellShape.reduce((a, b) => a * b, 1) !== 1)) throw bad(`Column ${c.name}: ASCII table cells hold one value.`, index);
      const hForm = headerValue(user, `TFORM${n}`);
      const form = (opts.formats?.[c.name] ?? (typeof hForm === 'string' ? hForm : undefined) ?? (c.format && FORM_RE.test(c.format) ? c.format : undefined) ?? defaultForm(c)).trim();
      const m = FORM_RE.exec(form);
      if (!m) throw bad(`Column ${c.name}: '${form}' is not an ASCII table format.`, index);
      const code = m[1]!.toUpperCase() as AsciiPlan['code'];
      if ((code === 'A') !== (c.dtype === 'string')) throw bad(`Column ${c.name}: ${c.dtype} data cannot use format ${form}.`, index);
      const width = Number(m[2]);
      const hCol = headerValue(user, `TBCOL${n}`);
      const tbcol = typeof hCol === 'number' ? hCol : next;
      const hNull = headerValue(user, `TNULL${n}`);
      const tnull = c.tnull !== undefined ? String(c.tnull) : typeof hNull === 'string' ? hNull : typeof hNull === 'number' ? String(hNull) : undefined;
      const hScal = headerValue(user, `TSCAL${n}`);
      const hZero = headerValue(user, `TZERO${n}`);
      plans.push({
        index: n,
        name: c.name,
        writeName: !(headerValue(user, `TTYPE${n}`) === undefined && typeof hForm === 'string' && new RegExp(`^col${n}$`).test(c.name)),
        code,
        width,
        decimals: m[3] ? Number(m[3]) : 0,
        form,
        tbcol,
        tnull,
        tscal: typeof hScal === 'number' ? hScal : 1,
        tzero: typeof hZero === 'number' ? hZero : 0,
        unit: c.unit,
      });
      next = Math.max(next, tbcol + width + 1);
    });
    let rowWidth = 0;
    for (const p of plans) rowWidth = Math.max(rowWidth, p.tbcol - 1 + p.width);
    const hN1 = headerValue(user, 'NAXIS1');
    if (typeof hN1 === 'number' && hN1 >= rowWidth) rowWidth = hN1;
    const sorted = [...plans].sort((a, b) => a.tbcol - b.tbcol);
    for (let i = 1; i < sorted.length; i++) {
      const a = sorted[i - 1]!;
      if (a.tbcol - 1 + a.width > sorted[i]!.tbcol - 1) throw bad(`ASCII columns ${a.name} and ${sorted[i]!.name} overlap.`, index);
    }
    const checksum = w.wantsChecksum(opts);
    const mandatory: StructuralCard[] = [
      { keyword: 'XTENSION', value: 'TABLE', comment: 'ASCII table extension' },
      { keyword: 'BITPIX', value: 8, comment: 'array data type' },
      { keyword: 'NAXIS', value: 2, comment: 'number of array dimensions' },
      { keyword: 'NAXIS1', value: rowWidth, comment: 'length of dimension 1' },
      { keyword: 'NAXIS2', value: nrows, comment: 'length of dimension 2' },
      { keyword: 'PCOUNT', value: 0, comment: 'number of group parameters' },
      { keyword: 'GCOUNT', value: 1, comment: 'number of groups' },
      { keyword: 'TFIELDS', value: plans.length, comment: 'number of table fields' },
    ];
    const required: StructuralCard[] = [];
    for (const p of plans) {
      if (p.writeName) required.push({ keyword: `TTYPE${p.index}`, value: p.name, mode: 'derived' });
      required.push({ keyword: `TBCOL${p.index}`, value: p.tbcol });
      required.push({ keyword: `TFORM${p.index}`, value: p.form, mode: 'derived' });
      if (p.unit) required.push({ keyword: `TUNIT${p.index}`, value: p.unit, mode: 'derived' });
      if (p.tnull !== undefined && headerValue(user, `TNULL${p.index}`) === undefined) required.push({ keyword: `TNULL${p.index}`, value: p.tnull });
    }
    if (opts.extname !== undefined) required.push({ keyword: 'EXTNAME', value: opts.extname, comment: 'extension name', mode: 'derived' });
    const cards = assembleHeader(user, { mandatory, required, trailing: checksum ? checksumCards() : [], drop: (k) => k === 'SIMPLE' || k === 'EXTEND', hdu: index });
    await w.emit(cards, async (emit) => {
      if (rowWidth === 0 || nrows === 0) return;
      const per = Math.max(1, Math.floor((1 << 20) / rowWidth));
      const buf = new Uint8Array(Math.min(per, nrows) * rowWidth);
      for (let r0 = 0; r0 < nrows; r0 += per) {
        const n = Math.min(per, nrows - r0);
        const out = buf.subarray(0, n * rowWidth).fill(0x20);
        for (let r = 0; r < n; r++) {
          for (let c = 0; c < plans.length; c++) {
            const text = fieldText(plans[c]!, cols[c]!, r0 + r, index);
            const at = r * rowWidth + plans[c]!.tbcol - 1;
            for (let k = 0; k < text.length; k++) out[at + k] = text.charCodeAt(k);
          }
        }
        await emit(out);
      }
    }, { checksum, hdu: index, dataBytes: rowWidth * nrows, fill: 0x20 });
  });
}

function fieldText(p: AsciiPlan, c: NormalColumn, row: number, hdu: number): string {
  const w = p.width;
  if (!isValid(c.validity, row)) return (p.tnull ?? '').padStart(p.code === 'A' ? 0 : w).padEnd(w).slice(0, w);
  const v = c.data[row] as number | bigint | string;
  if (p.code === 'A') {
    const s = String(v ?? '');
    if (s.length > w) throw bad(`Column ${p.name}: "${s.slice(0, 30)}" is longer than ${w} characters.`, hdu);
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7e || s.charCodeAt(i) < 0x20) throw bad(`Column ${p.name}: ASCII tables hold printable ASCII only.`, hdu);
    return s.padEnd(w);
  }
  if (p.code === 'I') {
    let x: bigint | number = typeof v === 'bigint' ? v : Number(v);
    if (p.tscal !== 1 || p.tzero !== 0) x = Math.round((Number(x) - p.tzero) / p.tscal);
    if (typeof x === 'number' && !Number.isInteger(x)) throw bad(`Column ${p.name}: ${x} is not an integer.`, hdu);
    const s = String(x);
    if (s.length > w) throw bad(`Column ${p.name}: ${s} does not fit I${w}.`, hdu);
    return s.padStart(w);
  }
  let x = Number(v);
  if (p.tscal !== 1 || p.tzero !== 0) x = (x - p.tzero) / p.tscal;
  if (Number.isNaN(x) && p.tnull !== undefined) return p.tnull.padStart(w).slice(0, w);
  return formatAsciiReal(x, p.code as 'F' | 'E' | 'D', w, p.decimals);
}
