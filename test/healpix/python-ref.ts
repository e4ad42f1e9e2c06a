/**
 * Reference computations by Debian's python (/usr/bin/python3 with healpy,
 * numpy, pandas, astropy): shared by the healpix, convert and hats tests.
 * A missing module skips the checks that need it with a warning, and fails
 * them under CI (where every tool is installed).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';

export const PYTHON = '/usr/bin/python3';

const known = new Map<string, boolean>();

/** True when Debian's python imports every module named. */
export function havePython(...modules: string[]): boolean {
  const key = modules.join(',');
  let ok = known.get(key);
  if (ok === undefined) {
    ok = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', modules.map((m) => `import ${m}`).join('; ')]).status === 0;
    known.set(key, ok);
  }
  return ok;
}

/**
 * `it` when the python modules are there; otherwise a visible skip locally and
 * a failing test under CI.
 */
export function itWithPython(modules: string[], name: string, fn: () => unknown | Promise<unknown>, timeout?: number): void {
  if (havePython(...modules)) {
    it(name, fn, timeout);
  } else if (process.env.CI) {
    it(name, () => {
      throw new Error(`${PYTHON} with ${modules.join(', ')} is required under CI (apt-get install python3-${modules.join(' python3-')}).`);
    });
  } else {
    console.warn(`SKIPPED "${name}": needs ${PYTHON} with ${modules.join(', ')}`);
    it.skip(name, fn);
  }
}

/** Run python code (argv[1..] = args); returns stdout. */
export function python(code: string, ...args: string[]): string {
  return execFileSync(PYTHON, ['-c', code, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
}

/** A fresh temporary directory. */
export function tempDir(prefix = 'fitsflow-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Write float64 arrays to raw files in dir (native byte order), returning their paths. */
export function writeFloat64(dir: string, arrays: Record<string, Float64Array>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, a] of Object.entries(arrays)) {
    const p = join(dir, `${k}.f64`);
    writeFileSync(p, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    out[k] = p;
  }
  return out;
}

/** Read a raw int64 file written by numpy's tofile(). */
export function readInt64(path: string): BigInt64Array {
  const b = readFileSync(path);
  const copy = new Uint8Array(b.length);
  copy.set(b);
  return new BigInt64Array(copy.buffer);
}

/** Read a raw float64 file written by numpy's tofile(). */
export function readFloat64(path: string): Float64Array {
  const b = readFileSync(path);
  const copy = new Uint8Array(b.length);
  copy.set(b);
  return new Float64Array(copy.buffer);
}
