/**
 * Truncated, corrupted and multi-member archives give FitsErrors (never another
 * exception or a silently shorter file), and reads stay lazy.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { maybeDecompress } from '../../src/archive/maybe-decompress.js';
import { DecompressedSource } from '../../src/archive/decompressed-source.js';
import { MemorySource } from '../../src/io/memory-source.js';
import { digestFile, FitsError, open } from '../helpers/fitsflow.js';
import { corpusPath } from '../helpers/corpus.js';
import { compressWith, decompressWith, hasTool, type Tool } from './tools.js';
import { bomb, fitsHeader } from './make-bomb.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const tools: Tool[] = ['gzip', 'bzip2', 'xz', 'zip', 'compress'];
const SAMPLE = 'tables/bintable_all_tforms.fits';

async function outcome(bytes: Uint8Array, opts = {}): Promise<{ ok: true } | { ok: false; error: unknown }> {
  try {
    const f = await open(bytes, { decompress: opts });
    await digestFile(f);
    return { ok: true };
  } catch (error) {
    return { ok: false, error };
  }
}

function sample(): Uint8Array {
  try {
    return new Uint8Array(readFileSync(corpusPath(SAMPLE)));
  } catch {
    return new Uint8Array(readFileSync(corpusPath('images/bitpix32_2d.fits')));
  }
}

for (const tool of tools) {
  describe.skipIf(!hasTool(tool))(`${tool}: bad archives`, () => {
    const original = sample();
    const archive = compressWith(tool, original);

    it('a truncated archive gives a FitsError (TRUNCATED or CORRUPT_DATA)', async () => {
      for (const frac of [0.1, 0.5, 0.9]) {
        const cut = archive.subarray(0, Math.max(8, Math.floor(archive.length * frac)));
        const r = await outcome(cut);
        expect(r.ok, `${tool} cut at ${frac}`).toBe(false);
        if (!r.ok) {
          expect(r.error, `${tool} cut at ${frac}: ${String(r.error)}`).toBeInstanceOf(FitsError);
          expect(['TRUNCATED', 'CORRUPT_DATA', 'NO_END']).toContain((r.error as FitsError).code);
        }
      }
      // One byte short: the end marker or trailer is missing (for .Z, the last code).
      const r = await outcome(archive.subarray(0, archive.length - 1));
      if (tool !== 'compress') {
        expect(r.ok, `${tool} one byte short`).toBe(false);
        if (!r.ok) expect(r.error).toBeInstanceOf(FitsError);
      } else if (!r.ok) expect(r.error).toBeInstanceOf(FitsError);
    });

    it('a corrupted stream gives a FitsError, or (for .Z, which has no checksum) what compress -d gives', async () => {
      for (const at of [0.3, 0.6]) {
        const bad = archive.slice();
        const i = Math.floor(bad.length * at);
        bad[i] ^= 0x5a;
        const r = await outcome(bad);
        if (tool === 'compress') {
          const ref = decompressWith('compress', bad);
          if (!r.ok) expect(r.error).toBeInstanceOf(FitsError);
          else expect(ref.ok || ref.out.length > 0).toBe(true);
        } else {
          expect(r.ok, `${tool} flipped at ${at}`).toBe(false);
          if (!r.ok) expect(r.error, String(r.error)).toBeInstanceOf(FitsError);
        }
      }
    });
  });
}

describe.skipIf(!hasTool('zip'))('zip members', () => {
  it('a zip file with two members is refused (as astropy does) with UNSUPPORTED', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ff-zip2-'));
    try {
      writeFileSync(join(dir, 'a.fits'), sample());
      writeFileSync(join(dir, 'b.fits'), sample());
      execFileSync('zip', ['-q', 'two.zip', 'a.fits', 'b.fits'], { cwd: dir });
      const r = await outcome(new Uint8Array(readFileSync(join(dir, 'two.zip'))));
      expect(r.ok).toBe(false);
      if (!r.ok) expect((r.error as FitsError).code).toBe('UNSUPPORTED');
      execFileSync('zip', ['-q', '-0', 'stored.zip', 'a.fits'], { cwd: dir });
      const stored = await outcome(new Uint8Array(readFileSync(join(dir, 'stored.zip'))));
      expect(stored.ok).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!hasTool('gzip') || !hasTool('bzip2') || !hasTool('xz'))('bombs and laziness', () => {
  for (const tool of ['gzip', 'bzip2', 'xz'] as const) {
    it(`${tool}: a header declaring no data before GBs of zeros decompresses two blocks, not the GBs`, async () => {
      const b = bomb(tool, fitsHeader(['BITPIX  =                    8', 'NAXIS   =                    0']), 64 << 20, 64);
      expect(b.length).toBeLessThan(5 << 20);
      const f = await open(b);
      const src = f.source as DecompressedSource;
      expect(src).toBeInstanceOf(DecompressedSource);
      expect((await f.hdus()).length).toBe(1);
      expect(f.warnings.map((w) => w.code)).toContain('ZERO_PADDING_AFTER_END');
      expect(src.sizeKnown).toBe(false);
      // Reading on past the last HDU hits the cap the reader set (one block after it).
      await expect(src.read(0, 1 << 30)).rejects.toMatchObject({ code: 'BAD_SIZE' });
    });

    it(`${tool}: a header declaring more data than the cap gives BAD_SIZE at once`, async () => {
      const b = bomb(tool, fitsHeader(['BITPIX  =                    8', 'NAXIS   =                    2', 'NAXIS1  =               262144', 'NAXIS2  =               262144']), 64 << 20, 64);
      const f = await open(b);
      await expect(f.hdus()).rejects.toMatchObject({ code: 'BAD_SIZE' });
    });

    it(`${tool}: reading a bomb raw stops at maxBytes with BAD_SIZE naming the archive`, async () => {
      const b = bomb(tool, fitsHeader([]), 16 << 20, 8);
      const src = await maybeDecompress(new MemorySource(b, `bomb.fits.${tool}`), { maxBytes: 32 << 20 });
      const err = await src.read(0, 100 << 20).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FitsError);
      expect((err as FitsError).code).toBe('BAD_SIZE');
      expect((err as FitsError).message).toContain(`bomb.fits.${tool}`);
    });
  }

  it('a header declaring data the archive does not hold gives TRUNCATED when read', async () => {
    const head = fitsHeader(['BITPIX  =                    8', 'NAXIS   =                    1', 'NAXIS1  =                10000']);
    const f = await open(compressWith('bzip2', head));
    const hdu = await f.hdu(0); // the header alone is read
    await expect(hdu.readImage()).rejects.toMatchObject({ code: 'TRUNCATED' });
    await expect(f.hdus()).rejects.toMatchObject({ code: 'TRUNCATED' });
  });

  it('backward reads restart decompression and give the same bytes', async () => {
    const original = new Uint8Array(readFileSync(corpusPath('tables/bintable_big.fits')));
    const src = (await maybeDecompress(new MemorySource(compressWith('xz', original)), { window: 1 << 16 })) as DecompressedSource;
    const tail = (await src.read(original.length - 3000, 3000)).slice();
    const head = (await src.read(0, 3000)).slice();
    expect(src.restarts).toBe(1);
    expect(Buffer.from(tail).equals(Buffer.from(original.subarray(original.length - 3000)))).toBe(true);
    expect(Buffer.from(head).equals(Buffer.from(original.subarray(0, 3000)))).toBe(true);
  });
});
