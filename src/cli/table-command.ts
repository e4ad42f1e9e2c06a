/**
 * `fitsflow table FILE [--hdu N|NAME[,VER]] [--columns a,b] [--where EXPR]
 *  [--group-by K --agg AGGS] [--sort KEY[,KEY2]] [--desc] [--limit N]
 *  [--format text|csv|json|parquet] [--output FILE]`
 *
 * Reads a table HDU (the first table when --hdu is not given; only the
 * columns it needs when --columns or --group-by is given), filters it with
 * --where (the FitsTable expression language), groups it (--group-by/--agg,
 * table-groupby.ts), sorts it (stable; --desc reverses every key, NaN and
 * nulls stay last), keeps the --columns and the first --limit rows, and
 * prints (table-text.ts) or writes Parquet (table-output.ts):
 * - text: aligned columns under a header line, like astropy's pprint (nulls `--`);
 * - csv: RFC 4180, a header line, nulls empty, arrays as `[a, b]` in one field;
 * - json: an array of row objects; NaN and ±Infinity as the strings "NaN",
 *   "Infinity", "-Infinity", nulls null; 64-bit integers as numbers when
 *   |v| ≤ 2^53 − 1, else as decimal strings (a JSON number beyond that is
 *   rounded by most JSON readers, JavaScript's among them).
 * Output is written in blocks with backpressure, so `| head` stops the work.
 */
import { mentionedNames, resolveColumnName } from '../table/ops/expression/check.js';
import type { FitsTable } from '../table/ops/fits-table.js';
import { flagValue, onePositional, UsageError, type CliIo, type Command, type ParsedArgs } from './command.js';
import { HDU_OPTION, printWarnings } from './shared.js';
import { groupByColumns, groupByFlags, groupByTable } from './table-groupby.js';
import { asUsage, FORMAT_OPTION, headerColumnNames, OUTPUT_OPTION, resultFormat, tableHdu, writeResult } from './table-output.js';

function list(v: string | undefined, what: string): string[] | undefined {
  if (v === undefined) return undefined;
  const parts = v.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (parts.length === 0) throw new UsageError(`${what} is an empty list`);
  return parts;
}

/** Check that every name is a column of the HDU (case-insensitive, as the table operations match). */
function checkNames(present: { name: string }[], names: readonly string[], option: string): void {
  for (const n of names) {
    const r = resolveColumnName(present, n);
    if (typeof r === 'string') throw new UsageError(`${option}: ${r}`);
    if (r < 0) throw new UsageError(`${option}: no column named '${n}'; the table's columns: ${present.map((c) => c.name).join(', ') || '(none)'}`);
  }
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
  const grouping = groupByFlags(args);
  const format = resultFormat(args);
  const whereNames = where === undefined ? [] : asUsage(() => mentionedNames(where));

  const file = await io.open(path);
  try {
    const hdu = await tableHdu(file, flagValue(args, 'hdu'), 'hdu');
    // Every name must be a column of the HDU (the error lists the HDU's columns, not the ones read).
    // With --group-by, --columns and --sort name columns of the grouped result (keys, `mean(C)`).
    const present = headerColumnNames(hdu).map((name) => ({ name }));
    checkNames(present, whereNames, '--where');
    if (grouping) checkNames(present, groupByColumns(grouping), '--group-by/--agg');
    else {
      checkNames(present, columns ?? [], '--columns');
      checkNames(present, sortKeys ?? [], '--sort');
    }
    // Read only what is needed: the output columns, or what the grouping uses.
    const read = grouping
      ? [...new Set([...groupByColumns(grouping), ...whereNames])]
      : columns
        ? [...new Set([...columns, ...whereNames, ...(sortKeys ?? [])])]
        : undefined;
    let table = await hdu.readTable(read ? { columns: read } : {});
    // SQL's order: WHERE, GROUP BY, then ORDER BY, the columns and LIMIT (on the groups).
    table = asUsage(() => {
      let t = table;
      if (grouping) t = groupByTable(where !== undefined ? t.filter(where) : t, grouping);
      return applyTableOps(t, { where: grouping ? undefined : where, sort: sortKeys, descending: desc, columns, limit });
    });
    await writeResult(table, format, args, io);
    printWarnings(io, file);
  } finally {
    await file.close();
  }
  return 0;
}

export const tableCommand: Command = {
  name: 'table',
  summary: 'Print a table HDU (or some of its rows and columns), filtered, grouped and sorted, as text, CSV, JSON or Parquet.',
  usage: 'FILE [--hdu N|NAME[,VER]] [--columns a,b] [--where EXPR] [--group-by K1,K2 --agg "count(),mean(C)"] [--sort KEY[,KEY2]] [--desc] [--limit N] [--format text|csv|json|parquet]',
  options: [
    { ...HDU_OPTION, help: 'the table HDU (default: the first table)' },
    { flag: 'columns', value: 'A,B,…', help: 'the columns to print (and read), in this order' },
    { flag: 'where', value: 'EXPR', help: "keep the rows where EXPR is true, e.g. 'MAG_G < 20 && !isnan(MAG_R)'" },
    { flag: 'sort', value: 'KEY[,KEY2]', help: 'sort by these columns (stable; NaN and nulls last)' },
    { flag: 'desc', help: 'sort in descending order' },
    { flag: 'limit', value: 'N', help: 'print at most N rows' },
    { flag: 'group-by', value: 'K1,K2', help: 'one row per group of these key columns (after --where; groups in ascending key order)' },
    { flag: 'agg', value: 'AGGS', help: 'with --group-by: count() sum mean min max std var median first last nunique of columns, e.g. "count(),mean(MAG)"' },
    FORMAT_OPTION,
    OUTPUT_OPTION,
  ],
  details: [
    'Expressions: column names, numbers, strings, + - * / %, comparisons, && || !, and',
    'abs sqrt log log10 exp sin cos tan … isnan isfinite. JSON writes 64-bit integers',
    'beyond ±(2^53 − 1) as strings, NaN/Infinity as strings, nulls as null.',
    '',
    'Group-by follows pandas: NaN and null values are skipped by the aggregations (count() counts',
    'rows), std and var are sample (n − 1), rows with a NaN or null key are dropped.',
    '',
    'examples:',
    '  fitsflow table cat.fits --columns RA,DEC,MAG --where "MAG < 18" --sort MAG --limit 10',
    '  fitsflow table cat.fits --group-by BAND --agg "count(),mean(MAG),std(MAG)" --format csv',
    '  fitsflow table cat.fits --where "MAG < 20" --format parquet --output bright.parquet',
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
