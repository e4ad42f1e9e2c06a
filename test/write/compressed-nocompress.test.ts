/**
 * NOCOMPRESS tiles (UNCOMPRESSED_DATA in the image's own type, as `fpack -d`
 * writes them) and ZHECKSUM/ZDATASUM (the CHECKSUM/DATASUM of the image as
 * written uncompressed, as fpack and astropy carry them):
 *  - every pixel type round-trips through funpack and fitsflow, and funpack
 *    restores the very file addImage writes (checksums included);
 *  - `funpack -C` (which keeps ZHECKSUM/ZDATASUM as the image's CHECKSUM and
 *    DATASUM) gives a file fitsverify finds consistent, for every lossless codec;
 *  - for quantized images ZDATASUM is the DATASUM of the original pixels, as
 *    astropy writes it.
 * astropy 5.2.1 cannot decompress NOCOMPRESS ("Unrecognized compression
 * type"), and fitsio 1.1.8 ignores BZERO in UNCOMPRESSED_DATA tiles (for
 * fpack's own files too), so neither decodes NOCOMPRESS pixels here.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { open } from '../helpers/fitsflow.js';
import type { ImageArray } from '../../src/image/pixel-type.js';
import type { CompressedImageOptions } from '../../src/write/compressed-image.js';
import type { HeaderInput } from '../../src/write/header-build.js';
import { astropyDigest, fitsflowDigest, fitsverify, haveAstropy, haveFitsverify, haveFpack, python, tempDir, writeFile } from './tools.js';

const dir = tempDir('fitsflow-nocomp-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NY = 37;
const NX = 53;
const n = NY * NX;
let seed = 11;
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const images: [string, ImageArray, string][] = [
  ['uint8', Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256)), 'B'],
  ['int8', Int8Array.from({ length: n }, () => Math.floor(rnd() * 256) - 128), 'B'],
  ['int16', Int16Array.from({ length: n }, () => Math.floor(rnd() * 65536) - 32768), 'I'],
  ['uint16', Uint16Array.from({ length: n }, () => Math.floor(rnd() * 65536)), 'I'],
  ['int32', Int32Array.from({ length: n }, () => Math.floor(rnd() * 2 ** 32) - 2 ** 31), 'J'],
  ['uint32', Uint32Array.from({ length: n }, () => Math.floor(rnd() * 2 ** 32)), 'J'],
  ['int64', BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 1234567890123n - 10n ** 15n), 'K'],
  ['float32', Float32Array.from({ length: n }, () => (rnd() - 0.5) * 1e6), 'E'],
  ['float64', Float64Array.from({ length: n }, () => (rnd() - 0.5) * 1e100), 'D'],
];

/** The compressed file and the same image written plain, both with checksums. */
async function writeBoth(name: string, data: ImageArray, opts: CompressedImageOptions, header: HeaderInput = { OBJECT: name }): Promise<{ comp: string; plain: string }> {
  const comp = join(dir, `${name}.fits`);
  const plain = join(dir, `${name}-plain.fits`);
  await writeFile(comp, (w) => w.addCompressedImage(data, { shape: [NY, NX], header, ...opts }), true);
  // An XTENSION card makes the image an extension; the plain writer then generates that card itself.
  const cards = Array.isArray(header) ? (header as { keyword: string }[]) : [];
  const extension = cards.some((c) => c.keyword === 'XTENSION');
  await writeFile(plain, async (w) => {
    if (extension) await w.addImage(null);
    await w.addImage(data, { shape: [NY, NX], header: extension ? cards.filter((c) => c.keyword !== 'XTENSION') : header });
  }, true);
  return { comp, plain };
}

async function header(p: string, hdu: number): Promise<Map<string, unknown>> {
  const f = await open(p);
  try {
    const h = (await f.hdu(hdu)).header;
    return new Map(h.cards.filter((c) => !c.commentary).map((c) => [c.keyword, c.value]));
  } finally {
    await f.close();
  }
}

