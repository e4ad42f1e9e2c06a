/**
 * Random headers of every projection (and SIP, TPV, cubes, alternates, unit
 * aliases) computed by astropy at test time and by us: the same tolerances as
 * the shared corpus. Needs Debian's /usr/bin/python3 with astropy: skipped
 * with a warning locally when it is missing, a failure under CI.
 */
import { describe, expect, it } from 'vitest';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { Header } from '../../src/header/header.js';
import { FitsError } from '../../src/core/errors.js';
import { Wcs } from '../../src/wcs/wcs.js';
import { astropyPython, columns, pixelMismatches, runPython, worldMismatches, type RefPoints } from './helpers.js';
import { PROJECTIONS, Rng, celestialCase, invalidCases, sipCase, tpvCase, type RandomCase } from './random-headers.js';

const py = astropyPython();
const PEER = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'astropy_peer.py'), 'utf8');

if (!py) {
  if (process.env.CI) throw new Error('astropy (Debian /usr/bin/python3) is required under CI');
  console.warn('WCS astropy comparison skipped: /usr/bin/python3 with astropy not found');
}

interface PeerResult {
  ok: boolean;
  error?: string;
  naxis?: number;
  world?: (number | null)[][];
  pix_back?: (number[] | null)[];
}

function cases(): RandomCase[] {
  const rng = new Rng(20260808);
  const out: RandomCase[] = [];
  for (const code of PROJECTIONS) for (let k = 0; k < 6; k++) out.push(celestialCase(rng, code, k));
  for (let k = 0; k < 12; k++) out.push(sipCase(rng, k));
  for (let k = 0; k < 12; k++) out.push(tpvCase(rng, k));
  return out;
}

describe.skipIf(!py)('astropy comparison on random headers', () => {
  const all = cases();
  const results = py ? (runPython(py, PEER, all.map((c) => ({ cards: c.cards, key: c.key, pix: c.pix }))) as PeerResult[]) : [];
  all.forEach((c, idx) => {
    it(c.name, () => {
      const r = results[idx]!;
      const header = Header.fromCards(c.cards);
      if (!r.ok) {
        expect(() => Wcs.fromHeader(header, { key: c.key }), r.error).toThrow(FitsError);
        return;
      }
      const wcs = Wcs.fromHeader(header, { key: c.key })!;
      expect(wcs.naxis).toBe(r.naxis);
      const ref: RefPoints = { pix: c.pix, world: r.world!, pix_back: r.pix_back! };
      const world = wcs.pixelToWorld(columns(c.pix, wcs.naxis));
      const bad = worldMismatches(world, ref, wcs.celestialAxes);
      expect(bad.slice(0, 4), `${bad.length} world mismatches`).toEqual([]);
      const back = wcs.worldToPixel(columns(r.world!.map((p) => p.map((v) => (v === null ? 0 : v))), wcs.naxis));
      const badPix = pixelMismatches(back, ref);
      expect(badPix.slice(0, 4), `${badPix.length} pixel mismatches`).toEqual([]);
    });
  });
});

describe.skipIf(!py)('headers astropy refuses', () => {
  const inv = invalidCases();
  const results = py ? (runPython(py, PEER, inv.map((c) => ({ cards: c.cards, key: ' ', pix: [[0, 0]] }))) as PeerResult[]) : [];
  inv.forEach((c, idx) => {
    it(c.name, () => {
      expect(results[idx]!.ok, 'astropy accepts this header').toBe(false);
      let err: unknown;
      try {
        Wcs.fromHeader(Header.fromCards(c.cards));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FitsError);
      expect((err as FitsError).code).toBe('BAD_WCS');
      expect((err as FitsError).message).toContain(c.keyword);
    });
  });
});
