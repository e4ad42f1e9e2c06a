/**
 * `fitsflow info` keeps its columns apart when a value is wider than its
 * column: an EXTNAME of 12+ characters (fitsflow compress names the image
 * COMPRESSED_IMAGE) used to run into the version ("COMPRESSED_IMAGE1").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { open } from '../helpers/fitsflow.js';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/command.js';
import { repoRoot } from '../helpers/corpus.js';

const dir = mkdtempSync(join(tmpdir(), 'fitsflow-info-cols-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a long EXTNAME stays separate from the version and kind', async () => {
  const out: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: () => {}, open: (p) => open(p) };
  const fz = join(dir, 'c.fits.fz');
  expect(await main(['compress', join(repoRoot, 'samples/sample.fits'), fz, '--rice'], io)).toBe(0);
  out.length = 0;
  expect(await main(['info', fz], io)).toBe(0);
  const row = out.find((l) => l.startsWith('1 '));
  expect(row?.split(/\s+/).slice(0, 4)).toEqual(['1', 'COMPRESSED_IMAGE', '1', 'compressed-image']);
});
