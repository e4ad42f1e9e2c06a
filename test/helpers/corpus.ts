/**
 * The test corpus: test/corpus (a copy of ../shared/corpus kept in the repo so
 * tests pass on a fresh clone). `scripts/sync-corpus.sh` refreshes it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const corpusDir = join(repoRoot, 'test/corpus');
export const sharedCorpusDir = resolve(repoRoot, '../shared/corpus');

export interface ManifestFile {
  path: string;
  bytes: number;
  exercises: string;
  digest: Record<string, unknown> | null;
  [key: string]: unknown;
}

export interface Manifest {
  files: ManifestFile[];
  [key: string]: unknown;
}

export function loadManifest(dir = corpusDir): Manifest {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
}

export function corpusPath(rel: string): string {
  return join(corpusDir, rel);
}

export const hasSharedCorpus = existsSync(join(sharedCorpusDir, 'manifest.json'));
