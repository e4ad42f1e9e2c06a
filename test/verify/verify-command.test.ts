/**
 * `fitsflow verify` (the command object the CLI wires in place of the old
 * checksum-only verify): the checksum lines and exit codes it had, plus the
 * structural errors with HDU and card; and `fitsflow digest` naming on stderr
 * the bytes it ignores after the last HDU.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { open } from '../helpers/fitsflow.js';
import { corpusPath } from '../helpers/corpus.js';

const dir = mkdtempSync(join(tmpdir(), 'ff-verifycli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `fitsflow NAME …` through the CLI's entry. */
async function run(name: 'verify' | 'digest', argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io = { out: (t: string) => (out += t + '\n'), err: (t: string) => (err += t + '\n'), open: (p: string) => open(p) };
  const code = await main([name, ...argv], io);
  return { code, out, err };
}

describe('fitsflow verify', () => {
  it('passes a valid file and fails a bad DATASUM, as before', async () => {
    const ok = await run('verify', [corpusPath('checksum/checksum_valid.fits')]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/OK$/m);
    const bad = await run('verify', [corpusPath('checksum/checksum_bad_datasum.fits')]);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/HDU 1 .*DATASUM bad/);
  });

  it("fails astropy's verify.fits, naming the card out of order", async () => {
    const p = '/usr/lib/python3/dist-packages/astropy/io/fits/tests/data/verify.fits';
    const bytes = existsSync(p)
      ? readFileSync(p)
      : Buffer.from(['SIMPLE  =                    T', 'NAXIS   =                    0', 'BITPIX  =                    8', 'END'].map((c) => c.padEnd(80)).join('').padEnd(2880));
    const f = join(dir, 'verify.fits');
    writeFileSync(f, bytes);
    const r = await run('verify', [f]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/\*\*\* Error: +BITPIX must be card 2; card 2 is NAXIS\. \(HDU 0, card 2\)/);
    const q = await run('verify', ['-q', f]);
    expect(q.out.trim()).toMatch(/^verification FAILED: .*verify\.fits, \d+ warning\(s\) and [1-9]\d* error\(s\)$/);
  });

  it('fails bytes after the last HDU, and digest warns about them on stderr', async () => {
    const bytes = readFileSync(corpusPath('images/bitpix8_1d.fits'));
    const f = join(dir, 'trailing.fits');
    writeFileSync(f, Buffer.concat([bytes, Buffer.from('some text that is not an HDU'.padEnd(2880))]));
    const r = await run('verify', ['-e', f]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/bytes after its last HDU, from byte 5760/);
    const d = await run('digest', [f]);
    expect(d.code).toBe(0);
    expect(d.err).toMatch(/warning: .*after the last HDU/);
  });

  it('exits 2 on bad usage', async () => {
    expect((await run('verify', [])).code).toBe(2);
    expect((await run('verify', ['-x', 'a.fits'])).code).toBe(2);
  });
});
