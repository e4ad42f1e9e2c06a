/** Cross-match against astropy 5.2's search_around_sky and match_to_catalog_sky. */
import { describe, expect, it } from 'vitest';
import { FitsTable } from '../../../src/table/ops/fits-table.js';
import { crossMatchPositions, separationArcsec, xmatchTables } from '../../../src/table/ops/analytics/xmatch.js';
import { parseAngle, wrapLongitudes } from '../../../src/table/ops/analytics/sky.js';
import { col, uniform, type Rng } from './catalogs.js';
import { pythonTest, runPython } from './python-bridge.js';

const SCRIPT = String.raw`
from astropy.coordinates import SkyCoord, search_around_sky
import astropy.units as u
res = []
for case in data:
    a = SkyCoord(np.array(case['ra1'], dtype=float) * u.deg, np.array(case['dec1'], dtype=float) * u.deg)
    b = SkyCoord(np.array(case['ra2'], dtype=float) * u.deg, np.array(case['dec2'], dtype=float) * u.deg)
    r = case['radius'] * u.arcsec
    i1, i2, d2, _ = search_around_sky(a, b, r)
    o = np.lexsort((i2, i1))
    pairs = {'a': [int(x) for x in i1[o]], 'b': [int(x) for x in i2[o]], 'sep': [float(x) for x in d2.arcsec[o]]}
    near = {'a': [], 'b': [], 'sep': []}
    if len(a) and len(b):
        idx, d2d, _ = a.match_to_catalog_sky(b)
        for i in range(len(a)):
            if d2d[i] <= r:
                near['a'].append(i); near['b'].append(int(idx[i])); near['sep'].append(float(d2d[i].arcsec))
    res.append({'pairs': pairs, 'nearest': near})
print(json.dumps(res))
`;

/** A catalog and a second one near it: perturbed copies (within ~2 radii), exact duplicates, and unrelated points. */
function catalogs(r: Rng, n: number, radius: number, region: 'patch' | 'pole' | 'wrap' | 'sky') {
  const ra1: number[] = [];
  const dec1: number[] = [];
  const pos = (): [number, number] => {
    switch (region) {
      case 'patch': return [150 + r() * 0.2, 2 + r() * 0.2];
      case 'pole': return [r() * 360, 89.98 + r() * 0.02];
      case 'wrap': return [(359.99 + r() * 0.02) % 360, -30 + r() * 0.02];
      case 'sky': return [r() * 360, (Math.asin(2 * r() - 1) * 180) / Math.PI];
    }
  };
  for (let i = 0; i < n; i++) {
    const [a, d] = pos();
    ra1.push(a);
    dec1.push(d);
  }
  const ra2: number[] = [];
  const dec2: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = Math.floor(r() * n);
    const t = r();
    if (t < 0.1) {
      ra2.push(ra1[k]!);
      dec2.push(dec1[k]!);
    } else if (t < 0.7) {
      const off = ((r() * 2 * radius) / 3600) * (r() < 0.5 ? -1 : 1);
      const d = Math.max(-90, Math.min(90, dec1[k]! + off * (r() - 0.5)));
      ra2.push((ra1[k]! + off / Math.max(0.01, Math.cos((d * Math.PI) / 180)) + 360) % 360);
      dec2.push(d);
    } else {
      const [a, d] = pos();
      ra2.push(a);
      dec2.push(d);
    }
  }
  return { ra1, dec1, ra2, dec2, radius };
}

