/**
 * Every corpus file compressed with the real tools opens to the same bytes and
 * the same digest as the original.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { maybeDecompress } from '../../src/archive/maybe-decompress.js';
import { DecompressedSource } from '../../src/archive/decompressed-source.js';
import { MemorySource } from '../../src/io/memory-source.js';
import { open } from '../helpers/fitsflow.js';
import { digestFile } from '../../src/digest/digest.js';
import { corpusPath, loadManifest } from '../helpers/corpus.js';
import { compressWith, hasTool, type Tool } from './tools.js';

const files = loadManifest().files.map((f) => f.path);
const tools: Tool[] = ['gzip', 'bzip2', 'xz', 'zip', 'compress'];

async function readAll(src: { read(o: number, n: number): Promise<Uint8Array>; size: number }): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let at = 0;
  for (;;) {
    const got = await src.read(at, 100_000);
    if (got.length === 0) break;
    parts.push(got.slice());
    at += got.length;
  }
  const all = new Uint8Array(at);
  let k = 0;
  for (const p of parts) (all.set(p, k), (k += p.length));
  return all;
}

for (const tool of tools) {
  describe.skipIf(!hasTool(tool))(`${tool}-compressed corpus`, () => {
    it(`decompresses all ${files.length} corpus files to their original bytes`, async () => {
      for (const rel of files) {
        const original = new Uint8Array(readFileSync(corpusPath(rel)));
        const archive = compressWith(tool, original);
        const src = await maybeDecompress(new MemorySource(archive, `${rel}.${tool}`), { window: 1 << 16 });
        expect(src, rel).toBeInstanceOf(DecompressedSource);
        const got = await readAll(src);
        expect(got.length, rel).toBe(original.length);
        expect(Buffer.compare(Buffer.from(got), Buffer.from(original)), rel).toBe(0);
        expect(src.size, rel).toBe(original.length);
      }
    }, 300_000);

    it('digests every corpus file like the original', async () => {
      for (const rel of files) {
        const original = new Uint8Array(readFileSync(corpusPath(rel)));
        const plain = await open(original);
        let want: unknown;
        try {
          want = await digestFile(plain);
        } catch (e) {
          want = { error: (e as Error).message };
        }
        const packed = await open(compressWith(tool, original));
        let got: unknown;
        try {
          got = await digestFile(packed);
        } catch (e) {
          got = { error: (e as Error).message };
        }
        expect(got, rel).toEqual(want);
      }
    }, 300_000);
  });
}
