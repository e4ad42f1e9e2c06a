import { describe, expect, it } from 'vitest';
import { corpusPath, loadManifest } from '../helpers/corpus.js';
import { compareDigest } from '../helpers/compare-digest.js';
import { runCli } from '../helpers/run-cli.js';

const run = (...argv: string[]) => runCli(argv);

describe('fitsflow CLI', () => {
  it('info lists every HDU', async () => {
    const r = await run('info', corpusPath('mef/mef_images.fits'));
    expect(r.code).toBe(0);
    expect(r.out.split('\n').length).toBe(2 + 10);
  });
  it('header prints the cards', async () => {
    const r = await run('header', corpusPath('mef/mef_images.fits'), '--hdu', 'SCI,2');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^XTENSION= 'IMAGE {3}'/);
    expect(r.out).toMatch(/EXTVER {2}=\s+2/);
  });
  it('digest prints the reference digest', async () => {
    const f = loadManifest().files.find((x) => x.path === 'images/bitpix16_2d.fits')!;
    const r = await run('digest', corpusPath(f.path));
    expect(r.code).toBe(0);
    expect(compareDigest(JSON.parse(r.out), f.digest as never)).toEqual([]);
    const one = await run('digest', corpusPath('mef/mef_images.fits'), '--hdu', '3');
    expect(JSON.parse(one.out).hdus.map((h: { index: number }) => h.index)).toEqual([3]);
  });
  it('verify: 0 for valid checksums, 1 for a bad DATASUM', async () => {
    expect((await run('verify', corpusPath('checksum/checksum_valid.fits'))).code).toBe(0);
    const bad = await run('verify', corpusPath('checksum/checksum_bad_datasum.fits'));
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/HDU 1 .*DATASUM bad/);
  });
  it('exit codes: 2 for usage, 1 for unreadable files', async () => {
    expect((await run()).code).toBe(2);
    expect((await run('nope')).code).toBe(2);
    expect((await run('digest')).code).toBe(2);
    expect((await run('digest', 'a', 'b')).code).toBe(2);
    expect((await run('digest', corpusPath('images/bitpix8_1d.fits'), '--hdu', 'x')).code).toBe(2);
    const missing = await run('digest', '/nonexistent/file.fits');
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/NOT_FOUND/);
  });
});
