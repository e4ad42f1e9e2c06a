/**
 * `fitsflow convert IN OUT`: one table between FITS, Parquet, Arrow IPC and
 * CSV (formats from the file extensions, or --from/--to). Progress goes to
 * stderr on long runs. Exit codes: 0 done, 1 unreadable input or failed
 * write, 2 bad usage.
 */
import type { TableFormat } from '../convert/convert.js';
import { flagValue, UsageError, type CliIo, type Command, type ParsedArgs } from './command.js';
import { FORCE_OPTION, progressPrinter, refuseOverwrite } from './shared.js';

const FORMATS: TableFormat[] = ['fits', 'parquet', 'arrow', 'arrows', 'csv'];

function formatFlag(args: ParsedArgs, name: string): TableFormat | undefined {
  const v = flagValue(args, name);
  if (v === undefined) return undefined;
  if (!FORMATS.includes(v as TableFormat)) throw new UsageError(`--${name} is one of ${FORMATS.join(', ')}`);
  return v as TableFormat;
}

export const convertCommand: Command = {
  name: 'convert',
  summary: 'Convert a table between FITS, Parquet, Arrow IPC and CSV (units, TNULL and types kept).',
  usage: 'IN OUT [--hdu N|NAME] [--columns a,b] [--from FMT] [--to FMT] [--codec snappy|none] [--batch-rows N]',
  options: [
    { flag: 'hdu', value: 'N|NAME', help: 'FITS input: the table HDU (default: the first table)' },
    { flag: 'columns', value: 'a,b', help: 'keep only these columns' },
    { flag: 'from', value: 'FMT', help: 'input format: fits, parquet, arrow, arrows, csv (default: from the extension)' },
    { flag: 'to', value: 'FMT', help: 'output format (default: from the extension)' },
    { flag: 'codec', value: 'snappy|none', help: 'Parquet compression (default snappy)' },
    { flag: 'batch-rows', value: 'N', help: 'rows per batch / Parquet row group' },
    FORCE_OPTION,
  ],
  details: 'examples:\n  fitsflow convert cat.fits cat.parquet\n  fitsflow convert cat.parquet cat.fits --columns ra,dec,mag\n  fitsflow convert events.fits events.csv --hdu EVENTS\nFormats come from the extensions (.fits .fit .fts .fz, .parquet .pq, .arrow .feather .ipc, .arrows, .csv) or --from/--to. Units, TNULL, TSCAL/TZERO and the header travel in the Parquet/Arrow metadata, so FITS → Parquet → FITS gives the same table.',
  async run(args: ParsedArgs, io: CliIo): Promise<number> {
    if (args.positionals.length !== 2) throw new UsageError(`expected IN and OUT, got ${args.positionals.length} argument(s)`);
    const [input, output] = args.positionals as [string, string];
    if (input === output) throw new UsageError('IN and OUT must differ');
    refuseOverwrite(output, args);
    const hduText = flagValue(args, 'hdu');
    const hdu = hduText === undefined ? undefined : /^\d+$/.test(hduText) ? Number(hduText) : hduText;
    const columns = flagValue(args, 'columns')?.split(',').map((s) => s.trim()).filter((s) => s);
    if (columns && columns.length === 0) throw new UsageError('--columns needs at least one column name');
    const codecText = flagValue(args, 'codec');
    if (codecText !== undefined && codecText !== 'snappy' && codecText !== 'none') throw new UsageError('--codec is snappy or none');
    const batchText = flagValue(args, 'batch-rows');
    if (batchText !== undefined && !/^[1-9]\d*$/.test(batchText)) throw new UsageError('--batch-rows takes a positive integer');
    const progress = progressPrinter(io, `convert ${input}`);
    // Loaded here so that other commands do not load the Parquet libraries.
    const [{ convertTable }, { nodeConvertIo }] = await Promise.all([import('../convert/convert.js'), import('../node/convert.js')]);
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
  },
};
