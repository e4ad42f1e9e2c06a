/**
 * renderHdu's reduced-resolution paths: memory bounded by the output (every
 * read request is small, whatever the image size), whole tiles per request
 * for tile-compressed images, and the same picture as rendering the full
 * plane in memory.
 */
import { describe, expect, it } from 'vitest';
import { open } from '../helpers/fitsflow.js';
import { renderHdu, type RenderableHdu } from '../../src/render/render-hdu.js';
import { renderImage } from '../../src/render/render.js';
import { corpusPath } from '../helpers/corpus.js';
import { FitsError } from '../../src/core/errors.js';

type Req = { start?: readonly number[]; shape?: readonly number[]; step?: readonly number[] };

/** An image that exists only as a formula: reads build the requested section. */
function formulaHdu(ny: number, nx: number, f: (y: number, x: number) => number) {
  const requests: Req[] = [];
  const hdu: RenderableHdu = {
    index: 0,
    kind: 'image',
    shape: [ny, nx],
    header: { get: () => undefined },
    async readImage(req: Req) {
      requests.push(req);
      const [y0, x0] = req.start ?? [0, 0];
      const [h, w] = req.shape ?? [ny, nx];
      const [sy, sx] = req.step ?? [1, 1];
      const data = new Float32Array(h! * w!);
      for (let y = 0; y < h!; y++) for (let x = 0; x < w!; x++) data[y * w! + x] = f(y0! + y * sy!, x0! + x * sx!);
      return { data, shape: [h!, w!] };
    },
  };
  return { hdu, requests };
}

const count = (r: Req) => (r.shape ?? []).reduce((a, b) => a * b, 1);

describe('renderHdu at reduced resolution', () => {
  it('a 12-megapixel image to 200 px wide: every request within chunkPixels, output 200×150', async () => {
    const { hdu, requests } = formulaHdu(3000, 4000, (y, x) => Math.sin(x / 50) * Math.cos(y / 70) * 100 + (x % 17));
    const pic = await renderHdu(hdu, { width: 200, chunkPixels: 1 << 20, interval: { type: 'zscale' } });
    expect([pic.width, pic.height]).toEqual([200, 150]);
    expect(Math.max(...requests.map(count))).toBeLessThanOrEqual(1 << 20);
    expect(requests.reduce((a, r) => a + count(r), 0)).toBe(3000 * 4000); // area reads every pixel once
  });

  it('nearest/bilinear read one decimated section of under 4× the output', async () => {
    for (const resample of ['nearest', 'bilinear'] as const) {
      const { hdu, requests } = formulaHdu(3000, 4000, (y, x) => x + y);
      const pic = await renderHdu(hdu, { width: 300, resample });
      expect([pic.width, pic.height]).toEqual([300, 225]);
      expect(requests.length).toBe(1);
      expect(requests[0]!.step).toEqual([13, 13]);
      expect(count(requests[0]!)).toBeLessThan(4 * 300 * 225);
    }
  });

  it('area in chunks gives the picture of the whole plane binned in memory', async () => {
    const f = (y: number, x: number) => ((x * 7 + y * 13) % 101) + (x === 5 ? NaN : 0);
    const { hdu } = formulaHdu(97, 131, f);
    const full = Float32Array.from({ length: 97 * 131 }, (_, i) => f(Math.floor(i / 131), i % 131));
    const limits = { min: 10, max: 90 };
    const a = await renderHdu(hdu, { width: 40, chunkPixels: 500, limits, stretch: { type: 'sqrt' } });
    const b = renderImage(full, [97, 131], { width: 40, limits, stretch: { type: 'sqrt' } });
    expect(a.pixels).toEqual(b.pixels);
  });

  it('tile-compressed images: requests start on tile rows; same picture as the full plane', async () => {
    for (const [path, hduIndex, plane] of [
      ['compressed/astropy/rice_int16_tiles.fits', 1, 0],
      ['compressed/fpack/rice_int32_tiles.fits.fz', 1, 0],
      ['compressed/fpack/cube_rice_3dtiles.fits.fz', 1, 5],
    ] as const) {
      const file = await open(corpusPath(path));
      try {
        const hdu = await file.hdu(hduIndex);
        const tileRows = Number(hdu.header.get('ZTILE2'));
        const starts: number[] = [];
        const spy: RenderableHdu = {
          index: hdu.index, kind: hdu.kind, shape: hdu.shape, header: hdu.header,
          readImage: (req) => {
            starts.push(req.start![req.start!.length - 2]!);
            return hdu.readImage(req);
          },
        };
        const limits = { min: -100, max: 2000 };
        const pic = await renderHdu(spy, { width: 50, plane, limits, chunkPixels: 3000 });
        expect(starts.length, path).toBeGreaterThan(1);
        for (const s of starts) expect(s % tileRows, path).toBe(0);
        const shape = hdu.shape!;
        const { data } = await hdu.readImage();
        expect(pic.pixels, path).toEqual(renderImage(data, shape, { plane, width: 50, limits }).pixels);
      } finally {
        await file.close();
      }
    }
  });

  it('full resolution is renderImage of the plane; non-images and empty images are refused', async () => {
    const file = await open(corpusPath('images/bitpix32_3d.fits'));
    try {
      const hdu = await file.hdu(0);
      const { data, shape } = await hdu.readImage();
      const a = await renderHdu(hdu, { plane: 2, interval: { type: 'zscale' } });
      expect(a.pixels).toEqual(renderImage(data, shape, { plane: 2, interval: { type: 'zscale' } }).pixels);
    } finally {
      await file.close();
    }
    const t = await open(corpusPath('tables/bintable_big.fits'));
    await expect(renderHdu(await t.hdu(1))).rejects.toThrow(FitsError);
    await t.close();
    const z = await open(corpusPath('mef/zero_size_axes.fits'));
    await expect(renderHdu(await z.hdu(1))).rejects.toThrow(/no pixels/);
    await z.close();
  });
});
