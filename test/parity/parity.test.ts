/**
 * The parity pages (docs/parity/*.md): the examples of astropy.io.fits's
 * documentation and of fitsio's README, each next to its fitsflow
 * translation. Every pair is run here: the Python block by Debian's python
 * (astropy 5.2, fitsio), the TypeScript block by Bun (it runs the page's
 * TypeScript as it is, importing `fitsflow` from the build), each in its own
 * folder holding copies of astropy's test files (test/parity/data). What the
 * two print must agree: the same words and numbers in the same order
 * (punctuation, quotes and brackets aside; numbers to 1e-6 relative, since
 * float32 values print shorter in numpy). Files both sides write under the
 * same name are compared by astropy's FITSDiff (values, not comments).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/corpus.js';
import { toolAvailable } from '../helpers/require-tool.js';

const PYTHON = '/usr/bin/python3';
const BUN = join(repoRoot, 'node_modules/.bin/bun');
const DATA = join(repoRoot, 'test/parity/data');
const PAGES = ['docs/parity/astropy.md', 'docs/parity/fitsio.md'];

/** One example: its Python block and its TypeScript block, found by name. */
interface Pair {
  name: string;
  python: string;
  ts: string;
}

const BLOCK = /^```(python|ts) skip-run: run by test\/parity as ([\w-]+)\n([\s\S]*?)^```$/gm;

function pairsOf(markdown: string): Pair[] {
  const pairs = new Map<string, Partial<Pair>>();
  for (const [, lang, name, code] of markdown.matchAll(BLOCK)) {
    const p = pairs.get(name!) ?? { name };
    if (p[lang as 'python' | 'ts'] !== undefined) throw new Error(`two ${lang} blocks named ${name}`);
    p[lang as 'python' | 'ts'] = code!;
    pairs.set(name!, p);
  }
  for (const p of pairs.values()) if (!p.python || !p.ts) throw new Error(`${p.name}: needs a python and a ts block`);
  return [...pairs.values()] as Pair[];
}

/** Words and numbers of the printed text, in order: what both sides must agree on. */
function tokens(text: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of text.matchAll(/[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![\w])|[A-Za-z_][\w-]*/g)) {
    const t = m[0];
    out.push(/^[-+.\d]/.test(t) ? Number(t) : t.toLowerCase());
  }
  return out;
}

