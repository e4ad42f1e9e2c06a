/**
 * Compressed output: lossless tiles decode (funpack, astropy, fitsio, fitsflow)
 * to the original values; quantized tiles decode identically in all of them
 * (astropy/fitsio leave ZBLANK pixels unmasked, so those are compared as NaN),
 * and our quantization equals fpack's for the same q and dither seed.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { open, isFitsError } from '../helpers/fitsflow.js';
import type { ImageArray } from '../../src/image/pixel-type.js';
import type { CompressedImageOptions } from '../../src/write/compressed-image.js';
import { fitsverify, haveAstropy, haveFitsverify, haveFpack, python, tempDir, writeFile } from './tools.js';

const dir = tempDir('fitsflow-comp-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NY = 70;
const NX = 131;
let seed = 99;
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const gauss = () => (rnd() + rnd() + rnd() + rnd() - 2) * 20;
const count = NY * NX;
const i16 = Int16Array.from({ length: count }, (_, i) => Math.round(1000 + gauss() + (i % NX)));
const i32 = Int32Array.from({ length: count }, (_, i) => Math.round(100000 * Math.sin(i / 500) + gauss() * 50));
const u8 = Uint8Array.from({ length: count }, (_, i) => (i * 7 + Math.round(gauss())) & 255);
const u16 = Uint16Array.from({ length: count }, () => (40000 + Math.round(gauss() * 10)) & 65535);
const i8 = Int8Array.from({ length: count }, () => Math.max(-128, Math.min(127, Math.round(gauss()))));
const mask = Int32Array.from({ length: count }, (_, i) => (Math.floor(i / 37) % 5 === 0 ? (i % 3) * 1000 : 0));
const f32 = Float32Array.from({ length: count }, (_, i) => 100 + gauss() + Math.sin(i / 50) * 10);
f32[5] = NaN;
for (let i = 3 * NX; i < 4 * NX; i++) f32[i] = NaN; // an all-NaN row tile
for (let i = 10 * NX; i < 10 * NX + 40; i++) f32[i] = 0;
const f64 = Float64Array.from(f32);

const lossless: [string, ImageArray, CompressedImageOptions][] = [
  ['rice_i16', i16, { compression: 'RICE_1' }],
  ['rice_i32_tiles', i32, { compression: 'RICE_1', tileShape: [30, 50] }],
  ['rice_u8', u8, {}],
  ['rice_u16', u16, { tileShape: [NY, NX] }],
  ['rice_i8', i8, { blockSize: 16 }],
  ['gzip1_i16', i16, { compression: 'GZIP_1' }],
  ['gzip2_i32', i32, { compression: 'GZIP_2', tileShape: [16, 100] }],
  ['hcomp_i16', i16, { compression: 'HCOMPRESS_1' }],
  ['hcomp_i32', i32, { compression: 'HCOMPRESS_1', tileShape: [32, 64] }],
  ['plio', mask, { compression: 'PLIO_1' }],
  ['gzip2_f32_lossless', f32, { compression: 'GZIP_2', quantize: 'none' }],
  ['gzip1_f64_lossless', f64, { compression: 'GZIP_1', quantize: 'none', tileShape: [7, NX] }],
];
const lossy: [string, ImageArray, CompressedImageOptions][] = [
  ['rice_f32_d1', f32, { quantize: 4, ditherSeed: 42 }],
  ['rice_f32_nodither', f32, { quantize: 4, dither: 'NO_DITHER' }],
  ['rice_f32_d2', f32, { quantize: 8, dither: 'SUBTRACTIVE_DITHER_2', ditherSeed: 17 }],
  ['rice_f64_d1', f64, { quantize: 16, tileShape: [10, NX] }],
  ['gzip2_f32_q', f32, { compression: 'GZIP_2', quantize: 4, ditherSeed: 9999 }],
  ['hcomp_f32', f32, { compression: 'HCOMPRESS_1', quantize: 4, ditherSeed: 5 }],
  ['hcomp_i16_lossy', i16, { compression: 'HCOMPRESS_1', hcompScale: 2.5 }],
  ['rice_f32_abs', f32, { quantize: -0.5, ditherSeed: 3 }],
];

/** Decode with funpack, astropy and fitsio; compare to the plain file `ref`. */
const CHECK = `
import sys, json, subprocess, os, warnings, numpy as np
warnings.simplefilter('ignore')
from astropy.io import fits
import fitsio
comp, ref, out, exact = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == '1'
orig = fits.getdata(ref)
r = subprocess.run(['funpack', '-O', out, comp], capture_output=True, text=True)
fp = fits.getdata(out)
a = fits.getdata(comp, ext=1)
fio = fitsio.read(comp, ext=1)
nan = np.isnan(fp) if fp.dtype.kind == 'f' else np.zeros(fp.shape, bool)
mask = lambda x: np.where(nan, np.nan, x) if x.dtype.kind == 'f' else x
same = lambda x, y: bool(x.shape == y.shape and np.array_equal(x, y, equal_nan=True))
res = {'funpack_ok': r.returncode == 0, 'astropy_eq_funpack': same(mask(a), fp), 'fitsio_eq_funpack': same(mask(fio), fp)}
if exact: res['funpack_eq_orig'] = same(fp, orig)
else: res['maxerr'] = float(np.nanmax(np.abs(fp.astype('f8') - orig.astype('f8'))))
print(json.dumps(res))
`;

