/**
 * What several commands share: choosing an HDU, refusing to overwrite an
 * output without --force, and progress lines.
 */
import { existsSync } from 'node:fs';
import { FitsError } from '../core/errors.js';
import type { FitsFile } from '../file/fits-file.js';
import type { Hdu } from '../file/hdu.js';
import { UsageError, type CliIo, type OptionSpec, type ParsedArgs } from './command.js';

/** The `--hdu` option. */
export const HDU_OPTION: OptionSpec = { flag: 'hdu', value: 'N|NAME[,VER]', help: 'the HDU: a 0-based index, or EXTNAME (and EXTVER); default 0' };

/** The `--force` option of commands that write a file. */
export const FORCE_OPTION: OptionSpec = { flag: 'force', help: 'replace OUT if it exists' };

/** The HDU `--hdu` names (index, NAME or NAME,VER), or `fallback` (default HDU 0). */
export function pickHdu(file: FitsFile, args: ParsedArgs, fallback?: () => Promise<Hdu>): Promise<Hdu> {
  const spec = args.flags.get('hdu');
  if (spec === true) throw new UsageError('--hdu needs an index or a NAME[,VER]');
  return pickHduSpec(file, spec, 'hdu', fallback);
}

/** The HDU `spec` names (index, NAME or NAME,VER) for the flag `option`, or `fallback` (default HDU 0). */
export async function pickHduSpec(file: FitsFile, spec: string | undefined, option: string, fallback?: () => Promise<Hdu>): Promise<Hdu> {
  if (spec === undefined) return fallback ? fallback() : file.hdu(0);
  if (spec.trim() === '') throw new UsageError(`--${option} needs an index or a NAME[,VER]`);
  if (/^\d+$/.test(spec.trim())) return file.hdu(Number(spec));
  const [name, ver] = spec.split(',');
  if (ver !== undefined && !/^\d+$/.test(ver.trim())) throw new UsageError(`--${option} NAME,VER needs an integer EXTVER`);
  return file.hdu(name!.trim(), ver !== undefined ? Number(ver) : undefined);
}

/** IN and OUT of a command that writes a file; OUT must not exist unless --force. */
export function inputOutput(args: ParsedArgs): [string, string] {
  if (args.positionals.length !== 2) throw new UsageError(`expected IN and OUT, got ${args.positionals.length} argument(s)`);
  const [input, output] = args.positionals as [string, string];
  if (input === output) throw new UsageError('IN and OUT must differ');
  refuseOverwrite(output, args);
  return [input, output];
}

/** Refuse to replace an existing `path` without --force. */
export function refuseOverwrite(path: string, args: ParsedArgs): void {
  if (!args.flags.has('force') && existsSync(path)) throw new UsageError(`${path} exists; pass --force to replace it`);
}

/** A progress line on stderr when stderr is a terminal. */
export function progress(io: CliIo, text: string): void {
  if (io.progress) io.err(text);
}

/**
 * Counted progress for long runs ("convert x.fits: 1,200,000 rows, 4.1 s") on
 * stderr: nothing for the first two seconds, then at most once a second.
 */
export function progressPrinter(io: CliIo, label: string, total?: number): { update(n: number): void; done(n: number): void } {
  const start = Date.now();
  let last = start;
  let printed = false;
  const line = (n: number) =>
    `${label}: ${n.toLocaleString('en-US')}${total ? ` / ${total.toLocaleString('en-US')} rows (${((100 * n) / total).toFixed(0)}%)` : ' rows'}, ${((Date.now() - start) / 1000).toFixed(1)} s`;
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

/** The warnings already printed through an io (a property of the io, so nothing is printed twice). */
const PRINTED = Symbol('printed warnings');
type WarnedIo = CliIo & { [PRINTED]?: Set<string> };

/** Warnings the reader collected, on stderr (each once per command run). */
export function printWarnings(io: CliIo, file: FitsFile): void {
  const printed = ((io as WarnedIo)[PRINTED] ??= new Set<string>());
  for (const w of file.warnings) {
    const line = `warning: ${w.message}${w.hdu !== undefined ? ` (HDU ${w.hdu})` : ''}`;
    if (printed.has(line)) continue;
    printed.add(line);
    io.err(line);
  }
}

/**
 * An io whose `open` remembers the files a command opens, and `flush`, which
 * prints the warnings of each (values the reader ignored or read as CFITSIO
 * does) that the command did not print itself: main calls it once the command
 * ends, also when it failed, since the warnings may explain the failure.
 */
export function warningCollector(io: CliIo): { io: CliIo; flush(): void } {
  const files: FitsFile[] = [];
  const wrapped: CliIo = Object.assign(Object.create(io) as CliIo, {
    async open(path: string) {
      const f = await io.open(path);
      files.push(f);
      return f;
    },
  });
  return { io: wrapped, flush: () => { for (const f of files) printWarnings(wrapped, f); } };
}

export { FitsError };
