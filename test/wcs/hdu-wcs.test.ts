/**
 * hduWcs on files built by astropy at test time: an HST-like image with SIP,
 * CPDIS lookup tables (WCSDVARR) and D2IM tables (D2IMARR); a tile-compressed
 * image (primary and alternate WCS from its image header); an event list with
 * pixel-list keywords. Same tolerances as the shared corpus.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { open } from '../helpers/fitsflow.js';
import { hduWcs } from '../../src/file/hdu-wcs.js';
import { astropyPython, columns, pixelMismatches, worldMismatches, type RefPoints } from './helpers.js';

const py = astropyPython();
if (!py) {
  if (process.env.CI) throw new Error('astropy (Debian /usr/bin/python3) is required under CI');
  console.warn('hduWcs tests against astropy skipped: /usr/bin/python3 with astropy not found');
}
const here = dirname(fileURLToPath(import.meta.url));
const FILES: Record<string, string> = { hst_like: 'hst_like.fits', compressed: 'compressed.fits', compressed_A: 'compressed.fits', events: 'events.fits', tab: 'tab.fits' };

describe.skipIf(!py)('hduWcs against astropy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wcs-hdu-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const ref = py
    ? (JSON.parse(spawnSync(py, [join(here, 'make_hdu_fixtures.py'), dir], { encoding: 'utf8', maxBuffer: 1 << 26 }).stdout) as Record<string, RefPoints & { hdu: number; key: string }>)
    : {};
  for (const name of Object.keys(FILES)) {
    it(name, async () => {
      const r = ref[name]!;
      const file = await open(join(dir, FILES[name]!));
      try {
        const hdu = await file.hdu(r.hdu);
        const wcs = (await hduWcs(hdu, { key: r.key, file }))!;
        expect(wcs).not.toBeNull();
        const naxis = wcs.naxis;
        const world = wcs.pixelToWorld(columns(r.pix, naxis));
        // -TAB celestial axes are not a projection: compare them as plain axes.
        const cel: [number, number] = name === 'tab' ? [0, 1] : wcs.celestialAxes;
        const bad = worldMismatches(world, r, cel);
        expect(bad.slice(0, 4), `${bad.length} world mismatches`).toEqual([]);
        const back = wcs.worldToPixel(columns(r.world.map((p) => p.map((v) => v ?? 0)), naxis));
        const badPix = pixelMismatches(back, r);
        expect(badPix.slice(0, 4), `${badPix.length} pixel mismatches`).toEqual([]);
        if (name === 'hst_like') {
          expect(wcs.sip).not.toBeNull();
          expect(wcs.cpdis[0]).not.toBeNull();
          expect(wcs.det2im[1]).not.toBeNull();
        }
      } finally {
        await file.close();
      }
    });
  }
  it('hdu.wcs() finds the lookup tables in its own file', async () => {
    const file = await open(join(dir, 'hst_like.fits'));
    try {
      const hdu = await file.hdu(0);
      const own = (await hdu.wcs())!;
      const given = (await hduWcs(hdu, { file }))!;
      expect(own.cpdis.some((t) => t !== null)).toBe(true);
      const px = [Float64Array.of(0, 100.25, 511), Float64Array.of(0, 200.5, 300)];
      expect(own.pixelToWorld(px)).toEqual(given.pixelToWorld(px));
    } finally {
      await file.close();
    }
  });
});
