/**
 * Decompression bombs stay within bounded memory: a child process with a
 * small heap streams GBs of decompressed zeros (gzip, bzip2, xz) to the cap and
 * reports its peak RSS, which must stay far below what inflating the file
 * would take.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildChildScript } from '../helpers/child-script.js';
import { hasTool } from './tools.js';
import { bomb, fitsHeader } from './make-bomb.js';

const dir = mkdtempSync(join(tmpdir(), 'ff-bomb-'));
const script = join(dir, 'child.mjs');
const tools = ['gzip', 'bzip2', 'xz'] as const;
const available = tools.every((t) => hasTool(t));

const CHILD = `
import { open, isFitsError } from './src/entries/node.ts';
const [path, mode] = process.argv.slice(2);
const out = { code: null, read: 0, message: '' };
try {
  const f = await open(path);
  if (mode === 'declared') {
    await f.hdus();
  } else {
    // Stream the decompressed bytes in 1 MiB reads until the cap stops them.
    const src = f.source;
    for (let at = 0; ; at += 1 << 20) {
      const got = await src.read(at, 1 << 20);
      out.read += got.length;
      if (got.length === 0) break;
    }
  }
} catch (e) {
  out.code = isFitsError(e) ? e.code : 'NOT_FITS_ERROR';
  out.message = String(e && e.message);
}
out.maxRssMiB = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify(out));
`;

beforeAll(async () => {
  await buildChildScript(CHILD, process.cwd(), script);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runChild(file: string, mode: string): { code: string | null; read: number; maxRssMiB: number; message: string } {
  const r = spawnSync(process.execPath, ['--max-old-space-size=256', script, file, mode], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe.skipIf(!available)('decompression bombs in bounded memory', () => {
  for (const tool of tools) {
    it(`${tool}: streaming 1.06 GiB of zeros (to the 1 GiB default cap for bzip2/xz) keeps peak RSS < 400 MiB`, () => {
      const file = join(dir, `stream.fits.${tool}`);
      const b = bomb(tool, fitsHeader(['BITPIX  =                    8', 'NAXIS   =                    0']), 64 << 20, 17);
      writeFileSync(file, b);
      const r = runChild(file, 'stream');
      if (tool === 'gzip') {
        // Deflate expands at most 1032:1, under the 1100:1 default ratio: a gzip file never trips the cap; it streams to its end.
        expect(r.code, r.message).toBe(null);
        expect(r.read).toBe(2880 + 17 * 2 ** 26);
      } else {
        expect(r.code, r.message).toBe('BAD_SIZE');
        expect(r.message).toContain(file);
        expect(r.read).toBeGreaterThanOrEqual(2 ** 30 - (8 << 20));
      }
      expect(r.maxRssMiB).toBeLessThan(400);
    }, 300_000);

    it(`${tool}: a header declaring 64 GiB in a small archive gives BAD_SIZE without decompressing, peak RSS < 400 MiB`, () => {
      const file = join(dir, `declared.fits.${tool}`);
      const b = bomb(tool, fitsHeader(['BITPIX  =                    8', 'NAXIS   =                    2', 'NAXIS1  =               262144', 'NAXIS2  =               262144']), 64 << 20, 32);
      writeFileSync(file, b);
      const r = runChild(file, 'declared');
      expect(r.code, r.message).toBe('BAD_SIZE');
      expect(r.maxRssMiB).toBeLessThan(400);
    }, 300_000);
  }
});
