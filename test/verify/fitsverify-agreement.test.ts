/**
 * `verifyFile` fails the files fitsverify fails for structural reasons: the
 * corpus, astropy's test files, and corpus files broken on purpose (keyword
 * order, wrong reserved types, bad TFORM/TDIM, non-zero fill, bytes after the
 * last HDU, missing padding, non-blank header fill, bad keyword names). A file
 * fails when fitsverify reports an error (or aborts); warnings alone do not.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FitsError, open } from '../helpers/fitsflow.js';
import { verifyFile } from '../../src/verify/verify-file.js';
import { corpusPath, loadManifest } from '../helpers/corpus.js';

const haveFitsverify = spawnSync('sh', ['-c', 'command -v fitsverify']).status === 0;
if (!haveFitsverify && process.env.CI) throw new Error('fitsverify is missing; CI must install it (apt-get install -y fitsverify)');
if (!haveFitsverify) console.warn('[verify tests] fitsverify is not installed: the agreement tests are skipped.');

const ASTROPY_DATA = '/usr/lib/python3/dist-packages/astropy/io/fits/tests/data';
/**
 * Files where fitsverify 4.20 reports errors that are its own (or CFITSIO's) bugs,
 * not the file's: PTYPEn indices checked against GCOUNT instead of PCOUNT, and
 * the heap gap counted twice when THEAP > NAXIS1 × NAXIS2.
 */
const FITSVERIFY_BUGS = new Set(['random_groups.fits', 'theap-gap.fits']);

const dir = mkdtempSync(join(tmpdir(), 'ff-verify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fitsverifyFails(path: string): boolean {
  const r = spawnSync('fitsverify', ['-e', path], { encoding: 'utf8' });
  const out = r.stdout + r.stderr;
  if (/Abort Verification/.test(out)) return true;
  const m = /(\d+) warning\(s\) and (\d+) error\(s\)/.exec(out);
  if (!m) throw new Error(`unexpected fitsverify output for ${path}:\n${out}`);
  return Number(m[2]) > 0;
}

async function oursFails(path: string): Promise<boolean> {
  try {
    const f = await open(path);
    const r = await verifyFile(f, { checksums: false });
    await f.close();
    return !r.ok;
  } catch (e) {
    if (e instanceof FitsError) return true;
    throw e;
  }
}

const enc = (s: string) => new TextEncoder().encode(s.padEnd(80).slice(0, 80));
const cardAt = (b: Uint8Array, at: number) => String.fromCharCode(...b.subarray(at, at + 80));

/** Byte offsets of each HDU's header cards and the END card, found by scanning blocks. */
function headers(b: Uint8Array): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  let at = 0;
  while (at + 2880 <= b.length) {
    const first = cardAt(b, at);
    if (!(first.startsWith('SIMPLE') || first.startsWith('XTENSION'))) break;
    let end = -1;
    for (let p = at; p + 80 <= b.length; p += 80) if (cardAt(b, p).startsWith('END     ')) {
      end = p;
      break;
    }
    if (end < 0) break;
    out.push({ start: at, end });
    // Skip the data using NAXIS/PCOUNT/GCOUNT/BITPIX read naively.
    const v = (k: string) => {
      for (let p = at; p < end; p += 80) {
        const c = cardAt(b, p);
        if (c.slice(0, 8).trimEnd() === k) return Number(c.slice(10, 30));
      }
      return undefined;
    };
    const naxis = v('NAXIS') ?? 0;
    let n = naxis ? 1 : 0;
    for (let i = 1; i <= naxis; i++) n *= v(`NAXIS${i}`) ?? 0;
    const bytes = (Math.abs(v('BITPIX') ?? 8) / 8) * (v('GCOUNT') ?? 1) * ((v('PCOUNT') ?? 0) + n);
    at = Math.ceil((end + 80) / 2880) * 2880 + Math.ceil(bytes / 2880) * 2880;
  }
  return out;
}

type Mutation = { name: string; apply: (b: Uint8Array) => Uint8Array | null };

function replaceCard(b: Uint8Array, h: { start: number; end: number }, key: string, text: string): Uint8Array | null {
  for (let p = h.start; p < h.end; p += 80) {
    if (cardAt(b, p).slice(0, 8).trimEnd() === key) {
      const out = b.slice();
      out.set(enc(text), p);
      return out;
    }
  }
  return null;
}
function insertCard(b: Uint8Array, h: { start: number; end: number }, text: string): Uint8Array | null {
  const blockEnd = Math.ceil((h.end + 80) / 2880) * 2880;
  if (h.end + 160 > blockEnd) return null;
  const out = b.slice();
  out.set(enc(text), h.end);
  out.set(enc('END'), h.end + 80);
  return out;
}
function swapCards(b: Uint8Array, p: number, q: number): Uint8Array {
  const out = b.slice();
  out.set(b.subarray(q, q + 80), p);
  out.set(b.subarray(p, p + 80), q);
  return out;
}

