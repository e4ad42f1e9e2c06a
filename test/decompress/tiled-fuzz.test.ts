/**
 * Damaged compressed images: flipped bytes in the heap or the table rows,
 * truncated files, absurd keywords. Every failure must be a FitsError naming
 * the HDU (and the tile, for tile damage), within a time bound; never a hang,
 * a RangeError or a huge allocation.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FitsFile, MemorySource, isFitsError, FitsError } from '../helpers/fitsflow.js';
import { corpusPath } from '../helpers/corpus.js';
import { concat, headerBytes, kv, padData } from '../helpers/make-fits.js';

const FILES = [
  'compressed/astropy/rice_int16_tiles.fits',
  'compressed/astropy/rice_uint8.fits',
  'compressed/astropy/rice_f32_dither2_zeros.fits',
  'compressed/astropy/gzip1_int16.fits',
  'compressed/astropy/gzip2_f32_quant.fits',
  'compressed/astropy/hcomp_int32_lossy.fits',
  'compressed/fitsio/plio_int16.fits',
  'compressed/fpack/nocompress_int16.fits.fz',
  'compressed/fpack/cube_rice_3dtiles.fits.fz',
];

interface Region {
  bytes: Uint8Array;
  hdu: number;
  tableStart: number;
  heapStart: number;
  dataEnd: number;
}

async function regionOf(path: string): Promise<Region> {
  const bytes = new Uint8Array(readFileSync(corpusPath(path)));
  const file = new FitsFile(new MemorySource(bytes));
  const hdu = (await file.hdus()).find((h) => h.kind === 'compressed-image')!;
  const tableBytes = hdu.layout.naxes[0]! * hdu.layout.naxes[1]!;
  return { bytes, hdu: hdu.index, tableStart: hdu.dataOffset, heapStart: hdu.dataOffset + tableBytes, dataEnd: hdu.dataOffset + hdu.layout.dataBytes };
}

/** Read the damaged file; returns the error (or null). Asserts the time bound. */
async function attempt(bytes: Uint8Array, workers: false | number = false): Promise<unknown> {
  const t0 = performance.now();
  let err: unknown = null;
  try {
    const file = new FitsFile(new MemorySource(bytes));
    for (const hdu of await file.hdus()) {
      if (hdu.kind !== 'compressed-image') continue;
      const img = await hdu.readImage({ workers });
      expect(img.data.length).toBe(img.shape.reduce((a, b) => a * b, 1));
    }
  } catch (e) {
    err = e;
  }
  expect(performance.now() - t0).toBeLessThan(5000);
  if (err !== null && !isFitsError(err)) throw err;
  return err;
}

describe('damaged heaps and tables', () => {
  for (const path of FILES) {
    it(`${path}: flipped heap bytes → a result or a FitsError naming HDU and tile`, async () => {
      const r = await regionOf(path);
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.record({ at: fc.integer({ min: r.heapStart, max: r.dataEnd - 1 }), xor: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: 8 }),
          async (flips) => {
            const b = r.bytes.slice();
            for (const f of flips) b[f.at] ^= f.xor;
            const e = (await attempt(b)) as FitsError | null;
            if (e) {
              expect(e.hdu).toBe(r.hdu);
              expect(e.tile).toBeTypeOf('number');
            }
          },
        ),
        { numRuns: 60 },
      );
    });

    it(`${path}: flipped table bytes (descriptors, ZSCALE, ...)`, async () => {
      const r = await regionOf(path);
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.record({ at: fc.integer({ min: r.tableStart, max: r.heapStart - 1 }), xor: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: 4 }),
          async (flips) => {
            const b = r.bytes.slice();
            for (const f of flips) b[f.at] ^= f.xor;
            const e = (await attempt(b)) as FitsError | null;
            if (e) expect(e.hdu).toBe(r.hdu);
          },
        ),
        { numRuns: 40 },
      );
    });
  }

  it('truncated files → FitsError', async () => {
    const r = await regionOf('compressed/astropy/rice_f32_dither1.fits');
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: r.bytes.length - 1 }), async (n) => {
        await attempt(r.bytes.subarray(0, n));
      }),
      { numRuns: 60 },
    );
  });

  it('a descriptor past the heap is CORRUPT_DATA naming the tile', async () => {
    const r = await regionOf('compressed/astropy/rice_int16_rows.fits');
    const b = r.bytes.slice();
    const rowBytes = 8;
    new DataView(b.buffer).setInt32(r.tableStart + 7 * rowBytes + 4, 0x7fff0000);
    const e = (await attempt(b)) as FitsError;
    expect(e.code).toBe('CORRUPT_DATA');
    expect(e.tile).toBe(7);
    expect(e.message).toMatch(/outside the .*heap/);
  });

  it('pool decoding of damaged heaps also gives FitsErrors', async () => {
    // Without a built worker script the default pool is absent and this is inline; pool.test.ts covers real workers.
    const r = await regionOf('compressed/astropy/hcomp_int32_lossy.fits');
    const b = r.bytes.slice();
    b.fill(0x55, r.heapStart + 100, r.heapStart + 400);
    const e = (await attempt(b, 2)) as FitsError;
    expect(e).toBeInstanceOf(FitsError);
  });
});

