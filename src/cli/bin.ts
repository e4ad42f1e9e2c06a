#!/usr/bin/env node
/**
 * The `fitsflow` executable: the CLI on the Node entry and process I/O. Output
 * is written with backpressure; when the reader goes away (`| head`), the
 * command stops and the process exits quietly, as Unix tools do.
 */
import { open } from '../entries/node.js';
import { cacheOptionsFromEnv } from '../node/cache-env.js';
import { s3OptionsFromEnv } from '../node/aws-env.js';
import { main } from './main.js';
import { OutputClosed, type CliIo } from './command.js';

let stdoutClosed = false;
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') {
    stdoutClosed = true;
    process.exit(process.exitCode ?? 0);
  }
  throw e;
});

function write(text: string | Uint8Array): Promise<void> {
  if (stdoutClosed) return Promise.reject(new OutputClosed());
  return new Promise((resolve, reject) => {
    const ok = process.stdout.write(typeof text === 'string' ? text + '\n' : text, (err) => (err ? reject(stdoutClosed ? new OutputClosed() : err) : undefined));
    if (ok) resolve();
    else process.stdout.once('drain', () => resolve());
  });
}

/** FITSFLOW_CACHE (redis://… or a folder) and FITSFLOW_CACHE_MAX_AGE (seconds), read once for every file the command opens. */
const envCache = cacheOptionsFromEnv(process.env);

const io: CliIo = {
  out: (t) => {
    if (!stdoutClosed) process.stdout.write(t + '\n');
  },
  err: (t) => process.stderr.write(t + '\n'),
  open: async (p) => {
    const cache = await envCache;
    // s3: URLs are signed with the standard AWS environment (AWS_ACCESS_KEY_ID, AWS_REGION, AWS_ENDPOINT_URL…).
    const s3 = /^s3:/i.test(p) ? s3OptionsFromEnv(process.env) : undefined;
    return open(p, { ...(cache ? { cache } : {}), ...(s3 ? { s3 } : {}) });
  },
  write,
  writeBytes: write,
  async stdin() {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  progress: process.stderr.isTTY === true,
};

main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`fitsflow: internal error (please report it): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
