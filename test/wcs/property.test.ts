/**
 * Property tests (fast-check): random headers of every projection and
 * distortion round-trip pixel → world → pixel within 1e-6 pixel wherever the
 * projection inverts (where it does not, the pixel found maps to the same world).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Header } from '../../src/header/header.js';
import { FitsError } from '../../src/core/errors.js';
import { Wcs } from '../../src/wcs/wcs.js';
import { sphs2x } from '../../src/wcs/celestial.js';
import { columns } from './helpers.js';
import { PROJECTIONS, Rng, celestialCase, sipCase, tpvCase, type RandomCase } from './random-headers.js';

/** Angular distance in degrees (haversine). */
function separation(l1: number, b1: number, l2: number, b2: number): number {
  const r = Math.PI / 180;
  const s = Math.sin(((b2 - b1) * r) / 2) ** 2 + Math.cos(b1 * r) * Math.cos(b2 * r) * Math.sin(((l2 - l1) * r) / 2) ** 2;
  return (2 * Math.asin(Math.min(1, Math.sqrt(s)))) / r;
}

/**
 * Points where the round trip must hold: within 45° of the reference point on
 * the sky (well inside every projection's principal domain), and for
 * polynomial distortions within the region they were fitted for.
 */
function inDomain(c: RandomCase, wcs: Wcs, world: Float64Array[], k: number, maxPixel: number): boolean {
  const [lng, lat] = wcs.celestialAxes;
  if (lng < 0) return true;
  const ref = wcs.pixelToWorld(c.pix.map((_, i) => [c.pix[c.pix.length - 1]![i]!]).slice(0, wcs.naxis));
  const sep = separation(world[lng]![k]!, world[lat]![k]!, ref[lng]![0]!, ref[lat]![0]!);
  const far = c.pix[k]!.some((v, i) => Math.abs(v - c.pix[c.pix.length - 1]![i]!) > maxPixel);
  if (sep >= 45 || far) return false;
  // HEALPix polar caps are interrupted facets: wcslib inverts only the equatorial zone.
  if (wcs.projection === 'HPX' || wcs.projection === 'XPH') {
    const phi = new Float64Array(1);
    const theta = new Float64Array(1);
    sphs2x(wcs.core.cel!.euler, 1, Float64Array.of(world[lng]![k]!), Float64Array.of(world[lat]![k]!), phi, theta);
    return Math.abs(theta[0]!) < 29;
  }
  return true;
}

function roundTripFailures(c: RandomCase, maxPixel = Infinity): string[] {
  let wcs: Wcs | null;
  try {
    wcs = Wcs.fromHeader(Header.fromCards(c.cards), { key: c.key });
  } catch (e) {
    expect(e).toBeInstanceOf(FitsError);
    return [];
  }
  if (!wcs) return ['no WCS'];
  const pix = columns(c.pix, wcs.naxis);
  const world = wcs.pixelToWorld(pix);
  const back = wcs.worldToPixel(world);
  const again = wcs.pixelToWorld(back);
  const out: string[] = [];
  const [lng, lat] = wcs.celestialAxes;
  for (let k = 0; k < c.pix.length; k++) {
    if (world.some((w) => Number.isNaN(w[k]!))) continue;
    if (!inDomain(c, wcs, world, k, maxPixel)) continue;
    const close = pix.every((p, i) => Math.abs(back[i]![k]! - p[k]!) <= 1e-6);
    if (close) continue;
    // Not the same pixel: the projection is not one-to-one there, so the pixel
    // found must at least have the same world coordinates.
    const same = world.every((w, i) => {
      const a = again[i]![k]!;
      const b = w[k]!;
      if (i === lng) {
        let d = Math.abs(a - b) % 360;
        if (d > 180) d = 360 - d;
        return d * Math.cos((world[lat]![k]! * Math.PI) / 180) <= 1e-8;
      }
      return Math.abs(a - b) <= 1e-8 * Math.max(1, Math.abs(b));
    });
    if (!same || !c.invertible) out.push(`point ${k}: pixel ${c.pix[k]} → ${back.map((b) => b[k])}`);
  }
  return out;
}

describe('pixel → world → pixel round trip (fast-check)', () => {
  it('every projection', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PROJECTIONS), fc.integer({ min: 1, max: 2 ** 31 - 1 }), (code, seed) => {
        const c = celestialCase(new Rng(seed), code, 0);
        if (!c.invertible) return true;
        const bad = roundTripFailures(c);
        if (bad.length) throw new Error(`${c.name} seed ${seed}: ${bad.slice(0, 3).join('; ')}`);
        return true;
      }),
      { numRuns: 400 },
    );
  });
  it('SIP and TPV distortions', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.integer({ min: 1, max: 2 ** 31 - 1 }), (sip, seed) => {
        const c = sip ? sipCase(new Rng(seed), 0) : tpvCase(new Rng(seed), 0);
        const bad = roundTripFailures(c, 2500);
        if (bad.length) throw new Error(`${c.name} seed ${seed}: ${bad.slice(0, 3).join('; ')}`);
        return true;
      }),
      { numRuns: 100 },
    );
  });
});
