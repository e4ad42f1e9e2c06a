/**
 * `fitsflow join A B --on K[,K2] [--how inner|left|right|outer] [--sort]
 *  [--nulls-unequal] [--suffix S] [--hdu-a H] [--hdu-b H]
 *  [--format text|csv|json|parquet] [--output FILE]`
 *
 * Joins the first table HDU of A with that of B on key columns, with pandas
 * 1.5's merge semantics and row order (FitsTable.join, analytics/join.ts):
 * the columns of A, then B's other columns (a clashing name suffixed _2).
 */
import { flagValue, UsageError, type CliIo, type Command, type OptionSpec, type ParsedArgs } from './command.js';
import { joinTables, type JoinHow } from '../table/ops/analytics/join.js';
import { FitsTable } from '../table/ops/fits-table.js';
import { asUsage, FORMAT_OPTION, OUTPUT_OPTION, readTableFile, resultFormat, writeResult } from './table-output.js';

const OPTIONS: OptionSpec[] = [
  { flag: 'on', value: 'K[,K2]', help: 'key column(s), in both tables' },
  { flag: 'how', value: 'inner|left|right|outer', help: 'which rows to keep (default inner)' },
  { flag: 'sort', help: 'rows in ascending key order (pandas sort=True)' },
  { flag: 'nulls-unequal', help: 'null/NaN keys match nothing (SQL); by default they match each other (pandas)' },
  { flag: 'suffix', value: 'S', help: "appended to B's column names that clash with A's (default _2)" },
  { flag: 'hdu-a', value: 'N|NAME[,VER]', help: "A's table HDU (default: the first table)" },
  { flag: 'hdu-b', value: 'N|NAME[,VER]', help: "B's table HDU (default: the first table)" },
  FORMAT_OPTION,
  OUTPUT_OPTION,
];

/** `fitsflow join`. */
export const joinCommand: Command = {
  name: 'join',
  summary: 'Join two tables on key columns (pandas merge semantics and row order).',
  usage: 'A B --on K[,K2] [--how inner|left|right|outer] [--sort] [--nulls-unequal] [--suffix S] [--hdu-a H] [--hdu-b H] [--format text|csv|json|parquet] [--output FILE]',
  options: OPTIONS,
  async run(args: ParsedArgs, io: CliIo): Promise<number> {
    if (args.positionals.length !== 2) throw new UsageError('expected two files, A and B');
    const on = (flagValue(args, 'on') ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    if (on.length === 0) throw new UsageError('--on needs one or more key columns');
    const how = (flagValue(args, 'how') ?? 'inner') as JoinHow;
    if (!['inner', 'left', 'right', 'outer'].includes(how)) throw new UsageError('--how is inner, left, right or outer');
    const format = resultFormat(args);
    const a = await readTableFile(io, args.positionals[0]!, flagValue(args, 'hdu-a'), 'hdu-a');
    const b = await readTableFile(io, args.positionals[1]!, flagValue(args, 'hdu-b'), 'hdu-b');
    const opts = { on, how, sort: args.flags.has('sort'), nullsEqual: !args.flags.has('nulls-unequal') };
    const suffix = flagValue(args, 'suffix');
    const r = asUsage(() => joinTables(a, b, suffix !== undefined ? { ...opts, suffix } : opts));
    await writeResult(new FitsTable(r.columns, r.numRows), format, args, io);
    return 0;
  },
};
