/**
 * Malformed WCS keywords give a FitsError (code BAD_WCS) naming the keyword —
 * never NaNs silently, never a crash: wrong value types, singular matrices,
 * projection parameters out of range, and fuzzed card values (fast-check).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Header } from '../../src/header/header.js';
import { FitsError } from '../../src/core/errors.js';
import { Wcs } from '../../src/wcs/wcs.js';
import { kvCard } from './random-headers.js';

const base = (extra: string[]): Header =>
  Header.fromCards(['SIMPLE  =                    T'.padEnd(80), kvCard('BITPIX', 8), kvCard('NAXIS', 2), kvCard('NAXIS1', 100), kvCard('NAXIS2', 100), ...extra]);
const tan = [kvCard('CTYPE1', 'RA---TAN'), kvCard('CTYPE2', 'DEC--TAN'), kvCard('CRVAL1', 10), kvCard('CRVAL2', 20), kvCard('CRPIX1', 50), kvCard('CRPIX2', 50), kvCard('CDELT1', -0.01), kvCard('CDELT2', 0.01)];

function refused(h: Header, keyword: string): void {
  let err: unknown;
  try {
    Wcs.fromHeader(h);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(FitsError);
  expect((err as FitsError).code).toBe('BAD_WCS');
  expect((err as FitsError).message).toContain(keyword);
}

describe('malformed WCS keywords', () => {
  it('wrong value types name the keyword', () => {
    refused(base([...tan, kvCard('CRPIX1', 'fifty')]), 'CRPIX1');
    refused(base([...tan, kvCard('CTYPE2', 12)]), 'CTYPE2');
    refused(base([...tan, kvCard('PC1_2', 'x')]), 'PC1_2');
    refused(base([...tan, 'CDELT2  =                    T'.padEnd(80)]), 'CDELT2');
    refused(base([...tan, kvCard('WCSAXES', 2.5)]), 'WCSAXES');
    refused(base([...tan, kvCard('PV2_1', 'a')]), 'PV2_1');
    refused(base([...tan, kvCard('LONPOLE', 'north')]), 'LONPOLE');
  });
  it('singular matrices', () => {
    refused(base([...tan, kvCard('PC1_1', 1), kvCard('PC1_2', 2), kvCard('PC2_1', 0.5), kvCard('PC2_2', 1)]), 'PC');
    refused(base([...tan, kvCard('CD1_1', 1e-3), kvCard('CD1_2', 1e-3), kvCard('CD2_1', 1e-3), kvCard('CD2_2', 1e-3)]), 'CD');
    refused(base([...tan, kvCard('CDELT1', 0)]), 'CDELT');
  });
  it('projection parameters out of range', () => {
    refused(base([kvCard('CTYPE1', 'RA---TPV'), kvCard('CTYPE2', 'DEC--TPV'), kvCard('PV1_40', 1e-3)]), 'PV1_');
    refused(base([kvCard('CTYPE1', 'RA---AIR'), kvCard('CTYPE2', 'DEC--AIR'), kvCard('PV2_1', -95)]), 'PV2_');
    refused(base([kvCard('CTYPE1', 'RA---HPX'), kvCard('CTYPE2', 'DEC--HPX'), kvCard('PV2_1', -4)]), 'PV2_');
    refused(base([kvCard('CTYPE1', 'RA---AZP'), kvCard('CTYPE2', 'DEC--AZP'), kvCard('PV2_1', -1)]), 'PV2_');
    refused(base([kvCard('CTYPE1', 'RA---BON'), kvCard('CTYPE2', 'DEC--BON')]), 'PV2_');
  });
  it('DSS plate keywords without a plate solution (astropy: coefficient scale is zero)', () => {
    refused(base([...tan, kvCard('XPIXELSZ', 25.0)]), 'AMDX1');
    refused(base([...tan, kvCard('CNPIX1', 3)]), 'AMDX1');
    refused(base([...tan, kvCard('AMDX1', 67.0)]), 'AMDX1');
  });
  it('errors wcslib finds only when transforming are FitsErrors then (astropy raises in all_pix2world)', () => {
    const w = Wcs.fromHeader(base([...tan, kvCard('CTYPE3', 'WAVE-LOG')]))!;
    let err: unknown;
    try {
      w.pixelToWorld([[0], [0], [0]]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FitsError);
    expect((err as FitsError).code).toBe('BAD_WCS');
    expect((err as FitsError).message).toContain('CRVAL3');
  });
  it('no WCS keywords → null, not an error', () => {
    expect(Wcs.fromHeader(base([]))).toBeNull();
    expect(Wcs.fromHeader(base(tan), { key: 'B' })).toBeNull();
  });
  it('fuzzed values never crash: a Wcs, null, or a FitsError', () => {
    const keys = ['CTYPE1', 'CTYPE2', 'CRPIX1', 'CRVAL2', 'CDELT1', 'CD1_2', 'PC2_1', 'PV2_1', 'PV1_3', 'CUNIT1', 'CROTA2', 'LONPOLE', 'LATPOLE', 'WCSAXES', 'RESTFRQ', 'CTYPE3', 'CRVAL3', 'CUNIT3', 'A_ORDER', 'B_ORDER', 'A_2_0', 'WAT1_001', 'WAT2_001', 'AMDX1', 'AMDY2', 'CNPIX1', 'PLTDECSN', 'XPIXELSZ'];
    const value = fc.oneof(
      fc.double({ noNaN: true, min: -1e10, max: 1e10 }),
      fc.integer({ min: -5, max: 50 }),
      fc.constantFrom('RA---TAN', 'DEC--TAN', 'GLON-CAR', 'FREQ-W2F', 'VRAD', 'deg', 'km/s', 'RA---TPV', 'DEC--ZPN', 'xyz', '', 'WAVE-LOG', 'STOKES', 'CUBEFACE'),
      fc.string({ maxLength: 12 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
      fc
        .tuple(fc.constantFrom('tnx', 'zpx', 'tan', ''), fc.array(fc.oneof(fc.integer({ min: -3, max: 12 }).map(String), fc.double({ min: -1, max: 1, noNaN: true }).map(String)), { maxLength: 10 }))
        .map(([t, xs]) => `wtype=${t} lngcor = "${xs.join(' ')} "`.slice(0, 68)),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...keys), value), { maxLength: 12 }), (cards) => {
        const h = base([...tan, ...cards.map(([k, v]) => kvCard(k, v as string | number))]);
        try {
          const w = Wcs.fromHeader(h);
          if (w) {
            const world = w.pixelToWorld(new Array(w.naxis).fill(0).map(() => [0, 10, 99]));
            w.worldToPixel(world);
          }
        } catch (e) {
          if (!(e instanceof FitsError)) throw e;
        }
        return true;
      }),
      { numRuns: 500 },
    );
  });
});
