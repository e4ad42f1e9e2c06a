/**
 * What the commands printing a table (table, join, xmatch) share: the table
 * HDU of a file, and the result as text, CSV or JSON on standard output, or
 * as Parquet (to --output FILE, or to standard output).
 */
import { FitsError } from '../core/errors.js';
import type { FitsFile } from '../file/fits-file.js';
import type { Hdu } from '../file/hdu.js';
import type { FitsTable } from '../table/ops/fits-table.js';
import { ExpressionError } from '../table/ops/expression/tokenizer.js';
import { flagValue, UsageError, type CliIo, type OptionSpec, type ParsedArgs } from './command.js';
import { pickHduSpec } from './shared.js';
import { writeTable } from './table-text.js';

/** Output formats of a table result. */
export type ResultFormat = 'text' | 'csv' | 'json' | 'parquet';

/** The --format option of commands printing a table. */
export const FORMAT_OPTION: OptionSpec = { flag: 'format', value: 'text|csv|json|parquet', help: 'output format (default text)' };
/** Where --format parquet writes. */
export const OUTPUT_OPTION: OptionSpec = { flag: 'output', value: 'FILE', help: "where --format parquet writes (default '-': standard output)" };

/** The --format value (default text); --output only with parquet. */
export function resultFormat(args: ParsedArgs): ResultFormat {
  const f = flagValue(args, 'format') ?? 'text';
  if (f !== 'text' && f !== 'csv' && f !== 'json' && f !== 'parquet') throw new UsageError('--format is text, csv, json or parquet');
  if (f !== 'parquet' && args.flags.has('output')) throw new UsageError('--output goes with --format parquet; text, csv and json go to standard output');
  return f;
}

/** Print a result table, or write it as Parquet (to --output, or standard output). */
export async function writeResult(table: FitsTable, format: ResultFormat, args: ParsedArgs, io: CliIo): Promise<void> {
  if (format !== 'parquet') {
    await writeTable(table, format, io);
    return;
  }
  const output = flagValue(args, 'output') ?? '-';
  // Loaded here so that text output does not load the Parquet libraries.
  if (output !== '-') {
    const { writeTableParquet } = await import('../node/convert.js');
    await writeTableParquet(table, output);
    return;
  }
  if (!io.writeBytes) throw new UsageError('standard output takes text only here; give --output FILE');
  const { writeParquet } = await import('../convert/parquet.js');
  const writeBytes = io.writeBytes.bind(io);
  await writeParquet({ write: writeBytes, close: async () => undefined, abort: async () => undefined }, table.materialize());
}

/** Run an operation on tables already read; its mistakes (bad expression, unknown column) are the user's: exit 2. */
export function asUsage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ExpressionError || (e instanceof FitsError && (e.code === 'BAD_ARGUMENT' || e.code === 'NOT_FOUND'))) throw new UsageError(e.message);
    throw e;
  }
}

/** The first table HDU of a file. */
export async function firstTable(file: FitsFile): Promise<Hdu> {
  for await (const hdu of file) if (hdu.kind === 'bintable' || hdu.kind === 'table' || hdu.kind === 'compressed-table') return hdu;
  throw new FitsError('NOT_FOUND', 'The file has no table HDU; name one with --hdu.');
}

/** The table HDU `spec` names (index or NAME[,VER]; default the first table); `option` is the flag, for messages. */
export async function tableHdu(file: FitsFile, spec: string | undefined, option: string): Promise<Hdu> {
  const hdu = await pickHduSpec(file, spec, option, () => firstTable(file));
  if (hdu.kind !== 'bintable' && hdu.kind !== 'table' && hdu.kind !== 'compressed-table') throw new UsageError(`HDU ${hdu.index} is a ${hdu.kind}, not a table; pass --${option} with a table HDU`);
  return hdu;
}

/** TTYPEn of a table HDU (`col{n}` when absent, as the reader names them). */
export function headerColumnNames(hdu: Hdu): string[] {
  const h = hdu.tableHeader;
  const n = h.getInt('TFIELDS', 0);
  const names: string[] = [];
  for (let i = 1; i <= n; i++) {
    const v = h.get(`TTYPE${i}`);
    names.push(typeof v === 'string' ? v.trim() : `col${i}`);
  }
  return names;
}

/** Read the table of a file (all columns, or `columns`), closing the file. */
export async function readTableFile(io: CliIo, path: string, spec: string | undefined, option: string, columns?: string[]): Promise<FitsTable> {
  const file = await io.open(path);
  try {
    const hdu = await tableHdu(file, spec, option);
    return await hdu.readTable(columns ? { columns } : {});
  } finally {
    await file.close();
  }
}
