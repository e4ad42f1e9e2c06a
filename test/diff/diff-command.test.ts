/**
 * `fitsflow diff`: fitsdiff's options (short and long), its exit codes (0 identical,
 * 1 different, 2 bad usage) — checked against astropy's fitsdiff script run with
 * the same arguments — and a report naming what differs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { open } from '../helpers/fitsflow.js';
import { corpusPath } from '../helpers/corpus.js';

const PY = '/usr/bin/python3';
const haveAstropy = existsSync(PY) && spawnSync(PY, ['-c', 'import astropy.io.fits.scripts.fitsdiff'], { encoding: 'utf8' }).status === 0;
if (!haveAstropy && process.env.CI) throw new Error('astropy is missing; CI must install python3-astropy');
if (!haveAstropy) console.warn('[diff tests] astropy missing: fitsdiff CLI parity is skipped');

const dir = mkdtempSync(join(tmpdir(), 'ff-diffcli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `fitsflow diff …` through the CLI's entry (options parsed as the command line parses them). */
async function run(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const io = { out: (t: string) => (out += t + '\n'), err: (t: string) => (out += t + '\n'), open: (p: string) => open(p) };
  const code = await main(['diff', ...argv], io);
  return { code, out };
}

function fitsdiff(argv: string[]): number {
  const r = spawnSync(PY, ['-c', 'import sys; from astropy.io.fits.scripts.fitsdiff import main; sys.exit(main(sys.argv[1:]))', ...argv], { encoding: 'utf8' });
  return r.status ?? -1;
}

const a = corpusPath('images/bitpixm32_2d.fits');
const bytes = new Uint8Array(readFileSync(a));
// b: one header value changed (a card that exists: the first card after NAXIS2), and one pixel's lowest byte.
const text = new TextDecoder('latin1').decode(bytes.subarray(0, 2880));
const b = join(dir, 'b.fits');
{
  const copy = bytes.slice();
  const end = text.indexOf('END     ');
  copy.set(new TextEncoder().encode("OBSERVER= 'someone else'".padEnd(80)), end);
  copy.set(new TextEncoder().encode('END'.padEnd(80)), end + 80);
  copy[2880 + 4 * 1000 + 3] ^= 1;
  writeFileSync(b, copy);
}

const cases: string[][] = [
  [a, a],
  [a, b],
  ['-k', 'OBSERVER', a, b],
  ['-k', 'OBSERVER', '-r', '1e-3', a, b],
  ['--ignore-keywords', 'OBS*', '--rtol', '0.001', a, b],
  ['-q', a, b],
  ['-n', '0', a, b],
  ['--exact', a, a],
  ['-k', '*', '-a', '1', a, b],
];

describe('fitsflow diff', () => {
  it.skipIf(!haveAstropy)('exits like astropy fitsdiff for the same arguments', async () => {
    for (const argv of cases) {
      const want = fitsdiff(argv);
      const got = await run(argv);
      expect(got.code, `${argv.join(' ')}\n${got.out}`).toBe(want);
    }
  }, 120_000);

  it('exits 2 on bad usage', async () => {
    expect((await run([a])).code).toBe(2);
    expect((await run([a, a, a])).code).toBe(2);
    expect((await run(['-r', 'x', a, a])).code).toBe(2);
    expect((await run(['-z', a, a])).code).toBe(2);
    expect((await run(['-n', '1.5', a, a])).code).toBe(2);
  });

  it('reports the differing keyword and pixel', async () => {
    const r = await run([a, b]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("Extra keyword 'OBSERVER' in b: 'someone else'");
    expect(r.out).toMatch(/Data differs at \[\d+, \d+\]:/);
    expect(r.out).toContain('1 different pixels found');
    const same = await run([a, a]);
    expect(same.code).toBe(0);
    expect(same.out).toContain('No differences found.');
  });
});
