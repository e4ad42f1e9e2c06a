/**
 * `fitsflow table FILE [--hdu N|NAME[,VER]] [--columns a,b] [--where EXPR]
 *  [--sort KEY[,KEY2]] [--desc] [--limit N] [--format text|csv|json]`
 *
 * Reads a table HDU (the first table when --hdu is not given; only the columns
 * it needs when --columns is given), filters it with --where (the FitsTable
 * expression language), sorts it (stable; --desc reverses every key, NaN and
 * nulls stay last), keeps the --columns and the first --limit rows, and prints:
 * - text: aligned columns under a header line, like astropy's pprint (nulls `--`);
 * - csv: RFC 4180, a header line, nulls empty, arrays as `[a, b]` in one field;
 * - json: an array of row objects; NaN and ±Infinity as the strings "NaN",
 *   "Infinity", "-Infinity", nulls null; 64-bit integers as numbers when
 *   |v| ≤ 2^53 − 1, else as decimal strings (a JSON number beyond that is
 *   rounded by most JSON readers, JavaScript's among them).
 * Output is written in blocks with backpressure, so `| head` stops the work.
 */
import type { FitsFile } from '../file/fits-file.js';
import type { Hdu } from '../file/hdu.js';
import { FitsError } from '../core/errors.js';
import type { FitsTable, Cell } from '../table/ops/fits-table.js';
import { ExpressionError } from '../table/ops/expression/tokenizer.js';
import { mentionedNames, resolveColumnName } from '../table/ops/expression/check.js';
import { flagValue, onePositional, UsageError, type CliIo, type Command, type ParsedArgs } from './command.js';
import { HDU_OPTION, pickHdu, printWarnings } from './shared.js';

export type TableFormat = 'text' | 'csv' | 'json';

function list(v: string | undefined, what: string): string[] | undefined {
  if (v === undefined) return undefined;
  const parts = v.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (parts.length === 0) throw new UsageError(`${what} is an empty list`);
  return parts;
}

async function firstTable(file: FitsFile): Promise<Hdu> {
  for await (const hdu of file) if (hdu.kind === 'bintable' || hdu.kind === 'table') return hdu;
  throw new FitsError('NOT_FOUND', 'The file has no table HDU; pass --hdu for another one.');
}

/** TTYPEn of a table HDU (`col{n}` when absent, as the reader names them). */
function tableColumnNames(hdu: Hdu): { name: string }[] {
  const n = hdu.header.getInt('TFIELDS', 0);
  const names: { name: string }[] = [];
  for (let i = 1; i <= n; i++) {
    const v = hdu.header.get(`TTYPE${i}`);
    names.push({ name: typeof v === 'string' ? v.trim() : `col${i}` });
  }
  return names;
}

/** Check that every name is a column of the HDU (case-insensitive, as the table operations match). */
function checkNames(present: { name: string }[], names: readonly string[], option: string): void {
  for (const n of names) {
    const r = resolveColumnName(present, n);
    if (typeof r === 'string') throw new UsageError(`${option}: ${r}`);
    if (r < 0) throw new UsageError(`${option}: no column named '${n}'; the table's columns: ${present.map((c) => c.name).join(', ') || '(none)'}`);
  }
}

/** Table operations whose mistakes are the user's (bad expression, type errors): exit 2. */
function asUsage(e: unknown): never {
  if (e instanceof ExpressionError || (e instanceof FitsError && (e.code === 'BAD_ARGUMENT' || e.code === 'NOT_FOUND'))) throw new UsageError(e.message);
  throw e;
}