/** A compressed HDU header with the given Z keywords and an empty table of `rows` rows. */
function synthetic(z: string[], rows = 1, rowDesc: [number, number][] = [], heap = new Uint8Array(0)): Uint8Array {
  const primary = headerBytes([kv('SIMPLE', true), kv('BITPIX', 8), kv('NAXIS', 0)]);
  const table = new Uint8Array(rows * 8);
  rowDesc.forEach(([n, o], i) => {
    new DataView(table.buffer).setInt32(i * 8, n);
    new DataView(table.buffer).setInt32(i * 8 + 4, o);
  });
  const cards = [
    kv('XTENSION', 'BINTABLE'), kv('BITPIX', 8), kv('NAXIS', 2), kv('NAXIS1', 8), kv('NAXIS2', rows),
    kv('PCOUNT', heap.length), kv('GCOUNT', 1), kv('TFIELDS', 1), kv('TTYPE1', 'COMPRESSED_DATA'), kv('TFORM1', '1PB'),
    kv('ZIMAGE', true), ...z,
  ];
  return concat(primary, headerBytes(cards), padData(concat(table, heap)));
}

describe('absurd keywords are checked before allocating', () => {
  const cases: [string, string[], string][] = [
    ['huge ZNAXISn', [kv('ZBITPIX', 16), kv('ZNAXIS', 2), kv('ZNAXIS1', 2 ** 40), kv('ZNAXIS2', 2 ** 30), kv('ZCMPTYPE', 'RICE_1')], 'BAD_SIZE'],
    ['ZTILE1 = 0', [kv('ZBITPIX', 16), kv('ZNAXIS', 1), kv('ZNAXIS1', 10), kv('ZTILE1', 0), kv('ZCMPTYPE', 'RICE_1')], 'BAD_HEADER'],
    ['negative ZNAXIS1', [kv('ZBITPIX', 16), kv('ZNAXIS', 1), kv('ZNAXIS1', -3), kv('ZCMPTYPE', 'RICE_1')], 'BAD_HEADER'],
    ['bad ZBITPIX', [kv('ZBITPIX', 12), kv('ZNAXIS', 1), kv('ZNAXIS1', 3), kv('ZCMPTYPE', 'RICE_1')], 'BAD_HEADER'],
    ['missing ZCMPTYPE', [kv('ZBITPIX', 16), kv('ZNAXIS', 1), kv('ZNAXIS1', 3)], 'BAD_HEADER'],
    ['unknown ZCMPTYPE', [kv('ZBITPIX', 16), kv('ZNAXIS', 1), kv('ZNAXIS1', 3), kv('ZCMPTYPE', 'LZMA_9')], 'UNSUPPORTED'],
    ['more tiles than rows', [kv('ZBITPIX', 16), kv('ZNAXIS', 2), kv('ZNAXIS1', 3), kv('ZNAXIS2', 5), kv('ZCMPTYPE', 'RICE_1')], 'CORRUPT_DATA'],
    ['Rice BYTEPIX 8', [kv('ZBITPIX', 16), kv('ZNAXIS', 1), kv('ZNAXIS1', 3), kv('ZCMPTYPE', 'RICE_1'), kv('ZNAME1', 'BYTEPIX'), kv('ZVAL1', 8)], 'UNSUPPORTED'],
    ['huge output (8 GiB+)', [kv('ZBITPIX', -64), kv('ZNAXIS', 2), kv('ZNAXIS1', 2 ** 20), kv('ZNAXIS2', 2 ** 11), kv('ZTILE1', 2 ** 20), kv('ZTILE2', 2 ** 11), kv('ZCMPTYPE', 'GZIP_1')], 'BAD_SIZE'],
  ];
  for (const [name, z, code] of cases) {
    it(name, async () => {
      const file = new FitsFile(new MemorySource(synthetic(z)));
      const hdu = await file.hdu(1);
      const e = await hdu.readImage().catch((x) => x);
      expect(isFitsError(e, code as never), String(e)).toBe(true);
      expect(e.hdu).toBe(1);
    });
  }

  it('a tile whose decoded size does not match its extent is CORRUPT_DATA', async () => {
    // NOCOMPRESS tile of 4 bytes for a 3-pixel int16 tile (6 bytes).
    const z = [kv('ZBITPIX', 16), kv('ZNAXIS', 1), kv('ZNAXIS1', 3), kv('ZCMPTYPE', 'NOCOMPRESS')];
    const file = new FitsFile(new MemorySource(synthetic(z, 1, [[4, 0]], new Uint8Array(4))));
    const e = await (await file.hdu(1)).readImage().catch((x) => x);
    expect(isFitsError(e, 'CORRUPT_DATA')).toBe(true);
    expect(e.tile).toBe(0);
  });

  it('an empty tile with no other copy is CORRUPT_DATA', async () => {
    const z = [kv('ZBITPIX', 16), kv('ZNAXIS', 1), kv('ZNAXIS1', 3), kv('ZCMPTYPE', 'RICE_1')];
    const file = new FitsFile(new MemorySource(synthetic(z, 1, [[0, 0]])));
    const e = await (await file.hdu(1)).readImage().catch((x) => x);
    expect(isFitsError(e, 'CORRUPT_DATA')).toBe(true);
    expect(e.message).toMatch(/HDU 1, tile 0/);
  });

  it('shape and dtype are known without reading', async () => {
    const z = [kv('ZBITPIX', 16), kv('ZNAXIS', 2), kv('ZNAXIS1', 3), kv('ZNAXIS2', 2), kv('ZCMPTYPE', 'RICE_1'), kv('BZERO', 32768), kv('BSCALE', 1)];
    const file = new FitsFile(new MemorySource(synthetic(z, 2)));
    const hdu = await file.hdu(1);
    expect(hdu.shape).toEqual([2, 3]);
    expect(hdu.dtype).toBe('uint16');
  });
});

