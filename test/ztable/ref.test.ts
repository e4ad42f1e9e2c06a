/**
 * The reference tables of ../shared/ztable (copied to test/ztable/ref): files
 * `fpack -table` (CFITSIO 4.2) wrote, each with the digest of the
 * uncompressed original. Every one digests as its original, through the API
 * and through `fitsflow digest`.
 *
 * One difference is expected and removed before comparing: fpack adds
 * CHECKSUM and DATASUM cards to every HDU it writes (the originals have
 * none). In a compressed table they are the compressed HDU's own and the
 * restored header drops them (as funpack does); HDUs fpack copies as they are
 * (the primary, and tables under 5760 bytes, which fpack does not compress)
 * keep them, so the comparison drops those two cards there.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/command.js';
import { compareDigest } from '../helpers/compare-digest.js';
import { digestFile, open } from '../helpers/fitsflow.js';

type J = null | boolean | number | string | J[] | { [k: string]: J };
interface Entry {
  path: string;
  source: string;
  digest: { hdus: { [k: string]: J }[] };
}

const refDir = join(__dirname, 'ref');
const manifest = JSON.parse(readFileSync(join(refDir, 'manifest.json'), 'utf8')) as { files: Entry[] };

/** Drop the CHECKSUM/DATASUM cards fpack added where the original has none (see the module notes). */
function withoutAddedChecksums(got: { hdus: { [k: string]: J }[] }, want: Entry['digest']): { hdus: { [k: string]: J }[] } {
  return {
    hdus: got.hdus.map((h, i) => {
      const ref = want.hdus[i];
      const cards = h.cards as [string, J, string][] | undefined;
      const refCards = ref?.cards as [string, J, string][] | undefined;
      if (!cards || !refCards || refCards.some((c) => c[0] === 'CHECKSUM' || c[0] === 'DATASUM')) return h;
      const kept = cards.filter((c) => c[0] !== 'CHECKSUM' && c[0] !== 'DATASUM');
      return { ...h, cards: kept, ncards: (h.ncards as number) - (cards.length - kept.length) };
    }),
  };
}

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => void out.push(t), err: (t) => void err.push(t), open: (p) => open(p) };
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('fpack -table reference files digest as their originals', () => {
  it('the manifest lists compressed and copied tables', () => {
    expect(manifest.files.length).toBe(8);
  });

  for (const f of manifest.files) {
    it(`${f.path} (API)`, async () => {
      const file = await open(join(refDir, f.path));
      try {
        const d = JSON.parse(JSON.stringify(await digestFile(file))) as { hdus: { [k: string]: J }[] };
        expect(compareDigest(withoutAddedChecksums(d, f.digest) as never, f.digest as never)).toEqual([]);
      } finally {
        await file.close();
      }
    });

    it(`${f.path} (fitsflow digest)`, async () => {
      const r = await cli('digest', join(refDir, f.path));
      expect(r.code).toBe(0);
      const d = JSON.parse(r.out) as { hdus: { [k: string]: J }[] };
      expect(compareDigest(withoutAddedChecksums(d, f.digest) as never, f.digest as never)).toEqual([]);
    });
  }

  it('the compressed ones are compressed tables, the small ones plain tables (as fpack left them)', async () => {
    const kinds: string[] = [];
    for (const f of manifest.files) {
      const file = await open(join(refDir, f.path));
      kinds.push((await file.hdu(1)).kind);
      await file.close();
    }
    expect(kinds).toEqual(['compressed-table', 'bintable', 'bintable', 'compressed-table', 'compressed-table', 'compressed-table', 'bintable', 'bintable']);
  });
});
