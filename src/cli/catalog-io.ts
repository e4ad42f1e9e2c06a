/**
 * What the catalog commands (join, xmatch, table --group-by) share: the
 * command-object shape, reading a table HDU of a file, and writing a result
 * as text/csv/json (the `table` command's formats) or Parquet (through a
 * writer the caller connects; without one, `--format parquet` is a usage
 * error saying so).
 */
import { FitsError } from '../errors.js';
import type { FitsFile } from '../fits-file.js';
import type { Hdu } from '../hdu/hdu.js';
import type { FitsTable } from '../table/fits-table.js';
import { UsageError, type ParsedArgs } from './args.js';
import type { CliIo } from './commands.js';
import { writeTable } from './table-command.js';

/** One option of a command: `--flag VALUE` (value names the argument) or a bare `--flag`. */
export interface CliOption {
  flag: string;
  value?: string;
  help: string;
}

/** A CLI command: parses its flags, calls the library, prints; returns the exit code (0 ok, 1 unreadable, 2 bad usage). */
export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  options: CliOption[];
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

/** Writes a table to a path as Parquet ('-' for standard output); connected by the caller. */
export type TableFileWriter = (table: FitsTable, path: string) => Promise<void>;

/** Where the catalog commands' --format parquet goes. */
export interface CatalogOutputs {
  writeParquet?: TableFileWriter;
}

export type CatalogFormat = 'text' | 'csv' | 'json' | 'parquet';

export const FORMAT_OPTION: CliOption = { flag: 'format', value: 'text|csv|json|parquet', help: 'output format (default text)' };
export const OUTPUT_OPTION: CliOption = { flag: 'output', value: 'FILE', help: "where --format parquet writes ('-', the default, is standard output)" };

/** Names of the options that take a value (for the argument parser). */
export function valuedFlags(options: readonly CliOption[]): string[] {
  return options.filter((o) => o.value !== undefined).map((o) => o.flag);
}

/** FitsError BAD_ARGUMENT / NOT_FOUND from an operation on tables already read → a usage error (exit 2). */
export function asUsage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof FitsError && (e.code === 'BAD_ARGUMENT' || e.code === 'NOT_FOUND')) throw new UsageError(e.message);
    throw e;
  }
}

/** The value of a valued flag (UsageError when given bare). */
export function flagValue(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return v;
}

/** UsageError for flags the command does not know. */
export function checkFlags(args: ParsedArgs, options: readonly CliOption[]): void {
  const known = new Set(options.map((o) => o.flag));
  for (const k of args.flags.keys()) if (!known.has(k)) throw new UsageError(`unknown option --${k}`);
}

/** The --format value (default text). */
export function formatFlag(args: ParsedArgs): CatalogFormat {
  const f = flagValue(args, 'format') ?? 'text';
  if (f !== 'text' && f !== 'csv' && f !== 'json' && f !== 'parquet') throw new UsageError('--format is text, csv, json or parquet');
  return f;
}

/** UsageError before any work when --format parquet has no writer, or --output comes without it. */
export function checkParquet(format: CatalogFormat, outputs: CatalogOutputs, args?: ParsedArgs): void {
  if (format === 'parquet' && !outputs.writeParquet) throw new UsageError('--format parquet is not connected to a Parquet writer in this build; use csv, json or text');
  if (format !== 'parquet' && args?.flags.has('output')) throw new UsageError('--output goes with --format parquet; text, csv and json go to standard output');
}

/** Print (or write, for Parquet) a result table. */
export async function writeResult(table: FitsTable, format: CatalogFormat, args: ParsedArgs, io: CliIo, outputs: CatalogOutputs): Promise<void> {
  if (format === 'parquet') {
    checkParquet(format, outputs);
    await outputs.writeParquet!(table, flagValue(args, 'output') ?? '-');
    return;
  }
  writeTable(table, format, io);
}

/** A table HDU of an open file: `spec` an index or NAME[,VER]; the first table HDU by default. */
export async function tableHdu(file: FitsFile, spec: string | undefined, flag: string): Promise<Hdu> {
  let hdu: Hdu | undefined;
  if (spec !== undefined) {
    if (/^\d+$/.test(spec)) hdu = await file.hdu(Number(spec));
    else {
      const [name, ver] = spec.split(',');
      if (ver !== undefined && !/^\d+$/.test(ver.trim())) throw new UsageError(`--${flag} NAME,VER needs an integer version`);
      hdu = await file.hdu(name!.trim(), ver !== undefined ? Number(ver) : undefined);
    }
  } else {
    for await (const h of file) {
      if (h.kind === 'bintable' || h.kind === 'table') {
        hdu = h;
        break;
      }
    }
    if (!hdu) throw new FitsError('NOT_FOUND', 'The file has no table HDU.');
  }
  if (hdu.kind !== 'bintable' && hdu.kind !== 'table') throw new FitsError('BAD_ARGUMENT', `HDU ${hdu.index} is a ${hdu.kind}, not a table.`, { hdu: hdu.index });
  return hdu;
}

/** Read the table of a file (all columns, or `columns`), closing the file. */
export async function readTableFile(io: CliIo, path: string, hduSpec: string | undefined, flag: string, columns?: string[]): Promise<FitsTable> {
  const file = await io.open(path);
  try {
    const hdu = await tableHdu(file, hduSpec, flag);
    return await hdu.readTable(columns ? { columns } : {});
  } finally {
    await file.close();
  }
}

/** TTYPEn of a table HDU (`col{n}` when absent, as the reader names them). */
export function headerColumnNames(hdu: Hdu): string[] {
  const n = hdu.header.getInt('TFIELDS', 0) ?? 0;
  const names: string[] = [];
  for (let i = 1; i <= n; i++) {
    const v = hdu.header.get(`TTYPE${i}`);
    names.push(typeof v === 'string' ? v.trim() : `col${i}`);
  }
  return names;
}
