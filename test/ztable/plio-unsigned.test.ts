/**
 * PLIO_1 with unsigned 16-bit data (BZERO = 32768). CFITSIO (imcompress.c)
 * stores such pixels in PLIO as the unsigned values (stored + 32768, as PLIO
 * holds no negatives) and subtracts 32768 on reading; fitsflow and astropy 5.2
 * used to read them 32768 too high.
 *
 * plio/u16_fpack.fits.fz: `fpack -p -t 64,8` (CFITSIO 4.2) of a 64 × 40 uint16
 * mask with runs of 0, 1, 4095, 4096, 32767, 32768, 40000, 65535 and random
 * values; plio/u16_funpack.fits: what `funpack` restores from it (equal to the
 * original image).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/command.js';
import { open } from '../helpers/fitsflow.js';
import { haveFpack, tempDir, writeFile } from '../write/tools.js';

const dir = join(__dirname, 'plio');

async function cli(...argv: string[]): Promise<number> {
  const io: CliIo = { out: () => {}, err: () => {}, open: (p) => open(p) };
  return main(argv, io);
}

/** The data unit of HDU `index` (without fill). */
async function dataUnit(path: string, index: number): Promise<Buffer> {
  const f = await open(path);
  try {
    const h = await f.hdu(index);
    return readFileSync(path).subarray(h.dataOffset, h.dataOffset + h.layout.dataBytes);
  } finally {
    await f.close();
  }
}

async function pixels(path: string, hdu: number): Promise<{ data: ArrayLike<number>; shape: readonly number[]; type: string }> {
  const f = await open(path);
  try {
    const img = await (await f.hdu(hdu)).readImage();
    return { data: img.data as ArrayLike<number>, shape: img.shape, type: img.data.constructor.name };
  } finally {
    await f.close();
  }
}

describe('PLIO_1 with unsigned 16-bit data', () => {
  it('fpack -p output reads as funpack restores it', async () => {
    const want = await pixels(join(dir, 'u16_funpack.fits'), 0);
    const got = await pixels(join(dir, 'u16_fpack.fits.fz'), 1);
    expect(got.type).toBe('Uint16Array');
    expect(want.type).toBe('Uint16Array');
    expect(got.shape).toEqual(want.shape);
    expect(Array.from(got.data)).toEqual(Array.from(want.data));
    // Values on both sides of 32768 are present, so an offset error cannot hide.
    expect(Math.min(...Array.from(want.data))).toBe(0);
    expect(Math.max(...Array.from(want.data))).toBe(65535);
  });

  it('a section reads the same pixels', async () => {
    const f = await open(join(dir, 'u16_fpack.fits.fz'));
    const want = await pixels(join(dir, 'u16_funpack.fits'), 0);
    try {
      const sec = await (await f.hdu(1)).readImage({ start: [5, 10], shape: [25, 40] });
      const expected: number[] = [];
      for (let y = 5; y < 30; y++) for (let x = 10; x < 50; x++) expected.push(want.data[y * 64 + x]!);
      expect(Array.from(sec.data as ArrayLike<number>)).toEqual(expected);
    } finally {
      await f.close();
    }
  });

  it('fitsflow writes unsigned 16-bit PLIO_1 that funpack restores and fitsflow reads back', async () => {
    const want = await pixels(join(dir, 'u16_funpack.fits'), 0);
    const data = Uint16Array.from(want.data);
    const out = join(tempDir('fitsflow-plio-'), 'w.fits.fz');
    await writeFile(out, (w) => w.addCompressedImage({ data, shape: [40, 64] }, { compression: 'PLIO_1', tileShape: [8, 64] }));
    expect(Array.from((await pixels(out, 1)).data)).toEqual(Array.from(data));
    if (!haveFpack) return;
    const restored = join(tempDir('fitsflow-plio-'), 'r.fits');
    execFileSync('funpack', ['-O', restored, out]);
    const back = await pixels(restored, 0);
    expect(back.type).toBe('Uint16Array');
    expect(Array.from(back.data)).toEqual(Array.from(data));
  });

  it('fitsflow decompress writes the bytes funpack writes; fitsflow compress --plio round-trips through funpack', async () => {
    const tmp = tempDir('fitsflow-plio-');
    const out = join(tmp, 'd.fits');
    expect(await cli('decompress', join(dir, 'u16_fpack.fits.fz'), out)).toBe(0);
    expect((await dataUnit(out, 0)).equals(await dataUnit(join(dir, 'u16_funpack.fits'), 0))).toBe(true);
    const z = join(tmp, 'c.fits.fz');
    expect(await cli('compress', join(dir, 'u16_funpack.fits'), z, '--plio')).toBe(0);
    const back = join(tmp, 'c.fits');
    expect(await cli('decompress', z, back)).toBe(0);
    expect((await dataUnit(back, 0)).equals(await dataUnit(join(dir, 'u16_funpack.fits'), 0))).toBe(true);
    if (!haveFpack) return;
    const fun = join(tmp, 'f.fits');
    execFileSync('funpack', ['-O', fun, z]);
    expect((await dataUnit(fun, 0)).equals(await dataUnit(join(dir, 'u16_funpack.fits'), 0))).toBe(true);
  });
});
