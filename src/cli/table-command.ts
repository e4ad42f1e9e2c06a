/**
 * `fitsflow table FILE [--hdu N|NAME[,VER]] [--columns a,b] [--where EXPR]
 *  [--sort KEY[,KEY2]] [--desc] [--limit N] [--format text|csv|json]`
 *
 * Reads a table HDU (the first table when --hdu is not given; only the columns
 * it needs when --columns or --group-by is given), filters it with --where (the FitsTable
 * expression language), sorts it (stable; --desc reverses every key, NaN and
 * nulls stay last), keeps the --columns and the first --limit rows, and prints
 * (--group-by/--agg: one row per group after --where, see table-groupby.ts):
 * - text: aligned columns under a header line, like astropy's pprint (nulls `--`);
 * - csv: RFC 4180, a header line, nulls empty, arrays as `[a, b]` in one field;
 * - json: an array of row objects; int64 values as exact JSON numbers, NaN and
 *   ±Infinity as the strings "NaN", "Infinity", "-Infinity", nulls null.
 */
import type { FitsFile } from '../fits-file.js';
import type { Hdu } from '../hdu/hdu.js';
import { FitsError } from '../errors.js';
import type { FitsTable, Cell } from '../table/fits-table.js';
import { mentionedNames, resolveColumnName } from '../table/expression/check.js';
import { UsageError, type ParsedArgs } from './args.js';
import type { CliIo } from './commands.js';
import { GROUP_BY_FLAGS, groupByColumns, groupByFlags, groupByTable } from './table-groupby.js';

export type TableFormat = 'text' | 'csv' | 'json';

/** Flags of the command that take a value. */
export const TABLE_VALUED_FLAGS = ['hdu', 'columns', 'where', 'sort', 'limit', 'format', ...GROUP_BY_FLAGS];
export const TABLE_USAGE = 'table FILE [--hdu N|NAME[,VER]] [--columns a,b] [--where EXPR] [--group-by K1,K2 --agg "count(),mean(C)"] [--sort KEY[,KEY2]] [--desc] [--limit N] [--format text|csv|json|parquet]';

function flag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return v;
}

function list(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const parts = v.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (parts.length === 0) throw new UsageError('an empty column list');
  return parts;
}

async function pickTableHdu(file: FitsFile, spec: string | undefined): Promise<Hdu> {
  if (spec !== undefined) {
    if (/^\d+$/.test(spec)) return file.hdu(Number(spec));
    const [name, ver] = spec.split(',');
    if (ver !== undefined && !/^\d+$/.test(ver.trim())) throw new UsageError('--hdu NAME,VER needs an integer version');
    return file.hdu(name!.trim(), ver !== undefined ? Number(ver) : undefined);
  }
  for await (const hdu of file) if (hdu.kind === 'bintable' || hdu.kind === 'table') return hdu;
  throw new FitsError('NOT_FOUND', 'The file has no table HDU.');
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

/** `fitsflow table …` (see the module doc). */
export async function tableCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  if (args.positionals.length !== 1) throw new UsageError('expected one FILE');
  const columns = list(flag(args, 'columns'));
  const where = flag(args, 'where');
  const sortKeys = list(flag(args, 'sort'));
  const desc = args.flags.has('desc');
  if (desc && !sortKeys) throw new UsageError('--desc needs --sort');
  const limitText = flag(args, 'limit');
  let limit: number | undefined;
  if (limitText !== undefined) {
    if (!/^\d+$/.test(limitText)) throw new UsageError('--limit takes a non-negative integer');
    limit = Number(limitText);
  }
  const grouping = groupByFlags(args);
  const format = (flag(args, 'format') ?? 'text') as TableFormat;
  if ((format as string) === 'parquet') throw new UsageError('--format parquet is not connected to a Parquet writer in this build; use csv, json or text');
  if (format !== 'text' && format !== 'csv' && format !== 'json') throw new UsageError('--format is text, csv or json');
  for (const k of args.flags.keys()) {
    if (!TABLE_VALUED_FLAGS.includes(k) && k !== 'desc') throw new UsageError(`unknown option --${k}`);
  }

  const file = await io.open(args.positionals[0]!);
  try {
    const hdu = await pickTableHdu(file, flag(args, 'hdu'));
    if (hdu.kind !== 'bintable' && hdu.kind !== 'table') {
      throw new FitsError('BAD_ARGUMENT', `HDU ${hdu.index} is a ${hdu.kind}, not a table.`, { hdu: hdu.index });
    }
    // Read only what is needed when the output columns are given. Names that
    // match no column are left to the table operations, whose errors say more.
    let read: string[] | undefined;
    if (columns || grouping) {
      const need = new Set<string>(grouping ? groupByColumns(grouping) : columns);
      if (where) for (const n of mentionedNames(where)) need.add(n);
      if (!grouping) for (const k of sortKeys ?? []) need.add(k);
      const present = tableColumnNames(hdu);
      read = [...need].filter((n) => typeof resolveColumnName(present, n) === 'number' && (resolveColumnName(present, n) as number) >= 0);
    }
    let table = await hdu.readTable(read ? { columns: read } : {});
    // --group-by: WHERE, GROUP BY, then ORDER BY / columns / LIMIT on the groups.
    if (grouping) table = groupByTable(where !== undefined ? table.filter(where) : table, grouping);
    table = applyTableOps(table, { where: grouping ? undefined : where, sort: sortKeys, descending: desc, columns, limit });
    writeTable(table, format, io);
  } finally {
    await file.close();
  }
  return 0;
}

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

/** Print a table in a format, a block of rows per io.out call. */
export function writeTable(table: FitsTable, format: TableFormat, io: Pick<CliIo, 'out'>): void {
  for (const block of formatTableBlocks(table, format)) io.out(block);
}

/** The whole formatted table as one string (no trailing newline). */
export function formatTable(table: FitsTable, format: TableFormat): string {
  return [...formatTableBlocks(table, format)].join('\n');
}

const BLOCK = 2000;

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
    for (let s = 0; s < n; s += BLOCK) {
      const lines: string[] = [];
      for (let i = s; i < Math.min(n, s + BLOCK); i++) {
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
    for (let s = 0; s < n; s += BLOCK) {
      const lines: string[] = [];
      for (let i = s; i < Math.min(n, s + BLOCK); i++) {
        const row = table.row(i);
        lines.push(names.map((name, c) => csvField(row[name] === null ? '' : textValue(row[name]!, cols[c]!.dtype))).join(','));
      }
      if (lines.length) yield lines.join('\n');
    }
    return;
  }
  // text: right-aligned columns; widths from the header and every shown cell.
  const cells: string[][] = [];
  for (let i = 0; i < n; i++) {
    const row = table.row(i);
    cells.push(names.map((name, c) => (row[name] === null ? '--' : textValue(row[name]!, cols[c]!.dtype))));
  }
  const units = cols.map((c) => c.unit ?? '');
  const hasUnits = units.some((u) => u.length > 0);
  const widths = names.map((name, c) => Math.max(name.length, units[c]!.length, 1, ...cells.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((s, c) => s.padStart(widths[c]!)).join(' ').replace(/\s+$/, '');
  const head = [line(names)];
  if (hasUnits) head.push(line(units));
  head.push(widths.map((w) => '-'.repeat(w)).join(' '));
  yield head.join('\n');
  for (let s = 0; s < n; s += BLOCK) yield cells.slice(s, s + BLOCK).map(line).join('\n');
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

function jsonScalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : JSON.stringify(Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity');
  if (typeof v === 'bigint') return v.toString();
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