/** The raw table header of the compressed HDU after an empty primary HDU (fitsflow shows the image's). */
function tableCards(p: string): Map<string, string> {
  const bytes = readFileSync(p);
  let end = 0;
  while (bytes.toString('latin1', end, end + 8) !== 'END     ') end += 80;
  const start = Math.ceil((end + 80) / 2880) * 2880;
  const out = new Map<string, string>();
  for (let at = start; ; at += 80) {
    const card = bytes.toString('latin1', at, at + 80);
    const key = card.slice(0, 8).trim();
    if (key === 'END') break;
    if (card[8] === '=') out.set(key, card.slice(10).split(' /')[0]!.trim().replace(/^'(.*)'$/, '$1').trim());
  }
  return out;
}

function sameValues(a: ImageArray, b: ImageArray): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!(a[i] === b[i] || (a[i] !== a[i] && b[i] !== b[i]))) return false;
  return true;
}

function funpack(comp: string, out: string, keepChecksums: boolean): void {
  rmSync(out, { force: true });
  execFileSync('funpack', [...(keepChecksums ? ['-C'] : []), '-O', out, comp]);
}

describe('NOCOMPRESS', () => {
  for (const [name, data, code] of images) {
    it(`${name}: tiles stored as ${code} pixels; funpack restores the plain file byte for byte`, async () => {
      const { comp, plain } = await writeBoth(`nc-${name}`, data, { compression: 'NOCOMPRESS', tileShape: [10, 20] });
      const t = tableCards(comp);
      expect(t.get('ZCMPTYPE')).toBe('NOCOMPRESS');
      expect(t.get('TTYPE1')).toBe('COMPRESSED_DATA');
      expect(t.get('TFORM1')).toBe('1PB(0)');
      expect(t.get('TTYPE2')).toBe('UNCOMPRESSED_DATA');
      expect(t.get('TFORM2')).toBe(`1P${code}(200)`);
      const f = await open(comp);
      const img = (await (await f.hdu(1)).readImage()).data;
      await f.close();
      expect(sameValues(img, data)).toBe(true);
      if (haveFitsverify) expect(fitsverify(comp).errors, fitsverify(comp).text).toBe(0);
      // CFITSIO 4.2 compresses no 64-bit integer image (fpack refuses them too).
      if (name === 'int64') return;
      if (haveFpack) {
        const out = join(dir, `nc-${name}-funpack.fits`);
        funpack(comp, out, true);
        expect(Buffer.compare(readFileSync(out), readFileSync(plain))).toBe(0);
      }
      // The reference digest falls back to funpack's data, typed as CFITSIO does (int8 where
      // fitsflow follows astropy's float32 for compressed BZERO = -128 images).
      if (haveAstropy && name !== 'int8') expect(astropyDigest(comp)).toEqual(await fitsflowDigest(comp));
    });
  }

  it('floating-point NaN pixels stay NaN', async () => {
    const f32 = Float32Array.from(images[7]![1] as Float32Array);
    f32[3] = NaN;
    const { comp } = await writeBoth('nc-nan', f32, { compression: 'NOCOMPRESS' });
    const f = await open(comp);
    expect(sameValues((await (await f.hdu(1)).readImage()).data, f32)).toBe(true);
    await f.close();
    if (haveAstropy) expect(astropyDigest(comp)).toEqual(await fitsflowDigest(comp));
  });

  it('refuses quantization', async () => {
    await expect(writeFile(join(dir, 'nc-q.fits'), (w) => w.addCompressedImage(images[7]![1], { shape: [NY, NX], compression: 'NOCOMPRESS', quantize: 4 }))).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
  });
});

const i16 = Int16Array.from({ length: n }, (_, i) => 1000 + (i % NX) + Math.floor(rnd() * 30));
const u16 = Uint16Array.from({ length: n }, () => 40000 + Math.floor(rnd() * 300));
const f32 = Float32Array.from({ length: n }, (_, i) => 100 + Math.sin(i / 40) * 10 + rnd() * 5);

