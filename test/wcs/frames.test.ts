/**
 * Frame conversions within 1 milliarcsecond of astropy.coordinates (computed
 * at test time), angular separation, and sexagesimal formatting/parsing
 * against astropy's Angle.
 */
import { describe, expect, it } from 'vitest';
import { angularSeparation, convertFrame, type SkyFrame } from '../../src/wcs/frames.js';
import { formatDegrees, formatHours, parseAngle } from '../../src/wcs/sexagesimal.js';
import { astropyPython, runPython } from './helpers.js';
import { Rng } from './random-headers.js';

const py = astropyPython();
if (!py) {
  if (process.env.CI) throw new Error('astropy (Debian /usr/bin/python3) is required under CI');
  console.warn('frame tests against astropy skipped: /usr/bin/python3 with astropy not found');
}

const FRAMES: SkyFrame[] = [
  { system: 'icrs' },
  { system: 'fk5' },
  { system: 'fk5', equinox: 1975 },
  { system: 'fk5', equinox: 2031.5 },
  { system: 'fk4' },
  { system: 'fk4', equinox: 1900 },
  { system: 'fk4-no-e' },
  { system: 'galactic' },
];

const PEER = `
import json, sys, warnings
import numpy as np
warnings.simplefilter('ignore')
from astropy.coordinates import SkyCoord, ICRS, FK5, FK4, FK4NoETerms, Galactic
from astropy.time import Time
import astropy.units as u
def frame(f):
    s = f['system']
    if s == 'icrs': return ICRS()
    if s == 'fk5': return FK5(equinox=Time(f.get('equinox', 2000), format='jyear'))
    if s == 'fk4': return FK4(equinox=Time(f.get('equinox', 1950), format='byear'))
    if s == 'fk4-no-e': return FK4NoETerms(equinox=Time(f.get('equinox', 1950), format='byear'))
    return Galactic()
req = json.load(sys.stdin)
out = []
for job in req['jobs']:
    c = SkyCoord(np.array(req['lon']) * u.deg, np.array(req['lat']) * u.deg, frame=frame(job['from']))
    t = c.transform_to(frame(job['to']))
    sph = t.spherical
    out.append([sph.lon.deg.tolist(), sph.lat.deg.tolist()])
a = SkyCoord(np.array(req['lon']) * u.deg, np.array(req['lat']) * u.deg)
b = SkyCoord(np.array(req['lon'][::-1]) * u.deg, np.array(req['lat'][::-1]) * u.deg)
from astropy.coordinates import Angle
fmt = [[Angle(v * u.deg).to_string(unit=u.hourangle, sep=':', precision=3, pad=True), Angle(d * u.deg).to_string(unit=u.deg, sep=':', precision=2, alwayssign=True, pad=True)] for v, d in zip(req['lon'], req['lat'])]
parsed = [Angle(s, unit=un).deg for s, un in req['parse']]
json.dump({'conv': out, 'sep': a.separation(b).deg.tolist(), 'fmt': fmt, 'parsed': parsed}, sys.stdout)
`;

describe.skipIf(!py)('frames against astropy.coordinates', () => {
  const rng = new Rng(42);
  const lon: number[] = [];
  const lat: number[] = [];
  for (let k = 0; k < 60; k++) {
    lon.push(rng.range(0, 360));
    lat.push(rng.range(-89.9, 89.9));
  }
  lon.push(0, 359.9999999, 180, 266.4);
  lat.push(89.99999, -89.99999, 0, -28.94);
  const jobs: { from: SkyFrame; to: SkyFrame }[] = [];
  for (const a of FRAMES) for (const b of FRAMES) if (a !== b) jobs.push({ from: a, to: b });
  const parse: [string, string][] = [
    ['10:20:30.5', 'hourangle'],
    ['10h20m30.5s', 'hourangle'],
    ['-05:20:10.25', 'deg'],
    ['-05d20m10.25s', 'deg'],
    ['+05 20 30', 'deg'],
    ['12.5d', 'deg'],
    ['0:0:0.001', 'deg'],
  ];
  const res = py ? (runPython(py, PEER, { lon, lat, jobs, parse }) as { conv: number[][][]; sep: number[]; fmt: string[][]; parsed: number[] }) : null;
  jobs.forEach((job, j) => {
    it(`${JSON.stringify(job.from)} → ${JSON.stringify(job.to)} within 1 mas`, () => {
      const [l, b] = convertFrame(lon, lat, job.from, job.to);
      const [wl, wb] = res!.conv[j]!;
      let worst = 0;
      for (let k = 0; k < lon.length; k++) worst = Math.max(worst, angularSeparation(l[k]!, b[k]!, wl![k]!, wb![k]!) * 3.6e6);
      expect(worst, 'worst difference in mas').toBeLessThan(1);
    });
  });
  it('angular separation (Vincenty) as astropy', () => {
    for (let k = 0; k < lon.length; k++) {
      const s = angularSeparation(lon[k]!, lat[k]!, lon[lon.length - 1 - k]!, lat[lat.length - 1 - k]!);
      expect(Math.abs(s - res!.sep[k]!)).toBeLessThan(1e-10);
    }
  });
  it('sexagesimal formatting as astropy Angle.to_string', () => {
    for (let k = 0; k < lon.length; k++) {
      // astropy writes an RA that rounds up to 24h as "24:…"; we wrap it to "00:…".
      expect(formatHours(lon[k]!)).toBe(res!.fmt[k]![0]!.replace(/^24:/, '00:'));
      expect(formatDegrees(lat[k]!)).toBe(res!.fmt[k]![1]);
    }
  });
  it('sexagesimal parsing as astropy Angle', () => {
    parse.forEach(([s, u], k) => {
      expect(Math.abs(parseAngle(s, u === 'hourangle' ? 'hours' : 'degrees') - res!.parsed[k]!)).toBeLessThan(1e-12);
    });
  });
});

describe('sexagesimal edge cases', () => {
  it('carries 59.9999 seconds up', () => {
    expect(formatDegrees(10 + 59 / 60 + 59.999 / 3600)).toBe('+11:00:00.00');
    expect(formatHours(359.99999999)).toBe('00:00:00.000');
  });
  it('refuses text that is not an angle', () => {
    expect(() => parseAngle('ten', 'degrees')).toThrow();
    expect(() => parseAngle('10:75:00', 'degrees')).toThrow();
  });
});
