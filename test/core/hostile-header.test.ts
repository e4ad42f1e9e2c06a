/**
 * Hostile headers from issue #20 (items 2, 3, 4, 5, 15): each built from the
 * generator the adversarial run used, with random variants.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { open, FitsError, type FitsFile, type Hdu } from '../helpers/fitsflow.js';
import { corpusPath } from '../helpers/corpus.js';
import { bigEndian, card, concat, headerBytes, imageHdu, kv, padData } from '../helpers/make-fits.js';
import { runCli } from '../helpers/run-cli.js';

/** `KEY     =                value` followed by ` tail` (no "/"). */
function stray(key: string, value: string, tail: string): string {
  return card(`${key.padEnd(8)}= ${value.padStart(20)} ${tail}`);
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (e instanceof FitsError) return e.code;
    throw e;
  }
}

/** A random-groups primary HDU: NAXIS1 = 0, `pcount` parameters, `gcount` groups of `elems` int16. */
function randomGroups(pcount: string, gcount: string, elems: number, values: number[], extra: string[] = []): Uint8Array {
  const cards = [kv('SIMPLE', true), kv('BITPIX', 16), kv('NAXIS', 2), kv('NAXIS1', 0), kv('NAXIS2', elems), kv('GROUPS', true), card(`PCOUNT  = ${pcount}`), card(`GCOUNT  = ${gcount}`), ...extra];
  return concat(headerBytes(cards), padData(bigEndian(16, values)));
}

