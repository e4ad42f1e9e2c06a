/**
 * `fitsflow convert IN OUT`: one table between FITS, Parquet, Arrow IPC and
 * CSV (formats from the file extensions, or --from/--to). Progress goes to
 * stderr on long runs. Exit codes: 0 done, 1 unreadable input or failed
 * write, 2 bad usage.
 */
import { FitsError } from '../errors.js';
import { convertTable, type TableFormat } from '../convert/convert.js';
import { nodeConvertIo } from '../convert/convert-node.js';
import { UsageError, type ParsedArgs } from './args.js';
import type { CliIo } from './commands.js';

/** One option of a command. */
export interface CommandOption {
  flag: string;
  value?: string;
  help: string;
}

/** A CLI command. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: CommandOption[];
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

const FORMATS: TableFormat[] = ['fits', 'parquet', 'arrow', 'arrows', 'csv'];

function flag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return v;
}

function formatFlag(args: ParsedArgs, name: string): TableFormat | undefined {
  const v = flag(args, name);
  if (v === undefined) return undefined;
  if (!FORMATS.includes(v as TableFormat)) throw new UsageError(`--${name} is one of ${FORMATS.join(', ')}`);
  return v as TableFormat;
}

/** Prints "rows written" to stderr at most once a second, after the first two seconds. */
export function progressPrinter(io: CliIo, label: string, total?: number): { update(n: number): void; done(n: number): void } {
  const start = Date.now();
  let last = start;
  let printed = false;
  const line = (n: number) => `${label}: ${n.toLocaleString('en-US')}${total ? ` / ${total.toLocaleString('en-US')} rows (${((100 * n) / total).toFixed(0)}%)` : ' rows'}, ${((Date.now() - start) / 1000).toFixed(1)} s`;
  return {
    update(n: number) {
      const now = Date.now();
      if (now - start < 2000 || now - last < 1000) return;
      last = now;
      printed = true;
      io.err(line(n));
    },
    done(n: number) {
      if (printed) io.err(line(n));
    },
  };
}

export const convertCommand: Command = {
  name: 'convert',
  summary: 'Convert a table between FITS, Parquet, Arrow IPC and CSV (units, TNULL, types kept)',
  usage: 'convert IN OUT [--hdu N|NAME] [--columns a,b] [--from FMT] [--to FMT] [--codec snappy|none] [--batch-rows N]',
  options: [
    { flag: 'hdu', value: 'N|NAME', help: 'FITS input: the table HDU (default: the first table)' },
    { flag: 'columns', value: 'a,b', help: 'keep only these columns' },
    { flag: 'from', value: 'FMT', help: 'input format: fits, parquet, arrow, arrows, csv (default: from the extension)' },
    { flag: 'to', value: 'FMT', help: 'output format (default: from the extension)' },
    { flag: 'codec', value: 'snappy|none', help: 'Parquet compression (default snappy)' },
    { flag: 'batch-rows', value: 'N', help: 'rows per batch / Parquet row group' },
  ],
  async run(args: ParsedArgs, io: CliIo): Promise<number> {
    try {
      const known = new Set(convertCommand.options.map((o) => o.flag));
      for (const k of args.flags.keys()) if (!known.has(k)) throw new UsageError(`unknown option --${k}`);
      if (args.positionals.length !== 2) throw new UsageError('expected IN and OUT');
      const [input, output] = args.positionals as [string, string];
      const hduText = flag(args, 'hdu');
      const hdu = hduText === undefined ? undefined : /^\d+$/.test(hduText) ? Number(hduText) : hduText;
      const columnsText = flag(args, 'columns');
      const columns = columnsText?.split(',').map((s) => s.trim()).filter((s) => s);
      if (columns && columns.length === 0) throw new UsageError('an empty column list');
      const codecText = flag(args, 'codec');
      if (codecText !== undefined && codecText !== 'snappy' && codecText !== 'none') throw new UsageError('--codec is snappy or none');
      const batchText = flag(args, 'batch-rows');
      if (batchText !== undefined && !/^[1-9]\d*$/.test(batchText)) throw new UsageError('--batch-rows takes a positive integer');
      const progress = progressPrinter(io, `convert ${input}`);
      const r = await convertTable(input, output, nodeConvertIo(), {
        hdu,
        columns,
        from: formatFlag(args, 'from'),
        to: formatFlag(args, 'to'),
        codec: codecText === 'none' ? 'UNCOMPRESSED' : 'SNAPPY',
        batchRows: batchText === undefined ? undefined : Number(batchText),
        onProgress: (n) => progress.update(n),
      });
      progress.done(r.rows);
      io.out(`${output}: ${r.rows} rows (${r.from} → ${r.to})`);
      return 0;
    } catch (e) {
      if (e instanceof UsageError) {
        io.err(`fitsflow convert: ${e.message}\nusage: fitsflow ${convertCommand.usage}`);
        return 2;
      }
      if (e instanceof FitsError) {
        io.err(`fitsflow convert: ${e.code}: ${e.message}`);
        return 1;
      }
      throw e;
    }
  },
};
