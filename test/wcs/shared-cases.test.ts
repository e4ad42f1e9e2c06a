/**
 * Every case of the shared WCS corpus (astropy 5.2.1 / wcslib 7.12): pixel →
 * world within 1e-8° (1e-9 relative for other axes), NaN exactly where
 * wcslib gives NaN, world → pixel within 1e-6 pixel; refused headers refused.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { open } from '../helpers/fitsflow.js';
import { FitsError } from '../../src/core/errors.js';
import { Wcs } from '../../src/wcs/wcs.js';
import { REF_DIR, columns, loadCases, loadPoints, pixelMismatches, worldMismatches } from './helpers.js';

describe('shared WCS corpus', () => {
  for (const c of loadCases()) {
    it(`${c.name}: ${c.exercises}`, async () => {
      const file = await open(join(REF_DIR, c.file));
      try {
        const hdu = await file.hdu(c.hdu);
        if (c.astropy === 'error') {
          expect(() => Wcs.fromHeader(hdu.header, { key: c.key })).toThrow(FitsError);
          return;
        }
        const wcs = Wcs.fromHeader(hdu.header, { key: c.key })!;
        expect(wcs).not.toBeNull();
        expect(wcs.naxis).toBe(c.naxis);
        const ref = loadPoints(c);
        const world = wcs.pixelToWorld(columns(ref.pix, c.naxis));
        const bad = worldMismatches(world, ref, wcs.celestialAxes);
        expect(bad.slice(0, 5), `${bad.length} world mismatches`).toEqual([]);
        const back = wcs.worldToPixel(columns(ref.world, c.naxis));
        const badPix = pixelMismatches(back, ref);
        expect(badPix.slice(0, 5), `${badPix.length} pixel mismatches`).toEqual([]);
      } finally {
        await file.close();
      }
    });
  }
});
