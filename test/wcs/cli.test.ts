/**
 * The `fitsflow wcs` command object (fake io): the WCS.md contract on every
 * shared case — points from stdin, one line per point, numbers that parse
 * back to the same double, NaN where undefined, --origin 1, exit 1 with one
 * sentence for an invalid WCS, exit 2 for bad usage; and `wcsSummary`.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { join } from 'node:path';
import { open } from '../helpers/fitsflow.js';
import { MemorySource } from '../../src/io/memory-source.js';
import { formatNumber } from '../../src/cli/wcs-command.js';
import { wcsSummary } from '../../src/file/hdu-wcs.js';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/command.js';
import { REF_DIR, columns, loadCases, loadPoints, pixelMismatches, worldMismatches } from './helpers.js';
import { invalidCases } from './random-headers.js';
import { headerBytes } from '../helpers/make-fits.js';

async function run(argv: string[], stdin: string, opener?: (p: string) => ReturnType<typeof open>) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    open: opener ?? ((p) => open(p)),
    stdin: async () => stdin,
  };
  const code = await main(['wcs', ...argv], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function parseOutput(text: string, naxis: number): Float64Array[] {
  const rows = text.split('\n').filter((l) => l.length > 0);
  return columns(
    rows.map((r) => {
      const t = r.split(' ');
      expect(t.length).toBe(naxis);
      return t.map((v) => (v === 'NaN' ? null : Number(v)));
    }),
    naxis,
  );
}

describe('fitsflow wcs (WCS.md contract)', () => {
  for (const c of loadCases()) {
    it(`${c.name}: --pix2world and --world2pix`, async () => {
      const ref = loadPoints(c);
      const file = join(REF_DIR, c.file);
      const key = c.key === ' ' ? [] : ['--key', c.key];
      const p = await run([file, '--hdu', String(c.hdu), ...key, '--pix2world'], ref.pix.map((p) => p.join(' ')).join('\n') + '\n');
      expect(p.code, p.err).toBe(0);
      const world = parseOutput(p.out, c.naxis);
      const lng = c.ctype.findIndex((t) => /^(RA|[A-Z]LON|[A-Z]{2}LN)/.test(t) && t.length > 4);
      const lat = c.ctype.findIndex((t) => /^(DEC|[A-Z]LAT|[A-Z]{2}LT)/.test(t) && t.length > 4);
      expect(worldMismatches(world, ref, [lng, lat]).slice(0, 3)).toEqual([]);
      const w = ref.world.map((p) => p.map((v) => (v === null ? 'nan' : String(v))).join('\t'));
      const b = await run([file, '--hdu', String(c.hdu), ...key, '--world2pix'], w.join('\n'));
      expect(b.code, b.err).toBe(0);
      expect(pixelMismatches(parseOutput(b.out, c.naxis), ref).slice(0, 3)).toEqual([]);
    });
  }

  it('--origin 1 shifts pixels by one', async () => {
    const file = join(REF_DIR, 'files/syn_TAN_0.fits');
    const a = await run([file, '--pix2world'], '10 20\n');
    const b = await run([file, '--pix2world', '--origin', '1'], '11 21\n');
    expect(b.out).toBe(a.out);
    const back = await run([file, '--world2pix', '--origin', '1'], a.out);
    const [x, y] = back.out.split(' ').map(Number);
    expect(Math.abs(x! - 11)).toBeLessThan(1e-9);
    expect(Math.abs(y! - 21)).toBeLessThan(1e-9);
  });

  it('an invalid WCS exits 1 with one sentence on stderr', async () => {
    for (const inv of invalidCases()) {
      const bytes = headerBytes(inv.cards);
      const r = await run(['mem.fits', '--pix2world'], '1 2\n', () => open(new MemorySource(bytes)));
      expect(r.code, inv.name).toBe(1);
      expect(r.err.split('\n').length).toBe(1);
      expect(r.err).toMatch(/^fitsflow wcs: .+/);
    }
  });

  it('bad usage exits 2', async () => {
    const file = join(REF_DIR, 'files/syn_TAN_0.fits');
    expect((await run([file], '1 2')).code).toBe(2);
    expect((await run([file, '--pix2world', '--world2pix'], '1 2')).code).toBe(2);
    expect((await run([file, '--pix2world', '--origin', '2'], '1 2')).code).toBe(2);
    expect((await run([file, '--pix2world'], '1 2 3')).code).toBe(2);
    expect((await run([file, '--pix2world'], '1 x')).code).toBe(2);
    expect((await run([file, '--pix2world', '--key', 'AB'], '1 2')).code).toBe(2);
  });

  it('a missing alternate key exits 1', async () => {
    const r = await run([join(REF_DIR, 'files/syn_TAN_0.fits'), '--key', 'Q', '--pix2world'], '1 2');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no WCS with key 'Q'/);
  });

  it('a header without WCS keywords uses the default linear WCS (as astropy)', async () => {
    const bytes = headerBytes(['SIMPLE  =                    T', 'BITPIX  =                    8', 'NAXIS   =                    0'].map((c) => c.padEnd(80)));
    const r = await run(['x.fits', '--pix2world'], '0 0\n4.5 -2\n', () => open(new MemorySource(bytes)));
    expect(r.out).toBe('1 1\n5.5 -1');
  });

  it('numbers print so they parse back to the same double', () => {
    fc.assert(
      fc.property(fc.double(), (x) => {
        const s = formatNumber(x);
        const back = s === 'NaN' ? NaN : s === 'inf' ? Infinity : s === '-inf' ? -Infinity : Number(s);
        return Object.is(back, x);
      }),
      { numRuns: 2000 },
    );
  });

  it('wcsSummary gives one line', async () => {
    const f = await open(join(REF_DIR, 'files/syn_sip_1.fits'));
    try {
      const s = wcsSummary(await f.hdu(0));
      expect(s).toMatch(/^WCS: RA---TAN-SIP, DEC--TAN-SIP \[TAN, ICRS, SIP\] at \(/);
      expect(s.includes('\n')).toBe(false);
    } finally {
      await f.close();
    }
  });
});