describe('scaling cards with text after the value (#20 item 2)', () => {
  it('BZERO = 32768 $ reads as uint16 (CFITSIO), with a warning', async () => {
    const f = await open(imageHdu(16, [2], [-32768, 32767], [stray('BZERO', '32768', '$')]));
    const img = await (await f.hdu(0)).readImage();
    expect(img.dtype).toBe('uint16');
    expect(Array.from(img.data as Uint16Array)).toEqual([0, 65535]);
    expect(f.warnings.map((w) => w.code)).toContain('INVALID_CARD');
    expect(f.warnings.find((w) => w.code === 'INVALID_CARD')!.message).toMatch(/32768/);
  });

  it('any stray text after BSCALE/BZERO: the value is applied as CFITSIO does, and warned about', async () => {
    const tail = fc.stringMatching(/^[!-.0-~][ -~]{0,30}$/); // printable, not starting with "/"
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('BSCALE', 'BZERO'), fc.integer({ min: 2, max: 1000 }), tail, async (key, v, t) => {
        const f = await open(imageHdu(16, [2], [1, 3], [stray(key, String(v), t)]));
        const img = await (await f.hdu(0)).readImage();
        const want = key === 'BSCALE' ? [v, 3 * v] : [1 + v, 3 + v];
        expect(Array.from(img.data as ArrayLike<number>)).toEqual(want);
        expect(f.warnings.some((w) => w.code === 'INVALID_CARD')).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('any stray text after TSCALn/TZEROn and PSCALn/PZEROn: applied, and warned about', async () => {
    const tail = fc.stringMatching(/^[!-.0-~][ -~]{0,30}$/);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('TSCAL1', 'TZERO1', 'PSCAL1', 'PZERO1'), fc.integer({ min: 2, max: 1000 }), tail, async (key, v, t) => {
        const scale = key.includes('SCAL');
        let got: number[];
        let f: FitsFile;
        if (key.startsWith('T')) {
          const cards = [kv('XTENSION', 'BINTABLE'), kv('BITPIX', 8), kv('NAXIS', 2), kv('NAXIS1', 2), kv('NAXIS2', 2), kv('PCOUNT', 0), kv('GCOUNT', 1), kv('TFIELDS', 1), kv('TFORM1', 'I'), kv('TTYPE1', 'A'), stray(key, String(v), t)];
          f = await open(concat(imageHdu(8, [], []), headerBytes(cards), padData(bigEndian(16, [1, 3]))));
          got = Array.from((await (await f.hdu(1)).readTable()).column('A').data as ArrayLike<number>, Number);
        } else {
          f = await open(randomGroups('1', '2', 1, [1, 0, 3, 0], [kv('PTYPE1', 'U'), stray(key, String(v), t)]));
          got = Array.from((await (await f.hdu(0)).readGroups()).params[0]!.data as ArrayLike<number>, Number);
        }
        expect(got).toEqual(scale ? [v, 3 * v] : [1 + v, 3 + v]);
        expect(f.warnings.some((w) => w.code === 'INVALID_CARD')).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('a value CFITSIO cannot read either (32768$) is ignored with a warning', async () => {
    const f = await open(imageHdu(16, [1], [5], [card(`BZERO   = 32768$`)]));
    const img = await (await f.hdu(0)).readImage();
    expect(Array.from(img.data as Int16Array)).toEqual([5]);
    expect(f.warnings.find((w) => w.code === 'INVALID_CARD')!.message).toMatch(/ignored/);
  });

  it('random-groups PSCAL/PZERO with stray text are applied', async () => {
    const f = await open(randomGroups('1', '1', 2, [7, 1, 2], [kv('PTYPE1', 'U'), stray('PSCAL1', '2', 'x'), stray('PZERO1', '10', 'y')]));
    const g = await (await f.hdu(0)).readGroups();
    expect(Array.from(g.params[0]!.data as ArrayLike<number>)).toEqual([24]);
  });

  it('TZEROn with stray text makes an unsigned column', async () => {
    const cards = [kv('XTENSION', 'BINTABLE'), kv('BITPIX', 8), kv('NAXIS', 2), kv('NAXIS1', 2), kv('NAXIS2', 1), kv('PCOUNT', 0), kv('GCOUNT', 1), kv('TFIELDS', 1), kv('TFORM1', 'I'), kv('TTYPE1', 'A'), stray('TZERO1', '32768', 'junk')];
    const f = await open(concat(imageHdu(8, [], []), headerBytes(cards), padData(bigEndian(16, [-32768]))));
    const t = await (await f.hdu(1)).readTable();
    expect(Array.from(t.column('A').data as ArrayLike<number>)).toEqual([0]);
  });
});

describe('PCOUNT and GCOUNT that do not parse (#20 item 3)', () => {
  it('PCOUNT = 99999999999999999999 in random groups is BAD_SIZE', async () => {
    expect(await codeOf(open(randomGroups('99999999999999999999', '1', 2, [1, 2])).then((f) => f.hdu(0)))).toBe('BAD_SIZE');
  });

  it('GCOUNT = 12 ! is BAD_CARD, not 1 group', async () => {
    expect(await codeOf(open(randomGroups('0', '12 !', 2, new Array(24).fill(1))).then((f) => f.hdu(0)))).toBe('BAD_CARD');
  });

  it('a VLA table whose PCOUNT does not parse is an error, not an empty heap', async () => {
    const cards = [kv('XTENSION', 'BINTABLE'), kv('BITPIX', 8), kv('NAXIS', 2), kv('NAXIS1', 8), kv('NAXIS2', 1), card('PCOUNT  = 4 x'), kv('GCOUNT', 1), kv('TFIELDS', 1), kv('TFORM1', '1PB(4)')];
    const data = padData(Uint8Array.of(0, 0, 0, 4, 0, 0, 0, 0, 1, 2, 3, 4));
    expect(await codeOf(open(concat(imageHdu(8, [], []), headerBytes(cards), data)).then((f) => f.hdu(1)))).toBe('BAD_CARD');
  });

  it('any PCOUNT/GCOUNT field: either exactly its integer or a FitsError', async () => {
    const field = fc.oneof(
      fc.integer({ min: 0, max: 4 }).map(String),
      fc.stringMatching(/^[ -~]{0,25}$/),
      fc.tuple(fc.integer({ min: 0, max: 4 }), fc.stringMatching(/^[ -~]{1,10}$/)).map(([n, t]) => `${n} ${t}`),
      fc.constantFrom('99999999999999999999', '-1', '1.5', "'2'", 'T', '1E0', '  3  / ok'),
    );
    await fc.assert(
      fc.asyncProperty(fc.boolean(), field, async (isP, v) => {
        const bytes = isP ? randomGroups(v, '1', 2, [1, 2, 3, 4]) : randomGroups('0', v, 2, [1, 2, 3, 4]);
        let hdu: Awaited<ReturnType<FitsFile["hdu"]>>;
        try {
          hdu = await (await open(bytes)).hdu(0);
        } catch (e) {
          expect(e).toBeInstanceOf(FitsError);
          return;
        }
        // Accepted only when the field holds just a number (1E0 is 1, as CFITSIO reads it) and a comment.
        const m = /^ *([+-]?[0-9.]+(?:[ED][+-]?\d+)?) *(\/.*)?$/.exec(v);
        expect(m).not.toBeNull();
        expect(isP ? hdu.layout.pcount : hdu.layout.gcount).toBe(Number(m![1]!.replace('D', 'E')));
      }),
      { numRuns: 150 },
    );
  });
});

describe('NAXIS = 0 has no pixels (#20 item 4)', () => {
  for (const extra of [[], [kv('BLANK', -1)], [kv('BSCALE', 2)], [kv('BZERO', 32768)], [kv('BLANK', 7), kv('BSCALE', 2), kv('BZERO', 1)]]) {
    it(`readImage with ${extra.map((c) => c.slice(0, 8).trim()).join(', ') || 'no scaling'}`, async () => {
      const f = await open(imageHdu(16, [], [], extra));
      const img = await (await f.hdu(0)).readImage();
      expect(img.data.length).toBe(0);
      expect(img.shape).toEqual([]);
    });
  }
});

describe('BLANK that is not an integer (#20 item 5)', () => {
  it('BLANK = 1.5 on int16 is ignored with a warning', async () => {
    const f = await open(imageHdu(16, [2], [1, 2], [kv('BLANK', 1.5)]));
    const img = await (await f.hdu(0)).readImage();
    expect(Array.from(img.data as ArrayLike<number>)).toEqual([1, 2]);
    expect(f.warnings.find((w) => w.code === 'IGNORED_KEYWORD')!.message).toMatch(/BLANK/);
  });
  it('with scaling too', async () => {
    const f = await open(imageHdu(16, [2], [1, 2], [kv('BLANK', 1.5), kv('BSCALE', 2)]));
    const img = await (await f.hdu(0)).readImage();
    expect(Array.from(img.data as ArrayLike<number>)).toEqual([2, 4]);
  });
});

describe('END card (#20 item 15)', () => {
  const body = [kv('SIMPLE', true), kv('BITPIX', 8), kv('NAXIS', 0)];
  function withEnd(end: string): Uint8Array {
    const text = [...body, card(end), card('COMMENT after')].join('').padEnd(2880, ' ');
    return Uint8Array.from(text, (c) => c.charCodeAt(0));
  }
  it("END     = 'x' and END garbage warn as astropy does", async () => {
    for (const end of ["END     = 'x'", 'END garbage', `END${' '.repeat(70)}abc`]) {
      const f = await open(withEnd(end));
      await f.hdu(0);
      expect(f.warnings.map((w) => w.code)).toContain('INVALID_END');
    }
  });
  it('ENDX is not END', async () => {
    expect(await codeOf(open(withEnd('ENDX')).then((f) => f.hdu(0)))).toBe('NO_END');
  });
  it('END and 77 spaces: no warning', async () => {
    const f = await open(withEnd('END'));
    await f.hdu(0);
    expect(f.warnings).toEqual([]);
  });
});

describe('the CLI on these files', () => {
  const run = (...argv: string[]) => runCli(argv);
  it('digest of BLANK = 1.5, of NAXIS = 0 with scaling and of BZERO with stray text: exit 0, warnings on stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fitsflow-hostile-'));
    try {
      const files: [string, Uint8Array, RegExp][] = [
        ['blank.fits', imageHdu(16, [2], [1, 2], [kv('BLANK', 1.5)]), /BLANK/],
        ['naxis0.fits', imageHdu(16, [], [], [kv('BLANK', 3), kv('BSCALE', 2)]), /^$/],
        ['bzero.fits', imageHdu(16, [1], [5], [stray('BZERO', '32768', '$')]), /32768/],
      ];
      for (const [name, bytes, warned] of files) {
        writeFileSync(join(dir, name), bytes);
        const r = await run('digest', join(dir, name));
        expect(r.code, r.err).toBe(0);
        expect(r.err).toMatch(warned);
      }
      // Commands that did not print warnings themselves: main prints them once the command ends, also before its error.
      const header = await run('header', join(dir, 'bzero.fits'));
      expect(header.code).toBe(0);
      expect(header.err).toMatch(/^warning: .*BZERO.*32768/);
      const digest = await run('digest', join(dir, 'bzero.fits'));
      expect(digest.err.split('\n').filter((l) => l.includes('BZERO')).length).toBe(1); // once
      const cards = [kv('XTENSION', 'BINTABLE'), kv('BITPIX', 8), kv('NAXIS', 2), kv('NAXIS1', 2), kv('NAXIS2', 1), kv('PCOUNT', 0), kv('GCOUNT', 1), card('TFIELDS =                    1 x'), kv('TFORM1', 'I')];
      writeFileSync(join(dir, 'tfields.fits'), concat(imageHdu(8, [], []), headerBytes(cards), padData(new Uint8Array(2))));
      const table = await run('table', join(dir, 'tfields.fits'), '--hdu', '1');
      expect(table.code).toBe(1);
      expect(table.err).toMatch(/warning: .*TFIELDS[\s\S]*BAD_CARD/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('other structural keywords are read strictly too (#20 item 3)', () => {
  /** The corpus file with the card of `key` in HDU `hdu`'s header rewritten as `text`. */
  function withCard(rel: string, key: string, text: string): Uint8Array {
    const bytes = new Uint8Array(readFileSync(corpusPath(rel)));
    for (let o = 0; o + 80 <= bytes.length; o += 80) {
      if (String.fromCharCode(...bytes.subarray(o, o + 8)).trim() === key && bytes[o + 8] === 0x3d) {
        const t = card(text);
        for (let i = 0; i < 80; i++) bytes[o + i] = t.charCodeAt(i);
        return bytes;
      }
    }
    throw new Error(`no ${key} in ${rel}`);
  }
  const cases: [string, string, string, number, (h: Hdu) => Promise<unknown>][] = [
    ['tables/bintable_all_tforms.fits', 'TFIELDS', 'TFIELDS =                   26 x', 1, (h) => h.readTable()],
    ['ascii/ascii_table.fits', 'TFIELDS', 'TFIELDS =                    2 junk', 1, (h) => h.readTable()],
    ['compressed/astropy/rice_f32_dither1.fits', 'ZNAXIS1', 'ZNAXIS1 =                  257 $', 1, (h) => h.readImage()],
    ['compressed/astropy/rice_f32_dither1.fits', 'ZTILE1', 'ZTILE1  =                   64 !', 1, (h) => h.readImage()],
    ['compressed/astropy/rice_f32_dither1.fits', 'ZDITHER0', 'ZDITHER0=                   42 x', 1, (h) => h.readImage()],
  ];
  it('THEAP = 8 x is BAD_CARD, not a lenient heap offset', async () => {
    const cards = [kv('XTENSION', 'BINTABLE'), kv('BITPIX', 8), kv('NAXIS', 2), kv('NAXIS1', 8), kv('NAXIS2', 1), kv('PCOUNT', 4), kv('GCOUNT', 1), kv('TFIELDS', 1), kv('TFORM1', '1PB(4)'), card('THEAP   =                    8 x')];
    const data = padData(Uint8Array.of(0, 0, 0, 4, 0, 0, 0, 0, 1, 2, 3, 4));
    expect(await codeOf(open(concat(imageHdu(8, [], []), headerBytes(cards), data)).then(async (f) => (await f.hdu(1)).readTable()))).toBe('BAD_CARD');
  });
  for (const [rel, key, text, index, read] of cases) {
    it(`${rel}: ${text.replace(/ +/g, ' ')} is BAD_CARD`, async () => {
      expect(await codeOf(open(withCard(rel, key, text)).then(async (f) => read(await f.hdu(index))))).toBe('BAD_CARD');
    });
  }
});
