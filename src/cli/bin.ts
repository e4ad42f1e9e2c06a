#!/usr/bin/env node
/** The `fitsflow` executable: wires the CLI to the Node entry point and process I/O. */
import { open } from '../entries/node.js';
import { main } from './main.js';
import type { CliIo } from './commands.js';

const io: CliIo = {
  out: (t) => process.stdout.write(t + '\n'),
  err: (t) => process.stderr.write(t + '\n'),
  open: (p) => open(p),
};

main(process.argv.slice(2), io).then(
  (code) => { process.exitCode = code; },
  (e) => {
    process.stderr.write(`fitsflow: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
