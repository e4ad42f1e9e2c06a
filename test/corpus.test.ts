/**
 * The whole corpus against its reference digests. Files the code cannot read
 * yet must fail with UNSUPPORTED; their count may only go down (baseline in
 * test/unsupported-baseline.json).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { open, digestFile, isFitsError } from './helpers/fitsflow.js';
import { compareDigest } from './helpers/compare-digest.js';
import { corpusDir, corpusPath, hasSharedCorpus, loadManifest, sharedCorpusDir, repoRoot } from './helpers/corpus.js';

const manifest = loadManifest();
const unsupported: string[] = [];

describe('corpus digests', () => {
  for (const f of manifest.files) {
    it(f.path, async () => {
      const file = await open(corpusPath(f.path));
      try {
        const d = await digestFile(file);
        expect(compareDigest(JSON.parse(JSON.stringify(d)), f.digest as never)).toEqual([]);
      } catch (e) {
        if (isFitsError(e, 'UNSUPPORTED')) {
          unsupported.push(f.path);
          return;
        }
        throw e;
      } finally {
        await file.close();
      }
    });
  }

  it('UNSUPPORTED count does not grow', () => {
    const baseline = JSON.parse(readFileSync(join(repoRoot, 'test/unsupported-baseline.json'), 'utf8')) as { max: number };
    console.log(`corpus: ${manifest.files.length} files, ${unsupported.length} UNSUPPORTED${unsupported.length ? ': ' + unsupported.join(', ') : ''}`);
    expect(unsupported.length).toBeLessThanOrEqual(baseline.max);
  });
});

describe('test/corpus is a current copy of ../shared/corpus', () => {
  it.skipIf(!hasSharedCorpus)('manifest matches (run scripts/sync-corpus.sh if not)', () => {
    expect(readFileSync(join(corpusDir, 'manifest.json'), 'utf8')).toBe(readFileSync(join(sharedCorpusDir, 'manifest.json'), 'utf8'));
  });
});