function agree(a: (string | number)[], b: (string | number)[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((x, i) => {
    const y = b[i]!;
    if (typeof x === 'number' && typeof y === 'number') return x === y || Math.abs(x - y) <= 1e-6 * Math.max(Math.abs(x), Math.abs(y));
    return x === y;
  });
}

/** Runs every Python block in one interpreter (astropy imports once), each in its folder; stdout per name. */
const DRIVER = String.raw`
import contextlib, io, json, os, sys, traceback
jobs = json.load(sys.stdin)
out = {}
for job in jobs:
    os.chdir(job['dir'])
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf):
            exec(compile(job['code'], job['name'], 'exec'), {'__name__': '__main__'})
    except Exception:
        buf.write('PYTHON ERROR\n' + traceback.format_exc())
    out[job['name']] = buf.getvalue()
print(json.dumps(out))
`;

/**
 * astropy's FITSDiff of two files, with what legitimately differs between two writers left out: DATE, the checksum
 * cards (they cover comments), comments, BLANK (fitsflow writes it whenever floats are stored as integers), the
 * BSCALE = 1 (the default) beside BZERO, boilerplate COMMENT cards about the FITS standard, BITPIX of an HDU without data, the
 * spelling of TFORMn ('K' and '1K' are the same format: compared in astropy's canonical form), and whether a
 * compressed image's own header is a primary's (ZSIMPLE: fitsflow, as fpack for a primary image) or an extension's
 * (ZTENSION: astropy): compressed images are compared as the images they hold, with their user keywords.
 */
const FITSDIFF = String.raw`
import json, re, sys
from astropy.io import fits
from astropy.io.fits.column import _ColumnFormat

BOILERPLATE = re.compile(r"\s*(FITS \(Flexible Image Transport System\) format is defined|and Astrophysics', volume 376)")
STRUCTURAL = ('SIMPLE', 'EXTEND', 'XTENSION', 'PCOUNT', 'GCOUNT', 'BITPIX', 'NAXIS', 'BLANK')

def canonical(path):
    out = fits.HDUList()
    for i, hdu in enumerate(fits.open(path)):
        if isinstance(hdu, fits.CompImageHDU):
            h = fits.Header([c for c in hdu.header.cards if not c.keyword.startswith(STRUCTURAL)])
            out.append(fits.ImageHDU(data=hdu.data, header=h))
            continue
        hdu.header.remove('BLANK', ignore_missing=True)
        if hdu.header.get('BSCALE') == 1 and 'BZERO' in hdu.header:
            del hdu.header['BSCALE']  # its default value, written by astropy beside BZERO
        for k in reversed(range(len(hdu.header))):
            card = hdu.header.cards[k]
            if card.keyword == 'COMMENT' and BOILERPLATE.match(str(card.value)):
                del hdu.header[k]
        if hdu.header.get('NAXIS') == 0:
            hdu.header['BITPIX'] = 8  # no data: the element type says nothing
        if isinstance(hdu, fits.BinTableHDU):
            for k in list(hdu.header):
                if k.startswith('TFORM'):
                    hdu.header[k] = _ColumnFormat(hdu.header[k]).canonical
        out.append(hdu)
    return out

out = []
for a, b in json.load(sys.stdin):
    d = fits.FITSDiff(canonical(a), canonical(b), ignore_keywords=['DATE', 'CHECKSUM', 'DATASUM'], ignore_comments=['*'], ignore_blank_cards=True)
    out.append({'file': b, 'identical': d.identical, 'report': '' if d.identical else d.report()})
print(json.dumps(out))
`;

const python = spawnSync(PYTHON, ['-c', 'import astropy, fitsio'], { encoding: 'utf8' });
const haveTools =
  toolAvailable('astropy + fitsio (/usr/bin/python3)', python.status === 0, 'the parity pages') &&
  toolAvailable('bun (npm ci)', existsSync(BUN), 'the parity pages') &&
  toolAvailable('the build (npm run build)', existsSync(join(repoRoot, 'dist/node.js')), 'the parity pages');

const root = mkdtempSync(join(tmpdir(), 'fitsflow-parity-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A folder with copies of the test files; `fitsflow` resolves to this repository (its package.json exports → dist/). */
function workdir(name: string): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  symlinkSync(repoRoot, join(dir, 'node_modules/fitsflow'), 'dir');
  for (const f of readdirSync(DATA)) copyFileSync(join(DATA, f), join(dir, f));
  return dir;
}

describe('the comparison of printed output', () => {
  it('agrees on the same words and numbers, however printed; not on a different one', () => {
    expect(agree(tokens("3 ['a', 'b'] (40, 40) True nan\n[0. 1.]"), tokens('3 [ "a", "b" ] [ 40, 40 ] true NaN\n[ 0, 1 ]'))).toBe(true);
    expect(agree(tokens('-0.73'), tokens('-0.7300000190734863'))).toBe(true); // float32 printed by numpy / as a double
    expect(agree(tokens('1 2 x'), tokens('1 3 x'))).toBe(false);
    expect(agree(tokens('-0.73'), tokens('-0.7301'))).toBe(false);
    expect(agree(tokens('a b'), tokens('a b c'))).toBe(false);
    expect(agree(tokens('Sirius'), tokens('Canopus'))).toBe(false);
  });
});

describe.skipIf(!haveTools)('the TypeScript blocks type-check (strict, NodeNext, against the build\'s declarations)', () => {
  it('has no type errors (a misspelled option would otherwise be ignored silently)', () => {
    const dir = join(root, 'typecheck');
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    symlinkSync(repoRoot, join(dir, 'node_modules/fitsflow'), 'dir');
    symlinkSync(join(repoRoot, 'node_modules/@types'), join(dir, 'node_modules/@types'), 'dir');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    const files: string[] = [];
    for (const page of PAGES) {
      for (const p of pairsOf(readFileSync(join(repoRoot, page), 'utf8'))) {
        const f = join(dir, `${basename(page, '.md')}-${p.name}.ts`);
        writeFileSync(f, `${p.ts}\nexport {};\n`);
        files.push(f);
      }
    }
    const flags = ['--noEmit', '--strict', '--target', 'ES2022', '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--types', 'node', '--skipLibCheck'];
    const r = spawnSync(join(repoRoot, 'node_modules/.bin/tsc'), [...flags, ...files], { cwd: dir, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

for (const page of PAGES) {
  describe.skipIf(!haveTools)(page, () => {
    const pairs = pairsOf(readFileSync(join(repoRoot, page), 'utf8'));
    let pyOut: Record<string, string> = {};
    const dirs = new Map<string, { py: string; ts: string }>();
    const bothWrote: [string, string][] = [];

    it('has examples, each a python block and a ts block', () => {
      expect(pairs.length).toBeGreaterThan(5);
      // No other TypeScript or Python block: each one on the page is checked.
      const md = readFileSync(join(repoRoot, page), 'utf8');
      expect(md.match(/^```(ts|python)/gm)).toHaveLength(2 * pairs.length);
    });

    // Both sides' folders, and every Python block run once (one interpreter: astropy and fitsio import once).
    beforeAll(() => {
      const jobs = pairs.map((p) => {
        const base = `${basename(page, '.md')}-${p.name}`;
        const d = { py: workdir(`${base}-py`), ts: workdir(`${base}-ts`) };
        dirs.set(p.name, d);
        return { name: p.name, code: p.python, dir: d.py };
      });
      pyOut = JSON.parse(execFileSync(PYTHON, ['-c', DRIVER], { input: JSON.stringify(jobs), encoding: 'utf8', maxBuffer: 64 << 20 }));
    });

    it('the python blocks run (astropy / fitsio)', () => {
      for (const p of pairs) expect(pyOut[p.name], p.name).not.toContain('PYTHON ERROR');
    });

    for (const pair of pairs) {
      it(`${pair.name}: fitsflow prints what the reference prints`, () => {
        const d = dirs.get(pair.name)!;
        writeFileSync(join(d.ts, 'example.ts'), pair.ts);
        const r = spawnSync(BUN, ['example.ts'], { cwd: d.ts, encoding: 'utf8', timeout: 60_000 });
        expect(r.stderr + (r.error ?? ''), 'the TypeScript block failed').toBe('');
        expect(r.status).toBe(0);
        const want = pyOut[pair.name] ?? '';
        expect(want, 'the Python block failed').not.toContain('PYTHON ERROR');
        const ok = agree(tokens(r.stdout), tokens(want));
        expect(ok, `reference printed:\n${want}\nfitsflow printed:\n${r.stdout}`).toBe(true);
        // Files written by both sides: compared after every example has run (one interpreter for all of them).
        const written = (dir: string) => readdirSync(dir).filter((f) => /\.fits$/.test(f) && !existsSync(join(DATA, f)));
        const pyFiles = new Set(written(d.py));
        for (const f of written(d.ts)) if (pyFiles.has(f)) bothWrote.push([join(d.py, f), join(d.ts, f)]);
      });
    }

    it('files both sides wrote are identical to astropy\'s FITSDiff (values, keywords, HDUs)', () => {
      expect(bothWrote.length).toBeGreaterThan(2);
      const diffs = JSON.parse(execFileSync(PYTHON, ['-c', FITSDIFF], { input: JSON.stringify(bothWrote), encoding: 'utf8', maxBuffer: 64 << 20 })) as { file: string; identical: boolean; report: string }[];
      expect(diffs).toHaveLength(bothWrote.length);
      for (const d of diffs) expect(d.identical, `${d.file}:\n${d.report}`).toBe(true);
    });
  });
}
