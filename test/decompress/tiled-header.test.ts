/**
 * compressedImageHeader() against astropy 5.2.1's CompImageHDU.header for
 * every compressed HDU of the corpus (astropy is run when available), plus
 * hand-made headers for the reconstruction rules.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { open, MemorySource, FitsFile } from '../helpers/fitsflow.js';
import { compressedImageHeader } from '../../src/tiled/zimage.js';
import { corpusDir, loadManifest } from '../helpers/corpus.js';
import { concat, headerBytes, kv, card, padData } from '../helpers/make-fits.js';

const PY = '/usr/bin/python3';
const manifest = loadManifest();
const paths = manifest.files
  .filter((f) => f.digest && (f.digest as { hdus: { kind: string }[] }).hdus.some((h) => h.kind === 'compressed-image'))
  .map((f) => f.path);

const script = `
import json, sys, warnings
warnings.simplefilter('ignore')
from astropy.io import fits
root = sys.argv[1]
out = {}
for p in sys.argv[2:]:
    with fits.open(root + '/' + p) as hl:
        for i, h in enumerate(hl):
            if isinstance(h, fits.CompImageHDU):
                cards = []
                for c in h.header.cards:
                    v = c.value
                    if isinstance(v, fits.card.Undefined): v = None
                    cards.append([c.keyword, v if not isinstance(v, float) or v == v else 'NaN', c.comment])
                out[p + '#' + str(i)] = cards
print(json.dumps(out))
`;

function astropyHeaders(): Record<string, [string, unknown, string][]> | null {
  if (!existsSync(PY)) return null;
  const r = spawnSync(PY, ['-c', script, corpusDir, ...paths], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) return null;
  return JSON.parse(r.stdout) as Record<string, [string, unknown, string][]>;
}

const reference = astropyHeaders();

describe('compressedImageHeader matches astropy', () => {
  it.skipIf(!reference)('every compressed HDU of the corpus', async () => {
    let n = 0;
    for (const p of paths) {
      const file = await open(`${corpusDir}/${p}`);
      for (const hdu of await file.hdus()) {
        if (hdu.kind !== 'compressed-image') continue;
        const want = reference![`${p}#${hdu.index}`]!;
        // astropy gives commentary cards as [keyword, text, ''].
        const got = compressedImageHeader(hdu).cards.map((c) =>
          c.commentary ? [c.keyword, c.comment, ''] : [c.keyword, typeof c.value === 'bigint' ? Number(c.value) : c.value, c.comment],
        );
        expect(got, `${p} HDU ${hdu.index}`).toEqual(want);
        expect(hdu.imageHeader).toBe(compressedImageHeader(hdu));
        n++;
      }
      await file.close();
    }
    expect(n).toBeGreaterThan(50);
  });
});

/** A tiny compressed HDU (one NOCOMPRESS tile) with extra header cards. */
function tinyCompressed(extra: string[], primaryExtra: string[] = []): Uint8Array {
  const primary = headerBytes([kv('SIMPLE', true), kv('BITPIX', 8), kv('NAXIS', 0), ...primaryExtra]);
  const row = new Uint8Array(8);
  new DataView(row.buffer).setInt32(0, 4); // 4 bytes at heap offset 0
  const heap = new Uint8Array([0, 1, 0, 2]);
  const cards = [
    kv('XTENSION', 'BINTABLE', 'binary table extension'),
    kv('BITPIX', 8),
    kv('NAXIS', 2),
    kv('NAXIS1', 8),
    kv('NAXIS2', 1),
    kv('PCOUNT', 4),
    kv('GCOUNT', 1),
    kv('TFIELDS', 1),
    kv('TTYPE1', 'COMPRESSED_DATA'),
    kv('TFORM1', '1PB(4)'),
    kv('ZIMAGE', true),
    kv('ZBITPIX', 16, 'bits'),
    kv('ZNAXIS', 1, 'axes'),
    kv('ZNAXIS1', 2, 'len'),
    kv('ZTILE1', 2),
    kv('ZCMPTYPE', 'NOCOMPRESS'),
    ...extra,
  ];
  return concat(primary, headerBytes(cards), padData(concat(row, heap)));
}

async function hduOf(bytes: Uint8Array) {
  const file = new FitsFile(new MemorySource(bytes));
  return file.hdu(1);
}

describe('compressedImageHeader rules', () => {
  it('ZTENSION → XTENSION, default EXTNAME dropped, ZHECKSUM/ZDATASUM → CHECKSUM/DATASUM, table keywords gone', async () => {
    const hdu = await hduOf(
      tinyCompressed([
        kv('ZTENSION', 'IMAGE', 'image ext'),
        kv('ZPCOUNT', 0),
        kv('ZGCOUNT', 1),
        kv('EXTNAME', 'COMPRESSED_IMAGE'),
        kv('ZHECKSUM', 'abc', 'hdu checksum'),
        kv('ZDATASUM', '123'),
        kv('ZQUANTIZ', 'NO_DITHER'),
        kv('ZDITHER0', 3),
        kv('ZNAME1', 'BYTEPIX'),
        kv('ZVAL1', 2),
        kv('OBJECT', 'M31'),
        card('HISTORY made by hand'),
      ]),
    );
    const h = compressedImageHeader(hdu);
    expect(h.cards.map((c) => c.keyword)).toEqual(['XTENSION', 'BITPIX', 'NAXIS', 'NAXIS1', 'PCOUNT', 'GCOUNT', 'ZDITHER0', 'OBJECT', 'CHECKSUM', 'DATASUM', 'HISTORY']);
    expect(h.get('XTENSION')).toBe('IMAGE');
    expect(h.comment('XTENSION')).toBe('image ext');
    expect(h.get('BITPIX')).toBe(16);
    expect(h.get('NAXIS1')).toBe(2);
    expect(h.get('CHECKSUM')).toBe('abc');
    expect(h.physicalCount).toBe(11);
    expect((await hdu.readImage()).data).toEqual(new Int16Array([1, 2]));
  });

  it('ZSIMPLE → SIMPLE without PCOUNT/GCOUNT, ZEXTEND → EXTEND, a real EXTNAME is kept', async () => {
    const hdu = await hduOf(tinyCompressed([kv('ZSIMPLE', true), kv('ZEXTEND', true), kv('EXTNAME', 'SCI'), kv('BSCALE', 2), kv('BZERO', 1)]));
    const h = compressedImageHeader(hdu);
    expect(h.cards.map((c) => c.keyword)).toEqual(['SIMPLE', 'BITPIX', 'NAXIS', 'NAXIS1', 'EXTNAME', 'BSCALE', 'BZERO', 'EXTEND']);
    expect(hdu.dtype).toBe('float32');
    expect((await hdu.readImage()).data).toEqual(new Float32Array([3, 5]));
  });
});
