/**
 * Debian's python with astropy (and fitsio, matplotlib) for the render
 * reference tests. Missing tools skip the tests with a warning locally and
 * FAIL them in CI (process.env.CI), so CI never passes without the reference.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'vitest';

export const PYTHON = '/usr/bin/python3';
export const here = dirname(fileURLToPath(import.meta.url));
export const REFERENCE_PY = join(here, 'astropy_reference.py');

function canImport(modules: string): boolean {
  return existsSync(PYTHON) && spawnSync(PYTHON, ['-c', `import ${modules}`]).status === 0;
}

export const haveAstropy = canImport('astropy.visualization, fitsio, numpy');
/** funpack (CFITSIO): the corpus reference's NaN rule for two fpack files needs it. */
export const haveFunpack = spawnSync('sh', ['-c', 'command -v funpack']).status === 0;
export const haveMatplotlib = canImport('matplotlib, numpy');

/**
 * `it` when `ok`; otherwise a test that fails in CI and is skipped (with a
 * warning naming what is missing) elsewhere.
 */
export function itWith(ok: boolean, missing: string): typeof it | ((name: string, fn: () => unknown, timeout?: number) => void) {
  if (ok) return it;
  if (process.env.CI) {
    return (name: string) =>
      it(name, () => {
        throw new Error(`${missing} is missing: CI must install it (Debian: apt-get install -y python3-astropy python3-fitsio python3-matplotlib).`);
      });
  }
  console.warn(`render tests SKIPPED: ${missing} not available (${PYTHON})`);
  return it.skip;
}

/** Run python `code` (or a script path with args) with `input` on stdin; returns stdout. */
export function runPython(args: string[], input?: string): string {
  const r = spawnSync(PYTHON, args, { input, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}
