/**
 * `fitsflow png`'s contract against astropy.visualization: every 2-D+ image of
 * test/corpus (plain and tile-compressed) × {zscale, minmax, percentile 99.5}
 * × {linear, sqrt, log, asinh}, plus the other stretches with minmax, rendered
 * by renderHdu (the CLI's path) and by astropy (one python process for the
 * batch, test/render/astropy_reference.py). Every pixel must be within one
 * level; how many differ by one is printed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { open, type FitsFile } from '../helpers/fitsflow.js';
import { corpusPath, loadManifest } from '../helpers/corpus.js';
import { renderHdu } from '../../src/render/render-hdu.js';
import type { IntervalSpec } from '../../src/render/interval.js';
import type { StretchSpec } from '../../src/render/stretch.js';
import { haveAstropy, haveFunpack, itWith, REFERENCE_PY, runPython } from './python.js';

interface Case {
  file: string;
  hdu: number;
  plane: number;
  interval: string;
  stretch: string;
  nan_from_funpack?: boolean;
}

interface RefResult {
  offset: number;
  ny: number;
  nx: number;
  min: number;
  max: number;
  native_over_one?: number;
  native_error?: string;
}

function intervalSpec(s: string): IntervalSpec {
  if (s === 'zscale' || s === 'minmax') return { type: s };
  if (s.startsWith('percentile:')) return { type: 'percentile', percent: Number(s.slice(11)) };
  throw new Error(s);
}

function stretchSpec(s: string): StretchSpec {
  const [name, arg] = s.split(':');
  switch (name) {
    case 'power':
      return { type: 'power', a: Number(arg) };
    case 'linear': case 'sqrt': case 'squared': case 'histeq':
      return { type: name };
    case 'log': case 'asinh': case 'sinh': case 'powerdist':
      return arg ? { type: name, a: Number(arg) } : { type: name };
  }
  throw new Error(s);
}

interface HduInfo { index: number; kind: string; shape?: number[] }

function imageCases(): Case[] {
  const manifest = loadManifest();
  const cases: Case[] = [];
  for (const f of manifest.files) {
    const digest = f.digest as { hdus: HduInfo[] } | null;
    if (!digest) continue;
    const xc = ((f as { crosscheck?: { compressed_vs_cfitsio_funpack?: { hdu: number; n_cfitsio_nan_astropy_finite?: number }[] } }).crosscheck
      ?.compressed_vs_cfitsio_funpack ?? []);
    for (const h of digest.hdus) {
      if (h.kind !== 'image' && h.kind !== 'compressed-image') continue;
      const shape = h.shape ?? [];
      if (shape.length < 2 || shape.some((d) => d === 0)) continue;
      const planes = shape.slice(0, -2).reduce((a, b) => a * b, 1);
      const nanFix = xc.some((x) => x.hdu === h.index && (x.n_cfitsio_nan_astropy_finite ?? 0) > 0);
      const base = { file: corpusPath(f.path), hdu: h.index, ...(nanFix ? { nan_from_funpack: true } : {}) };
      for (const plane of planes > 1 ? [0, planes - 1] : [0]) {
        for (const interval of ['zscale', 'minmax', 'percentile:99.5']) {
          for (const stretch of ['linear', 'sqrt', 'log', 'asinh']) cases.push({ ...base, plane, interval, stretch });
        }
        if (plane === 0) {
          for (const stretch of ['sinh', 'squared', 'power:2.5', 'powerdist', 'histeq', 'log:10', 'asinh:0.5']) {
            cases.push({ ...base, plane, interval: 'minmax', stretch });
          }
        }
      }
    }
  }
  return cases;
}

describe('renderHdu against astropy.visualization (every 2-D+ corpus image)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fitsflow-render-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  itWith(haveAstropy && haveFunpack, 'astropy/fitsio/funpack')('within one level, pixel for pixel', async () => {
    const cases = imageCases();
    expect(cases.length).toBeGreaterThan(500);
    const out = join(dir, 'ref.bin');
    const refs = (JSON.parse(runPython([REFERENCE_PY], JSON.stringify({ out, cases }))) as { cases: RefResult[] }).cases;
    const bytes = readFileSync(out);
    const files = new Map<string, FitsFile>();
    let pixels = 0, offByOne = 0, casesWithOne = 0, nativeOver = 0, nativeErrors = 0;
    const failures: string[] = [];
    const perInterval = new Map<string, number>();
    const nativeFiles = new Map<string, number>();
    try {
      for (let c = 0; c < cases.length; c++) {
        const k = cases[c]!, ref = refs[c]!;
        let file = files.get(k.file);
        if (!file) files.set(k.file, (file = await open(k.file)));
        const pic = await renderHdu(await file.hdu(k.hdu), { plane: k.plane, interval: intervalSpec(k.interval), stretch: stretchSpec(k.stretch) });
        const label = `${k.file.replace(/.*corpus\//, '')}[${k.hdu}] plane ${k.plane} ${k.interval} ${k.stretch}`;
        expect([pic.width, pic.height], label).toEqual([ref.nx, ref.ny]);
        // Limits: the same algorithm in the same precision.
        const scale = Math.max(1e-300, Math.abs(ref.min), Math.abs(ref.max));
        if (Math.abs(pic.limits.min - ref.min) > 1e-9 * scale || Math.abs(pic.limits.max - ref.max) > 1e-9 * scale) {
          failures.push(`${label}: limits ${pic.limits.min}, ${pic.limits.max} vs astropy ${ref.min}, ${ref.max}`);
        }
        let ones = 0, worst = 0;
        for (let y = 0; y < ref.ny; y++) {
          const refRow = ref.offset + (ref.ny - 1 - y) * ref.nx; // picture row y is image row ny-1-y
          for (let x = 0; x < ref.nx; x++) {
            const d = Math.abs(pic.pixels[y * ref.nx + x]! - bytes[refRow + x]!);
            if (d === 1) ones++;
            if (d > worst) worst = d;
          }
        }
        if (worst > 1) failures.push(`${label}: a pixel differs by ${worst} levels`);
        pixels += ref.nx * ref.ny;
        offByOne += ones;
        if (ones) {
          casesWithOne++;
          perInterval.set(`${k.interval} ${k.stretch}`, (perInterval.get(`${k.interval} ${k.stretch}`) ?? 0) + ones);
        }
        if (ref.native_error) nativeErrors++;
        else if ((ref.native_over_one ?? 0) > 0) {
          nativeOver++;
          const key = `${k.file.replace(/.*corpus\//, '')} ${k.interval}`;
          nativeFiles.set(key, (nativeFiles.get(key) ?? 0) + 1);
        }
      }
    } finally {
      for (const f of files.values()) await f.close();
    }
    console.log(
      `render vs astropy: ${cases.length} cases, ${pixels} pixels, ${offByOne} differ by one level (in ${casesWithOne} cases: ${[...perInterval].map(([k, v]) => `${k} ${v}`).join('; ') || 'none'}); ` +
        `astropy on the native dtype instead of float64 differs by more than one level in ${nativeOver} cases and raises in ${nativeErrors}` +
        ` (${[...nativeFiles.keys()].join('; ')})`,
    );
    expect(failures).toEqual([]);
  });
});