/** `fitsflow table …` (see the module doc). */
async function runTable(args: ParsedArgs, io: CliIo): Promise<number> {
  const path = onePositional(args);
  const columns = list(flagValue(args, 'columns'), '--columns');
  const where = flagValue(args, 'where');
  const sortKeys = list(flagValue(args, 'sort'), '--sort');
  const desc = args.flags.has('desc');
  if (desc && !sortKeys) throw new UsageError('--desc needs --sort');
  const limitText = flagValue(args, 'limit');
  let limit: number | undefined;
  if (limitText !== undefined) {
    if (!/^\d+$/.test(limitText)) throw new UsageError('--limit takes a non-negative integer');
    limit = Number(limitText);
  }
  const format = (flagValue(args, 'format') ?? 'text') as TableFormat;
  if (format !== 'text' && format !== 'csv' && format !== 'json') throw new UsageError('--format is text, csv or json');
  let whereNames: string[] = [];
  if (where !== undefined) {
    try {
      whereNames = mentionedNames(where);
    } catch (e) {
      asUsage(e);
    }
  }

  const file = await io.open(path);
  try {
    const hdu = await pickHdu(file, args, () => firstTable(file));
    if (hdu.kind !== 'bintable' && hdu.kind !== 'table') {
      throw new UsageError(`HDU ${hdu.index} is a ${hdu.kind}, not a table; pass --hdu with a table HDU`);
    }
    // Every name must be a column of the HDU (the error lists the HDU's columns, not the ones read).
    const present = tableColumnNames(hdu);
    checkNames(present, columns ?? [], '--columns');
    checkNames(present, sortKeys ?? [], '--sort');
    checkNames(present, whereNames, '--where');
    // Read only what is needed when the output columns are given.
    const read = columns ? [...new Set([...columns, ...whereNames, ...(sortKeys ?? [])])] : undefined;
    let table = await hdu.readTable(read ? { columns: read } : {});
    try {
      table = applyTableOps(table, { where, sort: sortKeys, descending: desc, columns, limit });
    } catch (e) {
      asUsage(e);
    }
    await writeTable(table, format, io);
    printWarnings(io, file);
  } finally {
    await file.close();
  }
  return 0;
}

export const tableCommand: Command = {
  name: 'table',
  summary: 'Print a table HDU (or some of its rows and columns), filtered and sorted, as text, CSV or JSON.',
  usage: 'FILE [--hdu N|NAME[,VER]] [--columns a,b] [--where EXPR] [--sort KEY[,KEY2]] [--desc] [--limit N] [--format text|csv|json]',
  options: [
    { ...HDU_OPTION, help: 'the table HDU (default: the first table)' },
    { flag: 'columns', value: 'A,B,…', help: 'the columns to print (and read), in this order' },
    { flag: 'where', value: 'EXPR', help: "keep the rows where EXPR is true, e.g. 'MAG_G < 20 && !isnan(MAG_R)'" },
    { flag: 'sort', value: 'KEY[,KEY2]', help: 'sort by these columns (stable; NaN and nulls last)' },
    { flag: 'desc', help: 'sort in descending order' },
    { flag: 'limit', value: 'N', help: 'print at most N rows' },
    { flag: 'format', value: 'text|csv|json', help: 'output format (default text)' },
  ],
  details: [
    'Expressions: column names, numbers, strings, + - * / %, comparisons, && || !, and',
    'abs sqrt log log10 exp sin cos tan … isnan isfinite. JSON writes 64-bit integers',
    'beyond ±(2^53 − 1) as strings, NaN/Infinity as strings, nulls as null.',
    '',
    'example: fitsflow table cat.fits --columns RA,DEC,MAG --where "MAG < 18" --sort MAG --limit 10',
  ].join('\n'),
  run: runTable,
};

/** The command's table pipeline: filter, sort, select, limit. */
export function applyTableOps(
  table: FitsTable,
  ops: { where?: string; sort?: string[]; descending?: boolean; columns?: string[]; limit?: number },
): FitsTable {
  if (ops.where !== undefined) table = table.filter(ops.where);
  if (ops.sort) table = table.sort(ops.sort, { descending: !!ops.descending });
  if (ops.columns) table = table.select(ops.columns);
  if (ops.limit !== undefined) table = table.head(ops.limit);
  return table;
}

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
