/**
 * IRAF TNX and ZPX (WAT1_nnn/WAT2_nnn strings) against astropy: random
 * headers built at test time by make_wat_headers.py (Chebyshev, Legendre and
 * monomial terms, all cross-term types, zero coefficients, ZPX projp), plus
 * wcspih's parse errors and a header round trip through toHeader().
 */
import { describe, expect, it } from 'vitest';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { Header } from '../../src/header/header.js';
import { FitsError } from '../../src/core/errors.js';
import { Wcs } from '../../src/wcs/wcs.js';
import { assembleWat, parseWat } from '../../src/wcs/wat.js';
import { astropyPython, columns, pixelMismatches, worldMismatches, type RefPoints } from './helpers.js';

const py = astropyPython();
if (!py) {
  if (process.env.CI) throw new Error('astropy (Debian /usr/bin/python3) is required under CI');
  console.warn('TNX/ZPX tests against astropy skipped: /usr/bin/python3 with astropy not found');
}
const here = dirname(fileURLToPath(import.meta.url));

type Case = { cards: string[] } & (RefPoints | { error: string });

describe.skipIf(!py)('TNX and ZPX against astropy', () => {
  const cases: Case[] = [];
  if (py) {
    for (const seed of [1, 2]) {
      const r = spawnSync(py, [join(here, 'make_wat_headers.py'), String(seed), '40'], { encoding: 'utf8', maxBuffer: 1 << 27 });
      if (r.status !== 0) throw new Error(`make_wat_headers.py failed: ${r.stderr}`);
      cases.push(...(JSON.parse(r.stdout) as Case[]));
    }
  }
  it('has cases', () => expect(cases.length).toBe(80));
  cases.forEach((c, k) => {
    const label = `${k}: ${c.cards.find((x) => x.startsWith('CTYPE1'))!.slice(11, 19)} ${c.cards.find((x) => x.startsWith('WAT1_001'))!.slice(11, 60).trim()}`;
    it(label, () => {
      const h = Header.fromCards(c.cards);
      if ('error' in c) {
        expect(() => Wcs.fromHeader(h), c.error).toThrow(FitsError);
        return;
      }
      const wcs = Wcs.fromHeader(h)!;
      expect(wcs.hasDistortion || wcs.projection !== '').toBe(true);
      const world = wcs.pixelToWorld(columns(c.pix, 2));
      const bad = worldMismatches(world, c, [0, 1]);
      expect(bad.slice(0, 4), `${bad.length} world mismatches`).toEqual([]);
      const back = wcs.worldToPixel(columns(c.world.map((p) => p.map((v) => v ?? 0)), 2));
      const badPix = pixelMismatches(back, c);
      expect(badPix.slice(0, 4), `${badPix.length} pixel mismatches`).toEqual([]);
      // toHeader keeps the WAT strings: the same WCS read back.
      const again = Wcs.fromHeader(Header.fromCards(wcs.toHeader().map(cardImage)))!;
      const w2 = again.pixelToWorld(columns(c.pix, 2));
      for (let i = 0; i < c.pix.length; i++) {
        expect(Math.abs(w2[0]![i]! - world[0]![i]!)).toBeLessThan(1e-10);
        expect(Math.abs(w2[1]![i]! - world[1]![i]!)).toBeLessThan(1e-10);
      }
    });
  });
});

/** A card image for a WcsCard (enough for these tests: strings and reals). */
function cardImage(c: { keyword: string; value: string | number }): string {
  const v = typeof c.value === 'string' ? `'${c.value.replace(/'/g, "''").padEnd(8)}'` : String(c.value).padStart(20);
  return `${c.keyword.padEnd(8)}= ${v}`.padEnd(80).slice(0, 80);
}

describe('WAT strings as wcspih reads them', () => {
  const wat = (a: string, b: string) => parseWat(assembleWat([{ axis: 1, m: 1, value: a }, { axis: 2, m: 1, value: b }]));
  it('other wtypes drop the distortion', () => {
    expect(wat('wtype=tan axtype=ra', 'wtype=tan axtype=dec')).toBeNull();
    expect(wat('wtype=linear', 'wtype=linear')).toBeNull();
  });
  it('a zero coefficient ends the list (the read position does not move)', () => {
    const s = wat('wtype=tnx lngcor = "3. 2. 2. 2. -1 1 -1 1 0.5 0. 0.25 0.125 "', 'wtype=tnx latcor = "3. 2. 2. 2. -1 1 -1 1 0.5 0.25 0.125 0.1 "')!;
    expect(s.axes[0].coeffs).toEqual([{ m: 0, n: 0, value: 0.5 }]);
    expect(s.axes[1].coeffs.length).toBe(3); // half cross terms: m + n < 2
  });
  it('no quoted list or no blank after a number is a FitsError', () => {
    const header = (a: string) =>
      Header.fromCards(["CTYPE1  = 'RA---TNX'", "CTYPE2  = 'DEC--TNX'", `WAT1_001= '${a}'`, `WAT2_001= 'wtype=tnx latcor = "3. 2. 2. 2. -1 1 -1 1 0.5 "'`].map((x) => x.padEnd(80)));
    expect(() => Wcs.fromHeader(header('wtype=tnx axtype=ra'))).toThrow(/WAT/);
    expect(() => Wcs.fromHeader(header('wtype=tnx lngcor = "3. 2. 2. 2. -1 1 -1 1 0.5'))).not.toThrow();
  });
});
