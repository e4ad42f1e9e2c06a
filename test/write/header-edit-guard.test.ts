/**
 * `fitsflow header --set/--delete` refuses edits that change what the data
 * mean unless --force, and even then values of the wrong type or that
 * disagree with the header (#20 item 8): each edit the adversarial run made.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { open } from '../helpers/fitsflow.js';
import { corpusPath } from '../helpers/corpus.js';
import { runCli } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'fitsflow-hdr-guard-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (...argv: string[]) => runCli(argv);

let n = 0;
function copyOf(rel: string): string {
  const p = join(dir, `${n++}-${rel.replace(/\//g, '_')}`);
  copyFileSync(corpusPath(rel), p);
  return p;
}

const COMPRESSED = 'compressed/astropy/rice_f32_dither1.fits';
const TABLE = 'tables/bintable_all_tforms.fits';

describe('header edits that change the data need --force (#20 item 8)', () => {
  const cases: [string, string, string[]][] = [
    ['ZVAL1=16', COMPRESSED, ['--set', 'ZVAL1=16']],
    ['ZDITHER0=5', COMPRESSED, ['--set', 'ZDITHER0=5']],
    ['--delete ZQUANTIZ', COMPRESSED, ['--delete', 'ZQUANTIZ']],
    ['ZQUANTIZ=NO_DITHER', COMPRESSED, ['--set', 'ZQUANTIZ=NO_DITHER']],
    ['--delete ZVAL1', COMPRESSED, ['--delete', 'ZVAL1']],
    ['TSCAL13=2', TABLE, ['--set', 'TSCAL13=2']],
    ['TDIM16=(2,3)', TABLE, ['--set', 'TDIM16=(2,3)']],
    ['--delete TTYPE1', TABLE, ['--delete', 'TTYPE1']],
    ['EXTEND=F', TABLE, ['--set', 'EXTEND=F']],
    ['BZERO=1', TABLE, ['--set', 'BZERO=1']],
  ];
  for (const [what, rel, args] of cases) {
    it(`${what}: refused without --force, file unchanged`, async () => {
      const p = copyOf(rel);
      const before = readFileSync(p);
      const hdu = rel === TABLE && !what.startsWith('EXTEND') && !what.startsWith('BZERO') ? '1' : rel === COMPRESSED ? '1' : '0';
      const r = await run('header', p, '--hdu', hdu, ...args);
      expect(r.code).not.toBe(0);
      expect(r.err).toMatch(/--force/);
      expect(readFileSync(p).equals(before)).toBe(true);
    });
  }

  it('ZQUANTIZ=NO_DITHER with --force is written', async () => {
    const p = copyOf(COMPRESSED);
    expect((await run('header', p, '--hdu', '1', '--set', 'ZQUANTIZ=NO_DITHER', '--force')).code).toBe(0);
    const f = await open(p);
    expect((await f.hdu(1)).header.get('ZQUANTIZ')).toBe('NO_DITHER');
    await f.close();
  });

  const invalid: [string, string, string, string[]][] = [
    ['BZERO=abc', TABLE, '0', ['--set', 'BZERO=abc']],
    ['TSCAL13=0', TABLE, '1', ['--set', 'TSCAL13=0']],
    ['TDIM3=(1000,1000)', TABLE, '1', ['--set', 'TDIM3=(1000,1000)']],
    ['TDIM16=(4,2) (8 > 6)', TABLE, '1', ['--set', 'TDIM16=(4,2)']],
    ['TTYPE1=', TABLE, '1', ['--set', 'TTYPE1=']],
    ['ZDITHER0=0', COMPRESSED, '1', ['--set', 'ZDITHER0=0']],
    ['ZQUANTIZ=SOMETIMES', COMPRESSED, '1', ['--set', 'ZQUANTIZ=SOMETIMES']],
    ['EXTEND=7', TABLE, '0', ['--set', 'EXTEND=7']],
    ['BLANK=1.5', TABLE, '0', ['--set', 'BLANK=1.5']],
  ];
  for (const [what, rel, hdu, args] of invalid) {
    it(`${what}: refused even with --force, file unchanged`, async () => {
      const p = copyOf(rel);
      const before = readFileSync(p);
      const r = await run('header', p, '--hdu', hdu, ...args, '--force');
      expect(r.code).not.toBe(0);
      expect(r.err).toMatch(/not allowed/);
      expect(readFileSync(p).equals(before)).toBe(true);
    });
  }

  it('ordinary keywords need no --force', async () => {
    const p = copyOf(TABLE);
    expect((await run('header', p, '--hdu', '1', '--set', 'OBSERVER=Hubble', 'TUNIT13=m')).code).toBe(0);
  });
});
