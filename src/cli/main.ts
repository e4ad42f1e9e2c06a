/**
 * The `fitsflow` command: the list of commands, `--help` and `--version`, and
 * how outcomes become exit codes: 0 ok, 1 invalid or unreadable file, 2 bad
 * usage, 3 no WebGPU adapter for --gpu.
 */
import { FitsError } from '../core/errors.js';
import { commandHelp, OutputClosed, parseArgs, UsageError, type CliIo, type Command } from './command.js';
import { digestCommand, infoCommand } from './read-commands.js';
import { verifyCommand } from './verify-command.js';
import { diffCommand } from './diff-command.js';
import { tableCommand } from './table-command.js';
import { compressCommand, copyCommand, decompressCommand, headerCommand } from './write-commands.js';
import { cacheCommand } from './cache-command.js';
import { pngCommand } from './png-command.js';
import { convertCommand } from './convert-command.js';
import { hatsCommand } from './hats-command.js';
import { joinCommand } from './join-command.js';
import { xmatchCommand } from './xmatch-command.js';
import { wcsCommand } from './wcs-command.js';
import { cutoutCommand } from './cutout-command.js';
import { warningCollector } from './shared.js';
import { viewCommand } from './view-command.js';

/** Every command, in the order `fitsflow --help` lists them. */
export const COMMANDS: readonly Command[] = [infoCommand, headerCommand, digestCommand, verifyCommand, diffCommand, tableCommand, joinCommand, xmatchCommand, convertCommand, hatsCommand, pngCommand, viewCommand, wcsCommand, cutoutCommand, copyCommand, compressCommand, decompressCommand, cacheCommand];

/** The package version (set by the build; "dev" when running from sources). */
declare const __FITSFLOW_VERSION__: string | undefined;
export const VERSION = typeof __FITSFLOW_VERSION__ === 'string' ? __FITSFLOW_VERSION__ : 'dev';

function overview(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'usage: fitsflow COMMAND [ARGS] [OPTIONS]     (fitsflow COMMAND --help for a command\'s options)',
    '',
    'FITS files for every JavaScript runtime. FILE may be a path, an https: URL or an s3: URL.',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}${c.summary.split(/(?<=\.)\s/)[0]}`),
    '',
    'exit codes: 0 ok, 1 invalid or unreadable file, 2 bad usage, 3 no WebGPU adapter for --gpu',
    `fitsflow ${VERSION}`,
  ].join('\n');
}

/** Run `fitsflow argv…`; returns the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V') {
    io.out(VERSION);
    return 0;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    if (name === 'help' && rest[0]) return main([rest[0], '--help'], io);
    (name ? io.out : io.err)(overview());
    return name ? 0 : 2;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    io.err(`fitsflow: unknown command "${name}"; the commands are: ${COMMANDS.map((c) => c.name).join(', ')} (fitsflow --help)`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(commandHelp(cmd));
    return 0;
  }
  const collected = warningCollector(io);
  try {
    return await cmd.run(parseArgs(rest, cmd.options), collected.io);
  } catch (e) {
    if (e instanceof OutputClosed) return 0;
    if (e instanceof UsageError) {
      io.err(`fitsflow ${name}: ${e.message}\nusage: fitsflow ${name} ${cmd.usage}\n(fitsflow ${name} --help for the options)`);
      return 2;
    }
    if (e instanceof FitsError) {
      collected.flush(); // what the reader ignored or repaired first: it may explain the error
      io.err(`fitsflow ${name}: ${e.code}: ${e.message}`);
      return e.code === 'GPU' ? 3 : 1;
    }
    throw e;
  } finally {
    collected.flush();
  }
}
