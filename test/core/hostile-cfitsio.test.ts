/**
 * Cards astropy refuses and CFITSIO reads (#20 item 2): numeric scaling
 * keywords with stray text after the value. Random variants are read by
 * CFITSIO (through fitsio) and by fitsflow; where CFITSIO reads the file,
 * the values must agree.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { open } from '../helpers/fitsflow.js';
import { toolAvailable } from '../helpers/require-tool.js';
import { card, imageHdu } from '../helpers/make-fits.js';

const PYTHON = '/usr/bin/python3';
const haveFitsio = existsSync(PYTHON) && (() => {
  try {
    execFileSync(PYTHON, ['-c', 'import fitsio'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const READ = `
import sys, json, fitsio, numpy as np
out = []
for p in sys.argv[1:]:
    try:
        d = fitsio.read(p, ext=0)
        out.append([float(x) for x in np.asarray(d).ravel()])
    except Exception as e:
        out.append(None)
print(json.dumps(out))
`;

describe('stray text after numeric scaling values: fitsflow reads what CFITSIO reads', () => {
  it('BSCALE, BZERO and BLANK with random tails', async () => {
    if (!toolAvailable('fitsio', haveFitsio, 'the CFITSIO comparison of cards with stray text')) return;
    const dir = mkdtempSync(join(tmpdir(), 'fitsflow-stray-'));
    try {
      const cases = fc.sample(
        fc.record({
          key: fc.constantFrom('BSCALE', 'BZERO', 'BLANK'),
          value: fc.oneof(fc.integer({ min: -1000, max: 40000 }).map(String), fc.constantFrom('2.5', '32768', '1.5E1', '-3')),
          gap: fc.constantFrom('', ' ', '   '),
          tail: fc.stringMatching(/^[!-.0-~][ -~]{0,20}$/), // printable, not "/"
        }),
        { numRuns: 80, seed: 20 },
      );
      const paths = cases.map((c, i) => {
        const p = join(dir, `${i}.fits`);
        const text = `${c.key.padEnd(8)}= ${c.value.padStart(20)}${c.gap}${c.tail}`.slice(0, 80);
        writeFileSync(p, imageHdu(16, [3], [1, 3, -7], [card(text)]));
        return p;
      });
      const ref = JSON.parse(execFileSync(PYTHON, ['-c', READ, ...paths], { encoding: 'utf8' })) as (number[] | null)[];
      let compared = 0;
      for (let i = 0; i < cases.length; i++) {
        if (ref[i] === null) continue; // CFITSIO refuses it too
        const f = await open(paths[i]!);
        const img = await (await f.hdu(0)).readImage();
        const got = Array.from(img.data as ArrayLike<number>, Number).map((v) => (Number.isNaN(v) ? null : v));
        const want = ref[i]!.map((v) => (Number.isNaN(v) ? null : v));
        const agree = got.length === want.length && got.every((v, k) => v === want[k] || (v !== null && want[k] !== null && Math.abs(v - want[k]!) <= 1e-6 * Math.max(1, Math.abs(want[k]!))));
        expect(agree, `${JSON.stringify(cases[i])}: fitsflow ${JSON.stringify(got)}, CFITSIO ${JSON.stringify(want)}`).toBe(true);
        await f.close();
        compared++;
      }
      console.log(`stray-text cards: ${compared} of ${cases.length} read by CFITSIO, fitsflow agrees`);
      expect(compared).toBeGreaterThan(20);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
