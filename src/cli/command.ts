/**
 * The shape of a CLI command and the argument parser every command shares:
 * its options are declared once (flag, value placeholder, one line of help),
 * so `--help`, the usage line and the check for unknown flags come from the
 * same list. Commands are thin: they parse, call the library, print.
 */
import type { FitsFile } from '../file/fits-file.js';

/** What commands print to and open files with (process I/O in bin.ts; arrays in tests). */
export interface CliIo {
  /** A line (or lines) of output. */
  out(text: string): void;
  /** A line of diagnostics (warnings, errors, progress). */
  err(text: string): void;
  /** Open a path or URL for reading. */
  open(path: string): Promise<FitsFile>;
  /**
   * Write a large amount of output, waiting while the reader is behind
   * (backpressure). Rejects with {@link OutputClosed} once the reader has gone
   * (e.g. `| head`), so long outputs stop. Default: `out`.
   */
  write?(text: string): Promise<void>;
  /**
   * Write bytes to standard output as they are (a Parquet result to `-`),
   * with the same backpressure and {@link OutputClosed}. Absent where output
   * is text only; commands then ask for a file.
   */
  writeBytes?(bytes: Uint8Array): Promise<void>;
  /** Standard input as text (for commands reading points or lists). */
  stdin?(): Promise<string>;
  /** Whether progress lines are wanted (stderr is a terminal). */
  readonly progress?: boolean;
}

/** The reader of the output went away (EPIPE): stop producing, exit quietly. */
export class OutputClosed extends Error {
  constructor() {
    super('output closed');
    this.name = 'OutputClosed';
  }
}

/** A command-line mistake: the command prints it with its usage and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** One option of a command. */
export interface OptionSpec {
  /** The flag without dashes: `hdu` for `--hdu`. */
  flag: string;
  /** Placeholder of its value (`N|NAME`); absent for a switch. */
  value?: string;
  /** One line saying what it does. */
  help: string;
  /** The option may be given more than once (every value is kept, in {@link ParsedArgs.values}); else twice is a UsageError. */
  repeatable?: boolean;
}

/** Parsed arguments: positionals and flags (`true` for switches). */
export interface ParsedArgs {
  positionals: string[];
  /** Each given flag: its value (the last one of a repeatable option), `true` for switches. */
  flags: Map<string, string | true>;
  /** Every value of each option that takes one, in order (several only for repeatable options). */
  values: Map<string, string[]>;
}

/** A `fitsflow` subcommand. */
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The arguments after the command name, e.g. `FILE [--hdu N]`. */
  usage: string;
  options: OptionSpec[];
  /** Longer notes and examples for `--help`. */
  details?: string;
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

/**
 * Parse `argv` against a command's options: positionals, `--flag`,
 * `--flag value` and `--flag=value`, `--` ends the options. Unknown flags, a
 * missing value, a value given to a switch, or an option that takes a value
 * given twice (unless it is repeatable: a second value must not silently
 * replace the first) are UsageErrors.
 */
export function parseArgs(argv: readonly string[], options: readonly OptionSpec[]): ParsedArgs {
  const specs = new Map(options.map((o) => [o.flag, o]));
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  const values = new Map<string, string[]>();
  const setValue = (spec: OptionSpec, v: string): void => {
    const seen = values.get(spec.flag);
    if (seen && !spec.repeatable) throw new UsageError(`--${spec.flag} was given twice (${seen[0]}, ${v}): give it once`);
    if (seen) seen.push(v);
    else values.set(spec.flag, [v]);
    flags.set(spec.flag, v);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const key = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const spec = specs.get(key);
      if (!spec) throw new UsageError(`unknown option --${key}`);
      if (spec.value === undefined) {
        if (eq >= 0) throw new UsageError(`--${key} takes no value`);
        flags.set(key, true);
      } else if (eq >= 0) setValue(spec, a.slice(eq + 1));
      else {
        const v = argv[++i];
        if (v === undefined) throw new UsageError(`--${key} needs a value (${spec.value})`);
        setValue(spec, v);
      }
    } else positionals.push(a);
  }
  return { positionals, flags, values };
}

/** A valued flag's text, or undefined when absent. */
export function flagValue(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return v === true ? undefined : v;
}

/** The one positional a command takes. */
export function onePositional(args: ParsedArgs, what = 'FILE'): string {
  if (args.positionals.length !== 1) throw new UsageError(`expected one ${what}, got ${args.positionals.length}`);
  return args.positionals[0]!;
}

/** `fitsflow NAME --help`: usage, summary, options and details. */
export function commandHelp(c: Command): string {
  const lines = [`usage: fitsflow ${c.name} ${c.usage}`, '', c.summary];
  const opts = [...c.options, { flag: 'help', help: 'print this help and exit' }];
  const left = opts.map((o) => `  --${o.flag}${'value' in o && o.value ? ` ${o.value}` : ''}`);
  const w = Math.min(34, Math.max(...left.map((l) => l.length)) + 2);
  lines.push('', 'options:');
  opts.forEach((o, i) => lines.push(left[i]!.length < w ? left[i]!.padEnd(w) + o.help : `${left[i]}\n${' '.repeat(w)}${o.help}`));
  if (c.details) lines.push('', c.details);
  return lines.join('\n');
}
