/**
 * Reference tools for the writer tests: astropy's digest (shared/tools/digest.py
 * under Debian's python), fitsverify, fpack/funpack. Each is skipped with a
 * clear message when missing (CI installs them).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { repoRoot } from '../helpers/corpus.js';
import { open, digestFile } from '../helpers/fitsflow.js';
import { FitsWriter } from '../../src/write/writer.js';
import { NodeFileSink } from '../../src/node/file-sink.js';

export const PYTHON = '/usr/bin/python3';
export const DIGEST_PY = process.env.FITSFLOW_DIGEST_PY ?? resolve(repoRoot, '../shared/tools/digest.py');

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

export const haveAstropy = existsSync(PYTHON) && existsSync(DIGEST_PY) && spawnSync(PYTHON, ['-c', 'import astropy, fitsio']).status === 0;
export const haveFitsverify = which('fitsverify');
export const haveFpack = which('fpack') && which('funpack');

if (!haveAstropy) console.warn(`writer tests: astropy digest checks SKIPPED (need ${PYTHON} with astropy+fitsio and ${DIGEST_PY})`);
if (!haveFitsverify) console.warn('writer tests: fitsverify checks SKIPPED (fitsverify not installed)');
if (!haveFpack) console.warn('writer tests: fpack/funpack checks SKIPPED (not installed)');

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