describe('huge tiles', () => {
  it('a cutout of an image with one enormous tile is BAD_SIZE naming the tile', async () => {
    const z = [kv('ZBITPIX', 16), kv('ZNAXIS', 2), kv('ZNAXIS1', 2 ** 20), kv('ZNAXIS2', 2 ** 14), kv('ZTILE1', 2 ** 20), kv('ZTILE2', 2 ** 14), kv('ZCMPTYPE', 'RICE_1')];
    const file = new FitsFile(new MemorySource(synthetic(z, 1, [[10, 0]], new Uint8Array(10))));
    const e = await (await file.hdu(1)).readImage({ start: [0, 0], shape: [2, 2] }).catch((x) => x);
    expect(isFitsError(e, 'BAD_SIZE'), String(e)).toBe(true);
    expect(e.tile).toBe(0);
  });
});

describe('a compressed HDU whose Z keywords cannot be read', () => {
  it('has shape and dtype null; readImage says why', async () => {
    const file = new FitsFile(new MemorySource(synthetic([kv('ZNAXIS', 1), kv('ZNAXIS1', 3), kv('ZCMPTYPE', 'RICE_1')])));
    const hdu = await file.hdu(1);
    expect(hdu.shape).toBeNull();
    expect(hdu.dtype).toBeNull();
    const e = await hdu.readImage().catch((x) => x);
    expect(isFitsError(e, 'BAD_HEADER')).toBe(true);
    expect(e.message).toMatch(/ZBITPIX/);
  });
});
