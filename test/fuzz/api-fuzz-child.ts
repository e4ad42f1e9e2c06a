/**
 * The child side of the API fuzz (test/fuzz/api-fuzz.test.ts), bundled and
 * run by `node --max-old-space-size=2048`: mutate corpus files with a seeded
 * generator and drive every read path on each, printing one JSON line per
 * file: { i, file, outcome: 'ok' | FitsError code | 'EXCEPTION', message, grew (bytes the peak RSS grew by over the RSS before the file), bytes, declared }.
 * argv: SEED COUNT CORPUS_DIR FILE_LIST_JSON KEEP_DIR
 * Files whose primary image fitsflow read with a value only CFITSIO reads
 * (an INVALID_CARD warning "as CFITSIO reads it") are kept in KEEP_DIR with
 * fitsflow's pixels (i.json), for the parent to compare with CFITSIO.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { open, digestFile, FitsError } from '../helpers/fitsflow.js';
import { xorshift32 } from '../helpers/xorshift.js';
import { mutate } from './mutate.js';

const [seedText, countText, corpusDir, listJson, keepDir] = process.argv.slice(2);
const seed = Number(seedText);
const count = Number(countText);
const files = JSON.parse(listJson!) as string[];
const originals = files.map((p) => new Uint8Array(readFileSync(join(corpusDir!, p))));

/** Every read path of the public API on one file; throws what the library throws. */
async function readEverything(bytes: Uint8Array): Promise<number> {
  let declared = 0;
  const f = await open(bytes);
  try {
    for await (const hdu of f) {
      // What the headers declare: the data as stored, and the image once decompressed (8 bytes a pixel at most).
      const pixels = hdu.shape ? hdu.shape.reduce((a, b) => a * b, 1) : 0;
      declared = Math.max(declared, hdu.dataOffset + hdu.layout.paddedDataBytes, pixels * 8);
      for (const c of hdu.header) void c.value;
      void hdu.shape;
      if (hdu.kind === 'image' || hdu.kind === 'compressed-image') {
        const img = await hdu.readImage();
        const shape = img.shape;
        if (shape.length > 0 && shape.every((n) => n > 0)) {
          await hdu.readImage({ start: shape.map(() => 0), shape: shape.map((n) => Math.ceil(n / 2)) });
        }
        for await (const chunk of hdu.iterateImage()) void chunk;
        await hdu.wcs().catch((e: unknown) => {
          if (!(e instanceof FitsError)) throw e;
        });
      } else if (hdu.kind === 'bintable' || hdu.kind === 'table') {
        const t = await hdu.readTable();
        if (t.numRows > 1) await hdu.readTable({ rows: { start: 1, count: t.numRows - 1 } });
        for await (const batch of hdu.iterateTable({ rows: 7 })) void batch.numRows;
      } else if (hdu.kind === 'random-groups') {
        await hdu.readGroups();
      }
      await hdu.verifyChecksum();
    }
    void f.warnings;
  } finally {
    await f.close();
  }
  await digestFile(await open(bytes));
  return declared;
}

/** Keep the file and fitsflow's primary-image pixels when a card was read as only CFITSIO reads it. */
async function keepIfLenient(bytes: Uint8Array, i: number): Promise<void> {
  const f = await open(bytes);
  try {
    const hdu = await f.hdu(0);
    if (hdu.kind !== 'image' || !hdu.shape) return;
    const img = await hdu.readImage();
    if (!f.warnings.some((w) => w.code === 'INVALID_CARD' && w.hdu === 0 && w.message.includes('as CFITSIO reads it'))) return;
    const values = Array.from(img.data as ArrayLike<number | bigint>, (v) => (typeof v === 'bigint' ? Number(v) : Number.isNaN(v) ? null : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : v));
    const blank = hdu.header.get('BLANK');
    writeFileSync(join(keepDir!, `${i}.fits`), bytes);
    // BLANK: where fitsflow gives a null, CFITSIO's raw pixel must be BLANK (its null checking finds it).
    writeFileSync(join(keepDir!, `${i}.json`), JSON.stringify({ values, blank: typeof blank === 'number' || typeof blank === 'bigint' ? Number(blank) : null, bitpix: hdu.header.get('BITPIX') }));
  } finally {
    await f.close();
  }
}

const next = xorshift32(seed);
for (let i = 0; i < count; i++) {
  const k = next() % originals.length;
  let bytes = mutate(originals[k]!, next);
  if (next() % 8 === 0) bytes = new Uint8Array(gzipSync(bytes, { level: 1 })); // the whole-file archive path
  const rssBefore = process.memoryUsage().rss;
  const peakBefore = process.resourceUsage().maxRSS * 1024;
  let outcome = 'ok';
  let message = '';
  let declared = 0;
  try {
    declared = await readEverything(bytes);
    await keepIfLenient(bytes, i);
  } catch (e) {
    if (e instanceof FitsError) outcome = e.code;
    else {
      outcome = 'EXCEPTION';
      message = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e);
      // Kept for reproduction (the seed reproduces it too).
      const kept = join(tmpdir(), `fitsflow-fuzz-${seed}-${i}.fits`);
      writeFileSync(kept, bytes);
      message += `\n(kept as ${kept})`;
    }
  }
  const peakAfter = process.resourceUsage().maxRSS * 1024;
  // Growth of the peak while reading this file, over what the process held before it.
  const grew = peakAfter > peakBefore ? peakAfter - rssBefore : 0;
  process.stdout.write(`${JSON.stringify({ i, file: files[k], outcome, message, grew, bytes: bytes.length, declared })}\n`);
}
