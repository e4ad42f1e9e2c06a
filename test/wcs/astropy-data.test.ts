/**
 * The WCS test headers and files astropy ships (astropy/wcs/tests/data, read
 * from the installed astropy at test time, with astropy's own results): real
 * instrument headers (HST with SIP, WCSDVARR and D2IMARR lookup tables, the
 * old AXISCORR D2IM, a DSS plate solution, a Chandra pixel list, IRAC SIP,
 * TPV, -TAB, newlines inside cards), the maps/ headers of every projection and
 * the spectra/ headers of every spectral type. Where astropy refuses the WCS,
 * fitsflow must throw a FitsError; elsewhere the WCS.md tolerances apply.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { open } from '../helpers/fitsflow.js';
import { FitsError } from '../../src/core/errors.js';
import { Header } from '../../src/header/header.js';
import { Wcs } from '../../src/wcs/wcs.js';
import { wcsRepresentationKeys } from '../../src/wcs/keywords.js';
import { cliWcs } from '../../src/cli/wcs-command.js';
import { astropyPython, columns, pixelMismatches, worldMismatches, type RefPoints } from './helpers.js';

const py = astropyPython();
if (!py) {
  if (process.env.CI) throw new Error('astropy (Debian /usr/bin/python3) is required under CI');
  console.warn('astropy test-data comparison skipped: /usr/bin/python3 with astropy not found');
}
const here = dirname(fileURLToPath(import.meta.url));

/** A .hdr file as astropy's Header.fromstring reads it (newline-separated or 80-byte cards). */
function headerOfText(txt: string): Header {
  const lines = txt.split('\n').length > 3 ? txt.split('\n') : (txt.match(/.{1,80}/gs) ?? []);
  const cards = lines.filter((c) => c.trim() !== '' && c.trim() !== 'END' && !c.startsWith('END     '));
  return Header.fromCards(cards.map((c) => c.padEnd(80)));
}

/** WCS(header) as astropy builds it for a bare header: the default linear WCS when there are no WCS keywords. */
function headerWcs(h: Header): Wcs {
  const wcs = Wcs.fromHeader(h);
  if (wcs) return wcs;
  const keys = wcsRepresentationKeys(h);
  if (keys.size > 0 && !keys.has(' ')) throw new FitsError('NOT_FOUND', "No WCS with key ' '.");
  return Wcs.defaultLinear(keys.get(' ') ?? (h.getInt('NAXIS', 0) || 2));
}

type Entry = (RefPoints & { naxis: number }) | { error: string };

describe.skipIf(!py)('astropy test data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wcs-astropy-data-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let ref: Record<string, Entry> = {};
  if (py) {
    const r = spawnSync(py, [join(here, 'astropy_test_data.py'), dir], { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`astropy_test_data.py failed: ${r.stderr}`);
    ref = JSON.parse(r.stdout) as Record<string, Entry>;
  }
  it('covers the files', () => {
    expect(Object.keys(ref).length).toBeGreaterThan(60);
  });
  for (const [name, entry] of Object.entries(ref)) {
    it(name, async () => {
      const m = /^(.*)\[(\d+)\]$/.exec(name)!;
      const file = m[1]!;
      const index = Number(m[2]);
      const build = async (): Promise<Wcs> => {
        if (file.endsWith('.hdr')) return headerWcs(headerOfText(readFileSync(join(dir, file), 'latin1')));
        const f = await open(join(dir, file));
        try {
          return await cliWcs(await f.hdu(index), ' ');
        } finally {
          await f.close();
        }
      };
      if ('error' in entry) {
        await expect(build(), `astropy: ${entry.error}`).rejects.toBeInstanceOf(FitsError);
        return;
      }
      const wcs = await build();
      expect(wcs.naxis).toBe(entry.naxis);
      const world = wcs.pixelToWorld(columns(entry.pix, wcs.naxis));
      const bad = worldMismatches(world, entry, wcs.celestialAxes);
      expect(bad.slice(0, 4), `${bad.length} world mismatches`).toEqual([]);
      const back = wcs.worldToPixel(columns(entry.world.map((p) => p.map((v) => v ?? 0)), wcs.naxis));
      const badPix = pixelMismatches(back, entry);
      expect(badPix.slice(0, 4), `${badPix.length} pixel mismatches`).toEqual([]);
    });
  }
});