async function writeBoth(name: string, data: ImageArray, opts: CompressedImageOptions): Promise<{ comp: string; plain: string }> {
  const comp = join(dir, `${name}.fits`);
  const plain = join(dir, `${name}-plain.fits`);
  await writeFile(comp, (w) => w.addCompressedImage(data, { shape: [NY, NX], header: { OBJECT: name }, ...opts }), true);
  await writeFile(plain, (w) => w.addImage(data, { shape: [NY, NX] }));
  return { comp, plain };
}

/** fitsflow's decoding, or null when the compressed reader is not available. */
async function fitsflowRead(p: string): Promise<ImageArray | null> {
  const f = await open(p);
  try {
    return (await (await f.hdu(1)).readImage()).data;
  } catch (e) {
    if (isFitsError(e, 'UNSUPPORTED')) return null;
    throw e;
  } finally {
    await f.close();
  }
}

function sameValues(a: ImageArray, b: ImageArray): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = Number(a[i]!);
    const y = Number(b[i]!);
    if (!(x === y || (x !== x && y !== y))) return false;
  }
  return true;
}

describe('compressed images', () => {
  for (const [name, data, opts] of lossless) {
    it(`${name}: lossless, every decoder restores the original`, async () => {
      const { comp, plain } = await writeBoth(name, data, opts);
      if (haveFitsverify) expect(fitsverify(comp).errors, fitsverify(comp).text).toBe(0);
      const mine = await fitsflowRead(comp);
      if (mine) expect(sameValues(mine, data)).toBe(true);
      if (haveAstropy && haveFpack) {
        const r = JSON.parse(python(CHECK, comp, plain, join(dir, `${name}-funpack.fits`), '1'));
        expect(r).toEqual({ funpack_ok: true, astropy_eq_funpack: true, fitsio_eq_funpack: true, funpack_eq_orig: true });
      }
    });
  }
  for (const [name, data, opts] of lossy) {
    it(`${name}: quantized, CFITSIO, astropy and fitsflow decode identically`, async (ctx) => {
      const { comp, plain } = await writeBoth(name, data, opts);
      if (haveFitsverify) expect(fitsverify(comp).errors).toBe(0);
      if (!(haveAstropy && haveFpack)) ctx.skip(); // reported as skipped (tools.ts fails the run in CI)
      const out = join(dir, `${name}-funpack.fits`);
      const r = JSON.parse(python(CHECK, comp, plain, out, '0'));
      expect(r.funpack_ok && r.astropy_eq_funpack && r.fitsio_eq_funpack).toBe(true);
      expect(r.maxerr).toBeLessThan(name.includes('hcomp') ? 200 : 10);
      const mine = await fitsflowRead(comp);
      if (mine) {
        const f = await open(out);
        const ref = (await (await f.hdu(0)).readImage()).data;
        await f.close();
        expect(sameValues(mine, ref)).toBe(true);
      }
    });
  }

  it.skipIf(!(haveAstropy && haveFpack))('quantization equals fpack for the same level and dither seed', async () => {
    for (const [flag, opts] of [['-q42', { quantize: 4, ditherSeed: 42 }], ['-qz17', { quantize: 8, dither: 'SUBTRACTIVE_DITHER_2', ditherSeed: 17 }], ['-q0', { quantize: 4, dither: 'NO_DITHER' }]] as const) {
      const { comp, plain } = await writeBoth(`vsfpack${flag}`, f32, opts as CompressedImageOptions);
      const fz = join(dir, `fpack${flag}.fits.fz`);
      execFileSync('fpack', [flag, String(opts.quantize), '-O', fz, plain]);
      const same = python(`
import sys, numpy as np, fitsio
a = fitsio.read(sys.argv[1], ext=1); b = fitsio.read(sys.argv[2], ext=1)
print(bool(np.array_equal(a, b, equal_nan=True)))`, comp, fz).trim();
      expect(same, flag).toBe('True');
    }
  });

  it('refuses what a codec cannot hold', async () => {
    const p = join(dir, 'refused.fits');
    await expect(writeFile(p, (w) => w.addCompressedImage(f32, { shape: [NY, NX], compression: 'PLIO_1' }))).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
    await expect(writeFile(p, (w) => w.addCompressedImage(f32, { shape: [NY, NX], compression: 'RICE_1', quantize: 'none' }))).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
    await expect(writeFile(p, (w) => w.addCompressedImage(Int32Array.from([-1, 2, 3, 4]), { shape: [2, 2], compression: 'PLIO_1' }))).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
  });
});
