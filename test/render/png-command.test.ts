/**
 * `fitsflow png`: the picture it writes is renderHdu's (checked against
 * astropy in astropy.test.ts), options parse as documented, exit codes are
 * 0 / 1 (unreadable file, unwritable output) / 2 (bad usage) with a sentence,
 * and OUT is written atomically (no temporary file is left behind).
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { open } from '../helpers/fitsflow.js';
import type { CliIo } from '../../src/cli/command.js';
import { renderHdu } from '../../src/render/render-hdu.js';
import { corpusPath } from '../helpers/corpus.js';
import { decodePng } from './png-decode.js';
import { main } from '../../src/cli/main.js';

const dir = mkdtempSync(join(tmpdir(), 'fitsflow-png-cli-'));
afterAll(() => {
  chmodSync(dir, 0o755);
  rmSync(dir, { recursive: true, force: true });
});


async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const io: CliIo = { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n'), open: (p) => open(p) };
  const code = await main(['png', ...argv], io);
  return { code, out, err };
}

describe('fitsflow png', () => {
  it('writes what renderHdu renders: zscale + asinh, grey 8-bit, row 0 at the bottom', async () => {
    const input = corpusPath('compressed/fpack/rice_int16.fits.fz');
    const output = join(dir, 'a.png');
    const r = await run(input, output, '--scale', 'zscale', '--stretch', 'asinh');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/a\.png: 257×300 8-bit grey from HDU 1, limits/);
    const png = decodePng(readFileSync(output));
    expect([png.width, png.height, png.channels, png.bitDepth]).toEqual([257, 300, 1, 8]);
    const f = await open(input);
    const pic = await renderHdu(await f.hdu(1), { interval: { type: 'zscale' }, stretch: { type: 'asinh' } });
    await f.close();
    expect(png.samples).toEqual(pic.pixels);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('defaults: first image HDU, minmax, linear; --plane picks a cube plane', async () => {
    const output = join(dir, 'cube.png');
    expect((await run(corpusPath('images/bitpix16_3d.fits'), output, '--plane', '4')).code).toBe(0);
    const f = await open(corpusPath('images/bitpix16_3d.fits'));
    const pic = await renderHdu(await f.hdu(0), { plane: 4 });
    await f.close();
    expect(decodePng(readFileSync(output)).samples).toEqual(pic.pixels);
  });

  it('--cmap gives RGB, and RGBA when NaN pixels are transparent; --width keeps the aspect ratio; --bits 16', async () => {
    const nanFile = corpusPath('images/bitpixm32_2d.fits'); // has NaN pixels
    const rgba = join(dir, 'rgba.png');
    expect((await run(nanFile, rgba, '--cmap', 'viridis', '--scale', 'percentile:99')).code).toBe(0);
    expect(decodePng(readFileSync(rgba)).channels).toBe(4);
    const rgb = join(dir, 'rgb.png');
    expect((await run(nanFile, rgb, '--cmap', 'ds9:heat', '--nan-color', '0,0,0', '--invert')).code).toBe(0);
    expect(decodePng(readFileSync(rgb)).channels).toBe(3);
    const small = join(dir, 'small.png');
    expect((await run(corpusPath('compressed/fpack/rice_int16.fits.fz'), small, '--width', '64', '--resample', 'bilinear')).code).toBe(0);
    const s = decodePng(readFileSync(small));
    expect([s.width, s.height]).toEqual([64, Math.round((64 * 300) / 257)]);
    const deep = join(dir, 'deep.png');
    expect((await run(corpusPath('images/bitpix16_2d.fits'), deep, '--bits', '16', '--scale', '-100,100')).code).toBe(0);
    expect(decodePng(readFileSync(deep)).bitDepth).toBe(16);
  });

  it('bad usage exits 2 with a sentence and the usage line', async () => {
    const input = corpusPath('images/bitpix16_2d.fits');
    const out = join(dir, 'x.png');
    const cases: string[][] = [
      [input],
      [input, out, '--scale', 'zmax'],
      [input, out, '--scale', 'percentile:0'],
      [input, out, '--stretch', 'log:-1'],
      [input, out, '--stretch', 'power'],
      [input, out, '--cmap', 'nosuchmap'],
      [input, out, '--width', '0'],
      [input, out, '--resample', 'cubic'],
      [input, out, '--bits', '16', '--cmap', 'viridis'],
      [input, out, '--nan-color', '1,2'],
      [input, out, '--frobnicate'],
      [input, out, '--hdu', '7'],
      [input, out, '--hdu', 'NOPE'],
      [corpusPath('images/bitpix16_3d.fits'), out, '--plane', '5'],
    ];
    for (const argv of cases) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err, argv.join(' ')).toMatch(/^fitsflow png: .+\nusage: fitsflow png FILE OUT\.png/);
    }
    expect(existsSync(out)).toBe(false);
  });

  it('an unreadable file, a file without images or an unwritable output exits 1', async () => {
    const out = join(dir, 'y.png');
    const garbage = join(dir, 'garbage.fits');
    writeFileSync(garbage, 'not a FITS file at all');
    for (const input of [join(dir, 'missing.fits'), garbage, corpusPath('tables/bintable_big.fits')]) {
      const r = await run(input, out);
      expect(r.code, input).toBe(1);
      expect(r.err).toMatch(/^fitsflow png: /);
    }
    const r = await run(corpusPath('mef/zero_size_axes.fits'), out, '--hdu', '0');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no pixels/);
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o555);
    if (process.getuid?.() !== 0) {
      const w = await run(corpusPath('images/bitpix16_2d.fits'), join(locked, 'z.png'));
      expect(w.code).toBe(1);
      expect(w.err).toMatch(/Cannot write/);
      expect(readdirSync(locked)).toEqual([]);
    }
  });
});
