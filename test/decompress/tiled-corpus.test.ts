/**
 * Every compressed HDU of the corpus decodes to its reference digest, inline
 * and through the worker pool; cutouts equal the corresponding slice of the
 * full read.
 */
import { describe, expect, it } from 'vitest';
import { open, digestHdu } from '../helpers/fitsflow.js';
import { compareDigest } from '../helpers/compare-digest.js';
import { corpusPath, loadManifest } from '../helpers/corpus.js';
import type { Hdu } from '../../src/file/hdu.js';

const manifest = loadManifest();
const files = manifest.files.filter(
  (f) => f.digest && (f.digest as { hdus: { kind: string }[] }).hdus.some((h) => h.kind === 'compressed-image'),
);

async function compressedHdus(path: string): Promise<{ hdus: Hdu[]; close: () => Promise<void> }> {
  const file = await open(corpusPath(path));
  const hdus = (await file.hdus()).filter((h) => h.kind === 'compressed-image');
  return { hdus, close: () => file.close() };
}

describe('compressed corpus digests (inline decoding)', () => {
  it('covers every compressed file, mixed_kinds.fits and fpack/mef.fits.fz', () => {
    const paths = files.map((f) => f.path);
    expect(paths).toContain('mef/mixed_kinds.fits');
    expect(paths).toContain('compressed/fpack/mef.fits.fz');
    expect(paths.filter((p) => p.startsWith('compressed/')).length).toBe(manifest.files.filter((f) => f.path.startsWith('compressed/')).length);
  });
  for (const f of files) {
    it(f.path, async () => {
      const { hdus, close } = await compressedHdus(f.path);
      try {
        const want = (f.digest as { hdus: Record<string, unknown>[] }).hdus;
        for (const hdu of hdus) {
          const d = await digestHdu(hdu, { readOptions: { workers: false } });
          expect(compareDigest(JSON.parse(JSON.stringify(d)), want[hdu.index] as never), `HDU ${hdu.index}`).toEqual([]);
          expect(hdu.shape).toEqual(want[hdu.index]!.shape);
          expect(hdu.dtype).toEqual(want[hdu.index]!.dtype);
        }
      } finally {
        await close();
      }
    });
  }
});
