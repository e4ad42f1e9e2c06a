/**
 * Reference tools for the writer tests: astropy's digest (test/tools/digest.py,
 * a copy of ../shared/tools/digest.py, under Debian's python), fitsverify,
 * fpack/funpack. Each is skipped with a warning when missing locally and fails
 * the run in CI (helpers/require-tool.ts).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { repoRoot } from '../helpers/corpus.js';
import { toolAvailable } from '../helpers/require-tool.js';
import { open, digestFile } from '../helpers/fitsflow.js';
import { FitsWriter } from '../../src/write/writer.js';
import { NodeFileSink } from '../../src/node/file-sink.js';

export const PYTHON = '/usr/bin/python3';
export const DIGEST_PY = process.env.FITSFLOW_DIGEST_PY ?? resolve(repoRoot, 'test/tools/digest.py');

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

export const haveAstropy = toolAvailable(`${PYTHON} with astropy and fitsio`, existsSync(PYTHON) && existsSync(DIGEST_PY) && spawnSync(PYTHON, ['-c', 'import astropy, fitsio']).status === 0, 'the writer tests\' astropy digest checks');
export const haveFitsverify = toolAvailable('fitsverify', which('fitsverify'), 'the writer tests\' fitsverify checks');
export const haveFpack = toolAvailable('fpack/funpack', which('fpack') && which('funpack'), 'the writer tests\' fpack/funpack checks');

export function tempDir(prefix = 'fitsflow-write-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** astropy's reference digest of a file. */
export function astropyDigest(path: string): unknown {
  return JSON.parse(execFileSync(PYTHON, [DIGEST_PY, path], { encoding: 'utf8', maxBuffer: 64 << 20 }));
}

/** fitsflow's digest of a file. */
export async function fitsflowDigest(path: string): Promise<unknown> {
  const f = await open(path);
  try {
    return JSON.parse(JSON.stringify(await digestFile(f)));
  } finally {
    await f.close();
  }
}

/** fitsverify's verdict: numbers of warnings and errors, and the report. */
export function fitsverify(path: string): { errors: number; warnings: number; text: string } {
  const r = spawnSync('fitsverify', [path], { encoding: 'utf8' });
  const text = `${r.stdout}${r.stderr}`;
  const m = /Verification found (\d+) warning\(s\) and (\d+) error\(s\)/.exec(text);
  if (!m) return { errors: 1, warnings: 0, text };
  return { warnings: Number(m[1]), errors: Number(m[2]), text };
}

/** Write a file with a FitsWriter callback. */
export async function writeFile(path: string, fn: (w: FitsWriter) => Promise<void>, checksum = false): Promise<void> {
  const w = new FitsWriter(await NodeFileSink.create(path, { fsync: false }), { checksum });
  try {
    await fn(w);
    await w.close();
  } catch (e) {
    await w.abort(e);
    throw e;
  }
}

/** Run python code with the Debian python; returns stdout. */
export function python(code: string, ...args: string[]): string {
  return execFileSync(PYTHON, ['-c', code, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
}
