/**
 * A table as text for the terminal and for other programs: aligned columns
 * like astropy's pprint, CSV (RFC 4180) or JSON (exact 64-bit integers), in
 * blocks of rows so output to a pipe keeps memory flat and `| head` stops
 * the work.
 */
import type { Cell, FitsTable } from '../table/ops/fits-table.js';
import type { CliIo } from './command.js';

/** The text formats. */
export type TableFormat = 'text' | 'csv' | 'json';

/** Print a table in a format, a block of rows at a time, waiting for the reader (io.write). */
export async function writeTable(table: FitsTable, format: TableFormat, io: Pick<CliIo, 'out' | 'write'>): Promise<void> {
  for (const block of formatTableBlocks(table, format)) {
    if (io.write) await io.write(block);
    else io.out(block);
  }
}

/** The whole formatted table as one string (no trailing newline). */
export function formatTable(table: FitsTable, format: TableFormat): string {
  return [...formatTableBlocks(table, format)].join('\n');
}

const ROWS_PER_BLOCK = 2000;

function* formatTableBlocks(table: FitsTable, format: TableFormat): Generator<string> {
  const names = table.columnNames;
  const cols = names.map((_, i) => table.columnAt(i));
  const n = table.numRows;
  if (format === 'json') {
    if (n === 0) {
      yield '[]';
      return;
    }
    yield '[';
    for (let s = 0; s < n; s += ROWS_PER_BLOCK) {
      const lines: string[] = [];
      for (let i = s; i < Math.min(n, s + ROWS_PER_BLOCK); i++) {
        const row = table.row(i);
        const parts = names.map((name, c) => `${JSON.stringify(name)}: ${jsonValue(row[name]!, cols[c]!.dtype)}`);
        lines.push(`  {${parts.join(', ')}}${i < n - 1 ? ',' : ''}`);
      }
      yield lines.join('\n');
    }
    yield ']';
    return;
  }
  if (format === 'csv') {
    yield names.map(csvField).join(',');
    for (let s = 0; s < n; s += ROWS_PER_BLOCK) {
      const lines: string[] = [];
      for (let i = s; i < Math.min(n, s + ROWS_PER_BLOCK); i++) {
        const row = table.row(i);
        lines.push(names.map((name, c) => csvField(row[name] === null ? '' : textValue(row[name]!, cols[c]!.dtype))).join(','));
      }
      if (lines.length) yield lines.join('\n');
    }
    return;
  }
  // text: right-aligned columns. Two passes over the rows (widths, then lines), so memory
  // holds one block of formatted cells, whatever the table's length.
  const cellText = (row: Record<string, Cell>, name: string, c: number) => (row[name] === null ? '--' : textValue(row[name]!, cols[c]!.dtype));
  const units = cols.map((c) => c.unit ?? '');
  const hasUnits = units.some((u) => u.length > 0);
  const widths = names.map((name, c) => Math.max(name.length, units[c]!.length, 1));
  for (let i = 0; i < n; i++) {
    const row = table.row(i);
    names.forEach((name, c) => {
      const w = cellText(row, name, c).length;
      if (w > widths[c]!) widths[c] = w;
    });
  }
  const line = (r: string[]) => r.map((s, c) => s.padStart(widths[c]!)).join(' ').replace(/\s+$/, '');
  const head = [line(names)];
  if (hasUnits) head.push(line(units));
  head.push(widths.map((w) => '-'.repeat(w)).join(' '));
  yield head.join('\n');
  for (let s = 0; s < n; s += ROWS_PER_BLOCK) {
    const lines: string[] = [];
    for (let i = s; i < Math.min(n, s + ROWS_PER_BLOCK); i++) {
      const row = table.row(i);
      lines.push(line(names.map((name, c) => cellText(row, name, c))));
    }
    yield lines.join('\n');
  }
  if (n === 0) yield '(no rows)';
}

/** The shortest decimal that reads back as the same float32. */
export function formatFloat32(x: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  for (let p = 1; p <= 9; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(Number(s)) === x) return String(Number(s));
  }
  return String(x);
}

function nonFinite(x: number): string {
  return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
}

function scalarText(v: unknown, dtype: string): string {
  if (v === null) return '--';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return nonFinite(v);
    return dtype === 'float32' || dtype === 'complex64' ? formatFloat32(v) : Object.is(v, -0) ? '-0' : String(v);
  }
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'bigint' || typeof v === 'string') return String(v);
  if (v && typeof v === 'object' && 're' in v) {
    const c = v as { re: number; im: number };
    const im = scalarText(c.im, dtype);
    return `(${scalarText(c.re, dtype)}${im.startsWith('-') ? '' : '+'}${im}j)`;
  }
  return String(v);
}

/** A cell as text (arrays as `[a, b, …]`). */
export function textValue(v: Cell, dtype: string): string {
  if (v !== null && typeof v === 'object' && !('re' in v)) {
    const arr = Array.from(v as ArrayLike<unknown>);
    return `[${arr.map((x) => scalarText(x, dtype)).join(', ')}]`;
  }
  return scalarText(v, dtype);
}

/** Largest integer every JSON reader keeps exact. */
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function jsonScalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : JSON.stringify(Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity');
  if (typeof v === 'bigint') return v >= -MAX_SAFE && v <= MAX_SAFE ? v.toString() : `"${v}"`;
  if (typeof v === 'object' && 're' in (v as object)) {
    const c = v as { re: number; im: number };
    return `{"re": ${jsonScalar(c.re)}, "im": ${jsonScalar(c.im)}}`;
  }
  return JSON.stringify(v);
}

/** A cell as JSON text (exact integers, arrays as JSON arrays). */
export function jsonValue(v: Cell, _dtype?: string): string {
  if (v !== null && typeof v === 'object' && !('re' in v)) return `[${Array.from(v as ArrayLike<unknown>, jsonScalar).join(', ')}]`;
  return jsonScalar(v);
}

function csvField(s: string): string {
  return /[",\n\r]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