const MUTATIONS: Mutation[] = [
  { name: 'BITPIX and NAXIS swapped', apply: (b) => swapCards(b, 80, 160) },
  { name: 'NAXIS1 and NAXIS2 swapped', apply: (b) => (cardAt(b, 240).startsWith('NAXIS1') && cardAt(b, 320).startsWith('NAXIS2') ? swapCards(b, 240, 320) : null) },
  { name: 'EXTNAME is an integer', apply: (b) => { const h = headers(b); return h[1] ? replaceCard(b, h[1], 'EXTNAME', 'EXTNAME =                  123') : null; } },
  { name: 'EXTVER is a string', apply: (b) => { const h = headers(b); return h[0] ? insertCard(b, h[0], "EXTVER  = 'one'") : null; } },
  { name: 'EQUINOX is a string', apply: (b) => { const h = headers(b); return h[0] ? insertCard(b, h[0], "EQUINOX = 'J2000'") : null; } },
  { name: 'DATE is not a date', apply: (b) => { const h = headers(b); return h[0] ? insertCard(b, h[0], "DATE    = 'yesterday'") : null; } },
  { name: 'lower-case keyword', apply: (b) => { const h = headers(b); return h[0] ? insertCard(b, h[0], 'lowcase =                    1') : null; } },
  { name: 'duplicated keyword (a warning only)', apply: (b) => { const h = headers(b); const one = h[0] ? insertCard(b, h[0], 'DUPKEY  =                    1') : null; return one ? insertCard(one, { start: 0, end: h[0]!.end + 80 }, 'DUPKEY  =                    2') : null; } },
  { name: 'EPOCH (a warning only)', apply: (b) => { const h = headers(b); return h[0] ? insertCard(b, h[0], 'EPOCH   =               2000.0') : null; } },
  { name: 'bad TFORM1', apply: (b) => { const h = headers(b).find((x) => cardAt(b, x.start).includes('BINTABLE')); return h ? replaceCard(b, h, 'TFORM1', "TFORM1  = 'Z'") : null; } },
  { name: 'TDIM1 larger than TFORM1', apply: (b) => { const h = headers(b).find((x) => cardAt(b, x.start).includes('BINTABLE')); return h ? insertCard(b, h, "TDIM1   = '(1000,1000)'") : null; } },
  { name: 'TFORM index beyond TFIELDS', apply: (b) => { const h = headers(b).find((x) => cardAt(b, x.start).includes('BINTABLE')); return h ? insertCard(b, h, "TFORM999= 'J'") : null; } },
  { name: 'BLANK in a float image', apply: (b) => (/BITPIX {2}= +-(32|64)/.test(cardAt(b, 80)) ? insertCard(b, headers(b)[0]!, 'BLANK   =                   -1') : null) },
  { name: 'non-blank header fill', apply: (b) => { const h = headers(b)[0]; if (!h) return null; const blockEnd = Math.ceil((h.end + 80) / 2880) * 2880; if (h.end + 80 >= blockEnd) return null; const out = b.slice(); out[blockEnd - 1] = 0x58; return out; } },
  { name: 'non-zero data fill', apply: (b) => { const h = headers(b); const last = h[h.length - 1]; if (!last || b[b.length - 1] !== 0 || cardAt(b, last.start).includes("'TABLE")) return null; const out = b.slice(); out[out.length - 1] = 1; return out; } },
  { name: 'a block of text after the last HDU', apply: (b) => { const out = new Uint8Array(b.length + 2880); out.set(b); out.set(new TextEncoder().encode('garbage '.repeat(360)), b.length); return out; } },
  { name: '100 zero bytes after the last HDU', apply: (b) => { const out = new Uint8Array(b.length + 100); out.set(b); return out; } },
  { name: 'last 100 bytes missing', apply: (b) => b.slice(0, b.length - 100) },
];

describe.skipIf(!haveFitsverify)('verify agrees with fitsverify', () => {
  it('on the corpus and on astropy test files', async () => {
    const paths = loadManifest().files.map((f) => corpusPath(f.path));
    if (existsSync(ASTROPY_DATA)) for (const f of readdirSync(ASTROPY_DATA)) if (f.endsWith('.fits') && !FITSVERIFY_BUGS.has(f)) paths.push(join(ASTROPY_DATA, f));
    const mismatches: string[] = [];
    for (const p of paths) {
      const want = fitsverifyFails(p);
      const got = await oursFails(p);
      if (want !== got) mismatches.push(`${p}: fitsverify ${want ? 'fails' : 'passes'}, fitsflow ${got ? 'fails' : 'passes'}`);
    }
    expect(mismatches).toEqual([]);
  }, 300_000);

  it("astropy's verify.fits (required keywords out of order) fails", async () => {
    const p = join(ASTROPY_DATA, 'verify.fits');
    if (!existsSync(p)) return;
    expect(fitsverifyFails(p)).toBe(true);
    expect(await oursFails(p)).toBe(true);
  });

  it('on corpus files broken on purpose', async () => {
    const mismatches: string[] = [];
    let compared = 0;
    for (const f of loadManifest().files) {
      const bytes = new Uint8Array(readFileSync(corpusPath(f.path)));
      for (const m of MUTATIONS) {
        const out = m.apply(bytes);
        if (!out) continue;
        const p = join(dir, `${f.path.replace(/\//g, '__')}.${m.name.replace(/\W+/g, '_')}.fits`);
        writeFileSync(p, out);
        const want = fitsverifyFails(p);
        const got = await oursFails(p);
        compared++;
        if (want !== got) mismatches.push(`${f.path} / ${m.name}: fitsverify ${want ? 'fails' : 'passes'}, fitsflow ${got ? 'fails' : 'passes'}`);
      }
    }
    expect(compared).toBeGreaterThan(800);
    expect(mismatches).toEqual([]);
  }, 600_000);
});
