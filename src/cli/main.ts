/**
 * The `fitsflow` command. Exit codes: 0 ok, 1 invalid or unreadable file,
 * 2 bad usage, 3 no WebGPU adapter for --gpu.
 */
import { FitsError } from '../errors.js';
import { parseArgs, UsageError } from './args.js';
import { COMMANDS as READ_COMMANDS, type CliIo } from './commands.js';
import { tableCommand, TABLE_USAGE, TABLE_VALUED_FLAGS } from './table-command.js';
import { WRITE_COMMANDS } from './write-commands.js';
import { REMOTE_COMMANDS } from './remote-commands.js';
import { joinCommand } from './join-command.js';
import { xmatchCommand } from './xmatch-command.js';
import { valuedFlags, type CliCommand } from './catalog-io.js';

/** A command object (catalog-io.ts) as an entry of COMMANDS. */
const entry = (c: CliCommand) => ({ run: c.run, valued: valuedFlags(c.options), usage: c.usage });

/** Every command: reading, tables, writing (whose `header` adds --set/--delete to the reading one), cache. */
const COMMANDS: typeof READ_COMMANDS = {
  ...READ_COMMANDS,
  table: { run: tableCommand, valued: TABLE_VALUED_FLAGS, usage: TABLE_USAGE },
  ...WRITE_COMMANDS,
  ...REMOTE_COMMANDS,
  join: entry(joinCommand),
  xmatch: entry(xmatchCommand),
};

function usage(): string {
  return ['usage: fitsflow COMMAND ...', ...Object.values(COMMANDS).map((c) => `  fitsflow ${c.usage}`)].join('\n');
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    io.err(`fitsflow: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  try {
    return await cmd.run(parseArgs(rest, new Set(cmd.valued)), io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`fitsflow ${name}: ${e.message}\nusage: fitsflow ${cmd.usage}`);
      return 2;
    }
    if (e instanceof FitsError) {
      io.err(`fitsflow ${name}: ${e.code}: ${e.message}`);
      return e.code === 'GPU' ? 3 : 1;
    }
    throw e;
  }
}

