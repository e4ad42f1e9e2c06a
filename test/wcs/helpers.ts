/**
 * Shared helpers for the WCS tests: the reference corpus (test/wcs/ref, a copy
 * of the astropy 5.2.1 / wcslib 7.12 cases) and the tolerance checks WCS.md states.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const REF_DIR = join(dirname(fileURLToPath(import.meta.url)), 'ref');

export interface RefCase {
  name: string;
  file: string;
  hdu: number;
  key: string;
  astropy: 'ok' | 'error';
  message?: string;
  naxis: number;
  ctype: string[];
  sip: boolean;
  lookup: boolean;
  exercises: string;
  points: string;
}

export interface RefPoints {
  pix: number[][];
  world: (number | null)[][];
  pix_back: (number[] | null)[];
}

export function loadCases(dir = REF_DIR): RefCase[] {
  return (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { cases: RefCase[] }).cases;
}

export function loadPoints(c: RefCase, dir = REF_DIR): RefPoints {
  return JSON.parse(readFileSync(join(dir, c.points), 'utf8')) as RefPoints;
}

/** Columns (per axis) of a list of points. */
export function columns(points: readonly (readonly (number | null)[])[], naxis: number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let i = 0; i < naxis; i++) out.push(Float64Array.from(points, (p) => (p[i] === null || p[i] === undefined ? NaN : p[i]!)));
  return out;
}

/**
 * The tolerance failures of computed world coordinates against the reference:
 * 1e-8 degree on the sky (WCS.md), and 1e-10 relative on other axes (the
 * stricter of manifest.json's spectral_relative and WCS.md's 1e-9).
 */
export function worldMismatches(
  world: Float64Array[],
  ref: RefPoints,
  celestial: readonly [number, number],
  degTol = 1e-8,
  relTol = 1e-10,
): string[] {
  const out: string[] = [];
  const [lng, lat] = celestial;
  for (let k = 0; k < ref.world.length; k++) {
    const r = ref.world[k]!;
    for (let i = 0; i < r.length; i++) {
      const want = r[i];
      const got = world[i]![k]!;
      if (want === null) {
        if (!Number.isNaN(got)) out.push(`point ${k} axis ${i + 1}: want NaN, got ${got}`);
        continue;
      }
      if (Number.isNaN(got)) {
        out.push(`point ${k} axis ${i + 1}: want ${want}, got NaN`);
        continue;
      }
      let err: number;
      let tol: number;
      if (i === lng) {
        let d = Math.abs(got - want) % 360;
        if (d > 180) d = 360 - d;
        const latv = ref.world[k]![lat];
        err = d * Math.cos(((latv ?? 0) as number) * (Math.PI / 180));
        tol = degTol;
      } else if (i === lat) {
        err = Math.abs(got - want);
        tol = degTol;
      } else {
        err = Math.abs(got - want);
        tol = relTol * Math.max(Math.abs(want), 1e-300);
        if (want === 0) tol = relTol;
      }
      if (!(err <= tol)) out.push(`point ${k} axis ${i + 1}: want ${want}, got ${got} (err ${err})`);
    }
  }
  return out;
}

/** The failures of world → pixel against pix_back (1e-6 pixel). */
export function pixelMismatches(pix: Float64Array[], ref: RefPoints, tol = 1e-6): string[] {
  const out: string[] = [];
  for (let k = 0; k < ref.pix_back.length; k++) {
    const want = ref.pix_back[k];
    if (!want) continue;
    for (let i = 0; i < want.length; i++) {
      const got = pix[i]![k]!;
      if (!(Math.abs(got - want[i]!) <= tol)) out.push(`point ${k} axis ${i + 1}: want ${want[i]}, got ${got}`);
    }
  }
  return out;
}

/** Debian's python with astropy, or null (tests then skip visibly, and fail under CI). */
export function astropyPython(): string | null {
  const py = '/usr/bin/python3';
  if (!existsSync(py)) return null;
  const r = spawnSync(py, ['-c', 'import astropy.wcs, numpy'], { encoding: 'utf8' });
  return r.status === 0 ? py : null;
}

/** Run a python script with JSON on stdin; returns parsed JSON stdout. */
export function runPython(py: string, script: string, input: unknown): unknown {
  const r = spawnSync(py, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
