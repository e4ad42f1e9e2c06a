/**
 * A value option given twice never silently drops the first value: repeatable
 * options (`header --set`, `--delete`) keep every value, the others are usage
 * errors (exit 2). `fitsflow header F --set A=1 --set B=2` used to keep only B.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { open } from '../helpers/fitsflow.js';
import { parseArgs, UsageError } from '../../src/cli/command.js';
import { repoRoot } from '../helpers/corpus.js';
import { runCli } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'fitsflow-repeat-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (...argv: string[]) => runCli(argv);

describe('repeated options', () => {
  it('header --set A --set B sets both; --delete repeats too', async () => {
    const f = join(dir, 'a.fits');
    copyFileSync(join(repoRoot, 'samples/sample.fits'), f);
    expect((await run('header', f, '--set', 'OBSERVER=Hubble', '--set', 'AIRMASS=1.25', 'TARGET=M31')).code).toBe(0);
    let h = (await (await open(f)).hdu(0)).header;
    expect([h.get('OBSERVER'), h.get('AIRMASS'), h.get('TARGET')]).toEqual(['Hubble', 1.25, 'M31']);
    expect((await run('header', f, '--delete', 'OBSERVER', '--delete', 'AIRMASS,TARGET')).code).toBe(0);
    h = (await (await open(f)).hdu(0)).header;
    expect([h.has('OBSERVER'), h.has('AIRMASS'), h.has('TARGET')]).toEqual([false, false, false]);
  });

  it('any other option given twice is a usage error naming both values', async () => {
    const r = await run('digest', join(repoRoot, 'samples/sample.fits'), '--hdu', '0', '--hdu', '1');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--hdu was given twice \(0, 1\)/);
    expect(() => parseArgs(['--x=1', '--x', '2'], [{ flag: 'x', value: 'N', help: '' }])).toThrow(UsageError);
    expect(parseArgs(['--x=1', '--x', '2'], [{ flag: 'x', value: 'N', help: '', repeatable: true }]).values.get('x')).toEqual(['1', '2']);
  });
});
