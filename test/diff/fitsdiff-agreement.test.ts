/**
 * `diffFiles` agrees with astropy's FITSDiff (the engine of fitsdiff) on
 * identical / different for every corpus file against itself, against its
 * gzip and bzip2 copies, and against copies changed in one card or one data
 * byte — with default options and with the option that should hide the change.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diffFiles } from '../../src/diff/fits-diff.js';
import { FitsError, open } from '../helpers/fitsflow.js';
import { corpusPath, loadManifest } from '../helpers/corpus.js';

const PY = '/usr/bin/python3';
function hasAstropy(): boolean {
  const ok = existsSync(PY) && spawnSync(PY, ['-c', 'import astropy.io.fits'], { encoding: 'utf8' }).status === 0;
  if (!ok && process.env.CI) throw new Error('astropy (python3-astropy) is missing; CI must install it');
  if (!ok) console.warn('[diff tests] /usr/bin/python3 with astropy is missing: the fitsdiff agreement tests are skipped.');
  return ok;
}

interface Pair {
  a: string;
  b: string;
  opts?: Record<string, unknown>;
  label: string;
}

const dir = mkdtempSync(join(tmpdir(), 'ff-diff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Insert `card` before END in the first header, when the block has room. */
function withCard(bytes: Uint8Array, card: string): Uint8Array | null {
  const text = new TextDecoder('latin1').decode(bytes.subarray(0, Math.min(bytes.length, 2880 * 200)));
  for (let i = 0; i + 80 <= text.length; i += 80) {
    if (/^END {77}$/.test(text.slice(i, i + 80))) {
      const blockEnd = Math.ceil((i + 80) / 2880) * 2880;
      if (i + 160 > blockEnd) return null;
      const out = bytes.slice();
      out.set(new TextEncoder().encode(card.padEnd(80).slice(0, 80) + 'END'.padEnd(80)), i);
      return out;
    }
  }
  return null;
}

function toSnake(o: Record<string, unknown>): Record<string, unknown> {
  const m: Record<string, string> = { ignoreKeywords: 'ignore_keywords', ignoreComments: 'ignore_comments', ignoreFields: 'ignore_fields', rtol: 'rtol', atol: 'atol', numDiffs: 'numdiffs', ignoreBlanks: 'ignore_blanks' };
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [m[k] ?? k, v]));
}

async function ours(p: Pair): Promise<string> {
  try {
    const a = await open(p.a);
    const b = await open(p.b);
    const r = await diffFiles(a, b, p.opts ?? {});
    await a.close();
    await b.close();
    return r.identical ? 'identical' : 'different';
  } catch (e) {
    if (e instanceof FitsError) return `error: ${e.code}`;
    throw e;
  }
}

describe.skipIf(!hasAstropy())('diff agrees with astropy FITSDiff', () => {
  it('on the corpus, its compressed copies and one-change copies', async () => {
    const pairs: Pair[] = [];
    for (const f of loadManifest().files) {
      const src = corpusPath(f.path);
      const bytes = new Uint8Array(readFileSync(src));
      const base = join(dir, f.path.replace(/\//g, '__'));
      writeFileSync(base, bytes);
      pairs.push({ a: src, b: base, label: `${f.path} vs copy` });
      execFileSync('sh', ['-c', `gzip -c '${base}' > '${base}.gz' && bzip2 -c '${base}' > '${base}.bz2'`]);
      pairs.push({ a: src, b: `${base}.gz`, label: `${f.path} vs .gz` }, { a: src, b: `${base}.bz2`, label: `${f.path} vs .bz2` });
      const one = withCard(bytes, 'FFTEST  =                    1 / a test card');
      const two = withCard(bytes, 'FFTEST  =                    2 / a test card');
      const com = withCard(bytes, 'FFTEST  =                    1 / another comment');
      const flt = withCard(bytes, 'FFTEST  =                  1.0 / a test card');
      const str = withCard(bytes, "FFTEST  = 'abc     '           / a test card");
      const str2 = withCard(bytes, "FFTEST  = 'abc'                / a test card");
      if (one && two && com && flt && str && str2) {
        for (const [name, b] of [['one', one], ['two', two], ['com', com], ['flt', flt], ['str', str], ['str2', str2]] as const) writeFileSync(`${base}.${name}`, b);
        pairs.push(
          { a: src, b: `${base}.one`, label: `${f.path} vs extra card` },
          { a: src, b: `${base}.one`, opts: { ignoreKeywords: ['FFTEST'] }, label: `${f.path} vs extra card, -k FFTEST` },
          { a: `${base}.one`, b: `${base}.two`, label: `${f.path}: value 1 vs 2` },
          { a: `${base}.one`, b: `${base}.two`, opts: { ignoreKeywords: ['FF*'] }, label: `${f.path}: value 1 vs 2, -k FF*` },
          { a: `${base}.one`, b: `${base}.com`, label: `${f.path}: comments` },
          { a: `${base}.one`, b: `${base}.com`, opts: { ignoreComments: ['FFTEST'] }, label: `${f.path}: comments, -c FFTEST` },
          { a: `${base}.one`, b: `${base}.flt`, label: `${f.path}: 1 vs 1.0` },
          { a: `${base}.str`, b: `${base}.str2`, label: `${f.path}: trailing blanks` },
          { a: `${base}.str`, b: `${base}.str2`, opts: { ignoreBlanks: false }, label: `${f.path}: trailing blanks, -b` },
        );
      }
      // One data byte changed: the last HDU's middle element, lowest byte.
      try {
        const file = await open(bytes);
        const hdus = await file.hdus();
        const h = hdus[hdus.length - 1]!;
        if (h.layout.dataBytes > 0) {
          const width = Math.max(1, Math.abs(h.layout.bitpix) / 8);
          const at = h.dataOffset + Math.floor(h.layout.dataBytes / 2 / width) * width + width - 1;
          const b = bytes.slice();
          b[at] ^= 0x01;
          writeFileSync(`${base}.data`, b);
          pairs.push({ a: src, b: `${base}.data`, label: `${f.path} vs one data byte` }, { a: src, b: `${base}.data`, opts: { rtol: 1e-3 }, label: `${f.path} vs one data byte, -r 1e-3` });
        }
      } catch {
        // files fitsflow cannot read yet: no data mutation
      }
    }
    writeFileSync(join(dir, 'pairs.json'), JSON.stringify(pairs.map((p) => ({ a: p.a, b: p.b, opts: toSnake(p.opts ?? {}) }))));
    const theirs = JSON.parse(execFileSync(PY, [join(__dirname, 'fitsdiff-verdicts.py'), join(dir, 'pairs.json')], { encoding: 'utf8', maxBuffer: 1 << 26 })) as string[];
    const mismatches: string[] = [];
    let compared = 0;
    for (let i = 0; i < pairs.length; i++) {
      if (theirs[i]!.startsWith('error')) continue;
      const mine = await ours(pairs[i]!);
      compared++;
      if (mine !== theirs[i]) mismatches.push(`${pairs[i]!.label}: fitsflow ${mine}, astropy ${theirs[i]}`);
    }
    expect(compared).toBeGreaterThan(500);
    expect(mismatches).toEqual([]);
  }, 600_000);
});