describe('ZHECKSUM and ZDATASUM', () => {
  const extHeader: HeaderInput = [{ keyword: 'XTENSION', value: 'IMAGE' }, { keyword: 'EXTNAME', value: 'SCI' }, { keyword: 'OBJECT', value: 'ext' }, { keyword: 'HISTORY', comment: 'made by a test', commentary: true }];
  const lossless: [string, ImageArray, CompressedImageOptions, HeaderInput?][] = [
    ['rice-i16', i16, {}],
    ['rice-u16-tiles', u16, { tileShape: [8, 16] }],
    ['gzip2-f32-lossless', f32, { compression: 'GZIP_2', quantize: 'none' }],
    ['hcompress-i16', i16, { compression: 'HCOMPRESS_1' }],
    ['plio-i16', Int16Array.from(i16, (v) => v & 7), { compression: 'PLIO_1' }],
    ['nocompress-f32', f32, { compression: 'NOCOMPRESS' }],
    ['rice-i16-extension', i16, {}, extHeader],
  ];
  for (const [name, data, opts, hdr] of lossless) {
    it(`${name}: the plain image's CHECKSUM/DATASUM; funpack -C gives a file whose checksums verify`, async () => {
      const { comp, plain } = await writeBoth(`ck-${name}`, data, opts, hdr);
      const t = tableCards(comp);
      const p = await header(plain, hdr ? 1 : 0);
      expect(t.get('ZHECKSUM')).toBe(p.get('CHECKSUM'));
      expect(t.get('ZDATASUM')).toBe(p.get('DATASUM'));
      if (haveFitsverify) expect(fitsverify(comp).warnings + fitsverify(comp).errors, fitsverify(comp).text).toBe(0);
      if (haveFpack && haveFitsverify) {
        const out = join(dir, `ck-${name}-funpack.fits`);
        funpack(comp, out, true);
        const v = fitsverify(out);
        expect(v.warnings + v.errors, v.text).toBe(0);
        expect(v.text).not.toMatch(/checksum/i);
        expect(Buffer.compare(readFileSync(out), readFileSync(plain))).toBe(0);
      }
    });
  }

  it('quantized: ZDATASUM is the DATASUM of the original pixels, as astropy writes it', async () => {
    const { comp, plain } = await writeBoth('ck-rice-f32-q4', f32, { quantize: 4, ditherSeed: 7 });
    const t = tableCards(comp);
    expect(t.get('ZDATASUM')).toBe((await header(plain, 0)).get('DATASUM'));
    expect(t.get('ZHECKSUM')).toBe((await header(plain, 0)).get('CHECKSUM'));
    if (haveAstropy) {
      const theirs = python(`
import sys, warnings
warnings.simplefilter('ignore')
from astropy.io import fits
d = fits.getdata(sys.argv[1])
fits.HDUList([fits.PrimaryHDU(), fits.CompImageHDU(d, compression_type='RICE_1', quantize_level=4)]).writeto(sys.argv[2], overwrite=True, checksum=True)
print(fits.open(sys.argv[2], disable_image_compression=True)[1].header['ZDATASUM'])`, plain, join(dir, 'astropy-q4.fits')).trim();
      expect(t.get('ZDATASUM')).toBe(theirs);
    }
    if (haveFitsverify) expect(fitsverify(comp).warnings + fitsverify(comp).errors).toBe(0);
  });

  it('without checksums: neither ZHECKSUM nor ZDATASUM', async () => {
    const p = join(dir, 'nock.fits');
    await writeFile(p, (w) => w.addCompressedImage(i16, { shape: [NY, NX] }), false);
    const t = tableCards(p);
    expect(t.has('ZHECKSUM') || t.has('ZDATASUM') || t.has('CHECKSUM')).toBe(false);
    expect(t.get('ZEXTEND')).toBe('T');
  });
});
