/** Running the CLI in-process for tests: argv in, exit code and what it printed out. */
import { open } from './fitsflow.js';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/command.js';

/** What a CLI run printed, and its exit code. */
export interface CliRun {
  code: number;
  out: string;
  err: string;
  /** What the command wrote with `io.writeBytes` (only with `collectBytes`). */
  bytes: Buffer;
}

/** Options of {@link runCli}. */
export interface RunCliOptions {
  /** How the command opens files (default: the library's `open`). */
  open?: CliIo['open'];
  /** Collect binary output (`io.writeBytes`) instead of leaving the command its default. */
  collectBytes?: boolean;
  /** The entry to run (default: `main`, the whole CLI). */
  entry?: (argv: string[], io: CliIo) => Promise<number>;
}

/** Run `argv` through the CLI with lines captured. */
export async function runCli(argv: string[], options: RunCliOptions = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const bytes: Uint8Array[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t), open: options.open ?? ((p) => open(p)) };
  if (options.collectBytes) io.writeBytes = async (b) => void bytes.push(b.slice());
  const code = await (options.entry ?? main)(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n'), bytes: Buffer.concat(bytes) };
}
