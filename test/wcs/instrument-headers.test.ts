/**
 * Instrument- and pipeline-style headers (instrument-headers.ts) against
 * astropy at test time: world coordinates and the round trip, WCS.md tolerances.
 */
import { describe, expect, it } from 'vitest';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { Header } from '../../src/header/header.js';
import { FitsError } from '../../src/core/errors.js';
import { Wcs } from '../../src/wcs/wcs.js';
import { astropyPython, columns, pixelMismatches, runPython, worldMismatches } from './helpers.js';
import { Rng } from './random-headers.js';
import { INSTRUMENT_HEADERS } from './instrument-headers.js';

const py = astropyPython();
const PEER = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'astropy_peer.py'), 'utf8');
if (!py) {
  if (process.env.CI) throw new Error('astropy (Debian /usr/bin/python3) is required under CI');
  console.warn('instrument-header comparison skipped: /usr/bin/python3 with astropy not found');
}

interface PeerResult {
  ok: boolean;
  error?: string;
  naxis?: number;
  world?: (number | null)[][];
  pix_back?: (number[] | null)[];
}

describe.skipIf(!py)('instrument-style headers against astropy', () => {
  const rng = new Rng(7);
  const cases = INSTRUMENT_HEADERS.map((h) => ({
    ...h,
    pix: Array.from({ length: 40 }, () => h.shape.map((n) => rng.range(-0.05 * n, 1.05 * n))),
  }));
  const keys = cases.flatMap((c) => (c.cards.some((x) => /^CTYPE1A /.test(x)) ? [' ', 'A'] : [' ']).map((key) => ({ c, key })));
  const results = py ? (runPython(py, PEER, keys.map(({ c, key }) => ({ cards: c.cards, key, pix: c.pix }))) as PeerResult[]) : [];
  it('astropy accepts every one of them', () => {
    expect(results.filter((r) => !r.ok).map((r) => r.error)).toEqual([]);
  });
  keys.forEach(({ c, key }, idx) => {
    it(`${c.name}${key !== ' ' ? ` (key ${key})` : ''}`, () => {
      const r = results[idx]!;
      const header = Header.fromCards(c.cards);
      if (!r.ok) {
        expect(() => Wcs.fromHeader(header, { key }), r.error).toThrow(FitsError);
        return;
      }
      const wcs = Wcs.fromHeader(header, { key }) ?? Wcs.defaultLinear(c.shape.length);
      expect(wcs.naxis).toBe(r.naxis);
      const ref = { pix: c.pix, world: r.world!, pix_back: r.pix_back! };
      const world = wcs.pixelToWorld(columns(c.pix, wcs.naxis));
      const bad = worldMismatches(world, ref, wcs.celestialAxes);
      expect(bad.slice(0, 4), `${bad.length} world mismatches`).toEqual([]);
      const back = wcs.worldToPixel(columns(ref.world.map((p) => p.map((v) => v ?? 0)), wcs.naxis));
      const badPix = pixelMismatches(back, ref);
      expect(badPix.slice(0, 4), `${badPix.length} pixel mismatches`).toEqual([]);
    });
  });
});