describe('xmatch vs astropy', () => {
  pythonTest('search_around_sky pairs and nearest matches, sky patches, the pole, the RA wrap, empty sides', () => {
    const r = uniform(7);
    const cases = [
      catalogs(r, 3000, 5, 'patch'),
      catalogs(r, 500, 20, 'pole'),
      catalogs(r, 500, 10, 'wrap'),
      catalogs(r, 2000, 3600, 'sky'),
      catalogs(r, 400, 1, 'patch'),
      { ra1: [], dec1: [], ra2: [1, 2], dec2: [3, 4], radius: 2 },
      { ra1: [1, 2], dec1: [3, 4], ra2: [], dec2: [], radius: 2 },
    ];
    const ref = runPython<{ pairs: { a: number[]; b: number[]; sep: number[] }; nearest: { a: number[]; b: number[]; sep: number[] } }[]>(SCRIPT, cases);
    let exact = 0;
    let total = 0;
    cases.forEach((c, n) => {
      const a = { ra: Float64Array.from(c.ra1), dec: Float64Array.from(c.dec1) };
      const b = { ra: Float64Array.from(c.ra2), dec: Float64Array.from(c.dec2) };
      for (const nearest of [false, true]) {
        const got = crossMatchPositions(a, b, { radius: c.radius, nearest });
        const want = nearest ? ref[n]!.nearest : ref[n]!.pairs;
        const what = `case ${n}${nearest ? ' nearest' : ''}`;
        expect(Array.from(got.indexA), what).toEqual(want.a);
        if (nearest) {
          // Exact ties (duplicate positions): the lowest index here, whichever the k-d tree met first in astropy.
          got.indexB.forEach((j, k) => {
            if (j !== want.b[k]) {
              expect(j, `${what} row ${got.indexA[k]} (a tie)`).toBeLessThan(want.b[k]!);
              expect(b.ra[j], `${what} row ${got.indexA[k]} (a tie)`).toBe(b.ra[want.b[k]!]);
              expect(b.dec[j], `${what} row ${got.indexA[k]} (a tie)`).toBe(b.dec[want.b[k]!]);
            }
          });
        } else expect(Array.from(got.indexB), what).toEqual(want.b);
        got.sepArcsec.forEach((s, k) => {
          expect(Math.abs(s - want.sep[k]!), `${what} pair ${k}`).toBeLessThanOrEqual(1e-9);
          total++;
          if (s === want.sep[k]) exact++;
        });
      }
    });
    expect(total).toBeGreaterThan(3000);
    console.log(`xmatch: ${exact} of ${total} separations bit-identical to astropy's`);
  }, 120_000);
});

describe('xmatch details', () => {
  it('parses radii with units', () => {
    expect(parseAngle('2arcsec')).toEqual({ value: 2, unit: 'arcsec' });
    expect(parseAngle('1.5"')).toEqual({ value: 1.5, unit: 'arcsec' });
    expect(parseAngle("0.5'")).toEqual({ value: 0.5, unit: 'arcmin' });
    expect(parseAngle('1e-3deg')).toEqual({ value: 0.001, unit: 'deg' });
    expect(parseAngle('30 mas')).toEqual({ value: 30, unit: 'mas' });
    expect(parseAngle(3)).toEqual({ value: 3, unit: 'arcsec' });
    expect(() => parseAngle('2 parsec')).toThrow(/Cannot read the radius/);
    expect(() => parseAngle(-1)).toThrow(/≥ 0/);
  });
  it('wraps RA like astropy and refuses declinations beyond the poles', () => {
    const lon = Float64Array.from([-10, 370, 360, 720.5, 5]);
    wrapLongitudes(lon);
    expect(Array.from(lon)).toEqual([350, 10, 0, 0.5, 5]);
    const t = new FitsTable([col('RA', 'float64', Float64Array.from([1])), col('DEC', 'float64', Float64Array.from([91]))], 1);
    expect(() => xmatchTables(t, t, { radius: 1 })).toThrow(/beyond ±90/);
  });
  it('finds RA/DEC columns by name, skips null/NaN positions, returns 0-based int64 indices', () => {
    const a = new FitsTable([col('id', 'int32', Int32Array.from([1, 2, 3])), col('RAJ2000', 'float64', Float64Array.from([10, 10, NaN])), col('DEJ2000', 'float64', Float64Array.from([20, 20.001, 20]), [false, true, false])], 3);
    const b = new FitsTable([col('ra', 'float64', Float64Array.from([10.0001, 10])), col('dec', 'float64', Float64Array.from([20, 20]))], 2);
    const r = new FitsTable(...(Object.values(xmatchTables(a, b, { radius: '1arcsec' })) as [never, never]));
    expect(r.columnNames).toEqual(['index_a', 'index_b', 'sep_arcsec']);
    expect([...r.rows()].map((x) => [x.index_a, x.index_b])).toEqual([[0n, 0n], [0n, 1n]]);
    expect(r.cell(1, 'sep_arcsec')).toBe(0);
    expect(separationArcsec(10, 20, 10.0001, 20)).toBeCloseTo(0.33828, 4);
    expect(() => xmatchTables(new FitsTable([col('X', 'float64', Float64Array.from([1]))], 1), b, { radius: 1 })).toThrow(/no RA\/DEC columns/);
  });
});
