/**
 * `fitsflow xmatch A B --radius 2arcsec [--ra C --dec C] [--ra-b C --dec-b C]
 *  [--nearest] [--hdu-a H] [--hdu-b H] [--format text|csv|json|parquet] [--output FILE]`
 *
 * Cross-matches two catalogs by position (FitsTable.xmatch,
 * analytics/xmatch.ts): every pair within the radius, like astropy's
 * search_around_sky, or with --nearest each row of A's nearest match in B
 * within it (match_to_catalog_sky). Prints index_a, index_b (0-based rows)
 * and sep_arcsec, sorted by index_a then index_b. Reads only the coordinate
 * columns. The radius takes a unit: arcsec, arcmin, deg, mas (or " and ');
 * a bare number is arcseconds.
 */
import { flagValue, UsageError, type CliIo, type Command, type OptionSpec, type ParsedArgs } from './command.js';
import { xmatchTables } from '../table/ops/analytics/xmatch.js';
import { findSkyColumns, parseAngle } from '../table/ops/analytics/sky.js';
import { FitsTable } from '../table/ops/fits-table.js';
import { asUsage, FORMAT_OPTION, OUTPUT_OPTION, headerColumnNames, resultFormat, tableHdu, writeResult } from './table-output.js';

const OPTIONS: OptionSpec[] = [
  { flag: 'radius', value: 'ANGLE', help: 'match radius with a unit, e.g. 2arcsec, 0.5arcmin, 1e-3deg (a bare number: arcsec)' },
  { flag: 'ra', value: 'C', help: 'RA column (default: found by name, e.g. RA, RAJ2000, ALPHA_J2000), in both files' },
  { flag: 'dec', value: 'C', help: 'Dec column (default: found by name, e.g. DEC, DEJ2000, DELTA_J2000), in both files' },
  { flag: 'ra-b', value: 'C', help: "B's RA column when it differs" },
  { flag: 'dec-b', value: 'C', help: "B's Dec column when it differs" },
  { flag: 'nearest', help: "only each A row's nearest B match within the radius" },
  { flag: 'hdu-a', value: 'N|NAME[,VER]', help: "A's table HDU (default: the first table)" },
  { flag: 'hdu-b', value: 'N|NAME[,VER]', help: "B's table HDU (default: the first table)" },
  FORMAT_OPTION,
  OUTPUT_OPTION,
];

/** The RA and Dec columns of a catalog file, read alone; with their names. */
async function readPositions(io: CliIo, path: string, hduSpec: string | undefined, flag: string, ra: string | undefined, dec: string | undefined): Promise<{ table: FitsTable; ra: string; dec: string }> {
  const file = await io.open(path);
  try {
    const hdu = await tableHdu(file, hduSpec, flag);
    const names = headerColumnNames(hdu);
    const cols = findSkyColumns(names, ra, dec);
    if (!cols) throw new UsageError(`${path}: no ${ra ?? 'RA'}/${dec ?? 'DEC'} columns; name them with --ra and --dec (columns: ${names.join(', ')})`);
    const table = await hdu.readTable({ columns: [names[cols.ra]!, names[cols.dec]!] });
    return { table, ra: names[cols.ra]!, dec: names[cols.dec]! };
  } finally {
    await file.close();
  }
}

/** `fitsflow xmatch`. */
export const xmatchCommand: Command = {
  name: 'xmatch',
  summary: 'Cross-match two catalogs by sky position: index_a, index_b, sep_arcsec (astropy search_around_sky semantics).',
  usage: 'A B --radius ANGLE [--ra C --dec C] [--ra-b C --dec-b C] [--nearest] [--hdu-a H] [--hdu-b H] [--format text|csv|json|parquet] [--output FILE]',
  options: OPTIONS,
  async run(args: ParsedArgs, io: CliIo): Promise<number> {
    if (args.positionals.length !== 2) throw new UsageError('expected two files, A and B');
    const radius = flagValue(args, 'radius');
    if (radius === undefined) throw new UsageError('--radius is required, e.g. --radius 2arcsec');
    asUsage(() => parseAngle(radius));
    const format = resultFormat(args);
    const ra = flagValue(args, 'ra');
    const dec = flagValue(args, 'dec');
    const a = await readPositions(io, args.positionals[0]!, flagValue(args, 'hdu-a'), 'hdu-a', ra, dec);
    const b = await readPositions(io, args.positionals[1]!, flagValue(args, 'hdu-b'), 'hdu-b', flagValue(args, 'ra-b') ?? ra, flagValue(args, 'dec-b') ?? dec);
    const r = asUsage(() => xmatchTables(a.table, b.table, { radius, nearest: args.flags.has('nearest'), ra: a.ra, dec: a.dec, raB: b.ra, decB: b.dec }));
    await writeResult(new FitsTable(r.columns, r.numRows), format, args, io);
    return 0;
  },
};
