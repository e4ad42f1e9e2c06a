/**
 * Sky cutouts against astropy's Cutout2D: same box and pixels, and a written
 * file whose WCS astropy reads to the same sky positions as the original at
 * the shifted pixels (SIP and lookup-table distortions included). Plain,
 * tile-compressed and remote (HTTP range) files read only what the box needs.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { open } from '../helpers/fitsflow.js';
import { MemorySource } from '../../src/io/memory-source.js';
import type { ByteSource } from '../../src/core/byte-source.js';
import { astropyPython } from './helpers.js';

const py = astropyPython();
if (!py) {
  if (process.env.CI) throw new Error('astropy (Debian /usr/bin/python3) is required under CI');
  console.warn('cutout tests against astropy skipped: /usr/bin/python3 with astropy not found');
}
const here = dirname(fileURLToPath(import.meta.url));

interface Req {
  file: string;
  hdu: number;
  ra: number;
  dec: number;
  size_arcsec: [number, number];
  frame: string;
  shape: [number, number];
  origin: [number, number];
  pix: number[][];
  world: number[][];
  checksum: number;
}

/** A ByteSource that counts the bytes it hands out. */
class CountingSource implements ByteSource {
  bytesRead = 0;
  constructor(private readonly inner: ByteSource) {}
  get size(): number {
    return this.inner.size;
  }
  async read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
    const r = await this.inner.read(offset, length, into);
    this.bytesRead += r.length;
    return r;
  }
}

const runCutout = (argv: string[], opener: (p: string) => ReturnType<typeof open>) => runCli(['cutout', ...argv], { open: opener });

const CHECK = `
import json, sys, warnings
import numpy as np
warnings.simplefilter('ignore')
from astropy.io import fits
from astropy.wcs import WCS
req = json.load(sys.stdin)
out = []
for r in req:
    with fits.open(r['path']) as f:
        w = WCS(f[0].header, f)
        world = w.all_pix2world(np.array(r['pix'], dtype=float), 0)
        out.append({'world': world.tolist(), 'shape': list(f[0].data.shape), 'sum': float(np.sum(f[0].data.astype(np.float64)))})
json.dump(out, sys.stdout)
`;
import { runCli } from '../helpers/run-cli.js';

describe.skipIf(!py)('sky cutouts against astropy Cutout2D', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wcs-cut-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const reqs: Req[] = py ? JSON.parse(spawnSync(py, [join(here, 'make_cutout_fixtures.py'), dir], { encoding: 'utf8', maxBuffer: 1 << 27 }).stdout) : [];
  const written: { path: string; pix: number[][] }[] = [];
  const results: { req: Req; path: string }[] = [];

  reqs.forEach((r, i) => {
    it(`${r.file} at (${r.ra}, ${r.dec}) size ${r.size_arcsec.join('x')}″`, async () => {
      const bytes = readFileSync(join(dir, r.file));
      const counting = new CountingSource(new MemorySource(bytes));
      const outPath = join(dir, `cut${i}.fits`);
      const res = await runCutout(
        [r.file, outPath, '--ra', String(r.ra), '--dec', String(r.dec), '--size', `${r.size_arcsec[0]}arcsec,${r.size_arcsec[1]}arcsec`, '--hdu', String(r.hdu)],
        () => open(counting),
      );
      expect(res.code, res.err).toBe(0);
      const f = await open(outPath);
      try {
        const img = await (await f.hdu(0)).readImage();
        expect(img.shape).toEqual(r.shape);
        let sum = 0;
        for (let k = 0; k < img.data.length; k++) sum += Number(img.data[k]);
        expect(Math.abs(sum - r.checksum)).toBeLessThan(1e-6 * Math.abs(r.checksum));
        expect(res.out).toContain(`from (${r.origin[0]}, ${r.origin[1]})`);
      } finally {
        await f.close();
      }
      // Only the rows or tiles of the box are read. (For the compressed image the
      // box's 25 tiles lie in 5 runs of the heap; the reader fetches the span
      // holding them in one request, about a fifth of the file here.)
      const minimal = r.shape[0] * r.shape[1] * 4;
      if (r.file === 'compressed.fits') expect(counting.bytesRead).toBeLessThan(0.3 * bytes.length);
      else expect(counting.bytesRead).toBeLessThan(3 * minimal + 200_000);
      written.push({ path: outPath, pix: r.pix });
      results.push({ req: r, path: outPath });
    });
  });

  it('astropy reads every cutout to the same sky positions', () => {
    const res = JSON.parse(spawnSync(py!, ['-c', CHECK], { input: JSON.stringify(written), encoding: 'utf8', maxBuffer: 1 << 27 }).stdout) as { world: number[][] }[];
    results.forEach(({ req }, i) => {
      const got = res[i]!.world;
      let worst = 0;
      for (let k = 0; k < req.world.length; k++) {
        const dl = (got[k]![0]! - req.world[k]![0]!) * Math.cos((req.world[k]![1]! * Math.PI) / 180);
        worst = Math.max(worst, Math.hypot(dl, got[k]![1]! - req.world[k]![1]!));
      }
      expect(worst, `${req.file}: worst sky difference (deg)`).toBeLessThan(1e-8);
    });
  });

  it('a remote file is cut with range reads of the box only', async () => {
    const r = reqs[0]!;
    const bytes = readFileSync(join(dir, r.file));
    let served = 0;
    const server: Server = createServer((req, res) => {
      const range = /bytes=(\d+)-(\d+)?/.exec(req.headers.range ?? '');
      const start = range ? Number(range[1]) : 0;
      const end = range && range[2] ? Math.min(Number(range[2]), bytes.length - 1) : bytes.length - 1;
      const body = bytes.subarray(start, end + 1);
      served += body.length;
      res.writeHead(range ? 206 : 200, {
        'Content-Length': String(body.length),
        'Accept-Ranges': 'bytes',
        ...(range ? { 'Content-Range': `bytes ${start}-${end}/${bytes.length}` } : {}),
        ETag: '"fixed"',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const port = (server.address() as { port: number }).port;
    try {
      const outPath = join(dir, 'remote.fits');
      const res = await runCutout(
        [`http://127.0.0.1:${port}/plain.fits`, outPath, '--ra', String(r.ra), '--dec', String(r.dec), '--size', `${r.size_arcsec[0]}arcsec,${r.size_arcsec[1]}arcsec`],
        (p) => open(p),
      );
      expect(res.code, res.err).toBe(0);
      expect(res.out).toContain(`from (${r.origin[0]}, ${r.origin[1]})`);
      expect(served).toBeLessThan(0.25 * bytes.length);
    } finally {
      await new Promise<void>((ok) => server.close(() => ok()));
    }
  });
});
