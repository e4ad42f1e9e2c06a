/**
 * Every decoder, fed random bytes behind its magic and mutated real archives,
 * ends with bytes or a FitsError: never another exception or a hang.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { DecompressedSource } from '../../src/archive/decompressed-source.js';
import type { ArchiveFormat } from '../../src/archive/decoder.js';
import { MemorySource } from '../../src/io/memory-source.js';
import { FitsError } from '../../src/core/errors.js';
import { readZipMember } from '../../src/archive/zip.js';
import { corpusPath } from '../helpers/corpus.js';
import { compressWith, hasTool, type Tool } from './tools.js';

const TOOL: Record<ArchiveFormat, Tool> = { gzip: 'gzip', bzip2: 'bzip2', lzw: 'compress', xz: 'xz', zip: 'zip' };
const MAGIC: Record<ArchiveFormat, number[]> = {
  gzip: [0x1f, 0x8b, 8, 0],
  bzip2: [0x42, 0x5a, 0x68, 0x39],
  lzw: [0x1f, 0x9d, 0x90],
  xz: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04, 0xe6, 0xd6, 0xb4, 0x46],
  zip: [0x50, 0x4b, 3, 4],
};

/** Decode everything (at most 8 MiB); a FitsError is an acceptable end. */
async function drain(format: ArchiveFormat, bytes: Uint8Array): Promise<void> {
  try {
    const src = new MemorySource(bytes, 'fuzz');
    const declared = format === 'zip' ? (await readZipMember(src, 'fuzz')).size : undefined;
    const d = new DecompressedSource(src, format, { maxBytes: 8 << 20, window: 1 << 16 }, declared);
    for (let at = 0; at < 8 << 20; at += 1 << 20) if ((await d.read(at, 1 << 20)).length === 0) break;
  } catch (e) {
    if (!(e instanceof FitsError)) throw e;
  }
}

const sample = new Uint8Array(readFileSync(corpusPath('images/bitpix16_2d.fits')));

for (const format of Object.keys(MAGIC) as ArchiveFormat[]) {
  describe.skipIf(!hasTool(TOOL[format]))(`${format} decoder fuzz`, () => {
    it('random bytes behind the magic', async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), async (tail) => {
          await drain(format, Uint8Array.from([...MAGIC[format], ...tail]));
        }),
        { numRuns: 300 },
      );
    });

    it('mutated real archives', async () => {
      const archive = compressWith(TOOL[format], sample);
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.nat(archive.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }),
          fc.option(fc.nat(archive.length), { nil: undefined }),
          async (flips, cut) => {
            const bad = archive.slice(0, cut ?? archive.length);
            for (const [i, x] of flips) if (i < bad.length) bad[i]! ^= x;
            await drain(format, bad);
          },
        ),
        { numRuns: 300 },
      );
    });
  });
}
