/**
 * addCompressedImageStream writes as it goes: a 4096×4096 int16 image (32 MiB)
 * streamed in chunks of 64 rows keeps memory growth far below the image (and
 * below its compressed size, ~19 MiB, which the former writer held until the
 * end), and gives the same file as addCompressedImage with the whole image.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { astropyDigest, fitsflowDigest, fitsverify, haveAstropy, haveFitsverify, tempDir, writeFile } from './tools.js';

const dir = tempDir('fitsflow-stream-mem-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const N = 4096;
const CHUNK_ROWS = 64;

/** Rows [r0, r0 + out.length / N) of the test image: a gradient plus noise (compresses to ~60%). */
function fillRows(r0: number, out: Int16Array): Int16Array {
  let s = (r0 * 2654435761) >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const x = i % N;
    out[i] = 1000 + ((x + r0 + Math.floor(i / N)) >> 4) + ((s >>> 16) & 255);
  }
  return out;
}

const MiB = 1 << 20;

describe('compressed image stream memory', () => {
  it('4096×4096 int16 in 64-row chunks: bounded memory, same file as the whole image', async () => {
    const streamed = join(dir, 'streamed.fits');
    const whole = join(dir, 'whole.fits');
    const chunk = new Int16Array(CHUNK_ROWS * N); // reused: the writer copies what it keeps
    function* rows(): Generator<Int16Array> {
      for (let r = 0; r < N; r += CHUNK_ROWS) {
        sample();
        yield fillRows(r, chunk);
      }
      sample();
    }
    const write = (p: string): Promise<void> => writeFile(p, (w) => w.addCompressedImageStream({ shape: [N, N], dtype: 'int16', compression: 'RICE_1', header: { OBJECT: 'stream' } }, rows()), true);
    // A first run warms the process up (the first one grows rss by ~20 MiB of
    // compiled code and heap, whatever the image); the second one is measured.
    let base = process.memoryUsage();
    let peakBuffers = 0;
    let peakRss = 0;
    const sample = (): void => {
      const m = process.memoryUsage();
      peakBuffers = Math.max(peakBuffers, m.arrayBuffers - base.arrayBuffers);
      peakRss = Math.max(peakRss, m.rss - base.rss);
    };
    await write(join(dir, 'warm-up.fits'));
    base = process.memoryUsage();
    peakBuffers = 0;
    peakRss = 0;
    await write(streamed);
    sample();
    const size = readFileSync(streamed).length;
    // The compressed data alone is more than half the image; the writer held a small part of it
    // (~2.4 MiB of buffers; the former writer, holding every compressed tile: ~34 MiB).
    expect(size).toBeGreaterThan(16 * MiB);
    expect(peakBuffers, `arrayBuffers grew by ${(peakBuffers / MiB).toFixed(1)} MiB`).toBeLessThan(6 * MiB);
    // rss also moves with the JS heap and the collector's timing (3–10 MiB seen); the former writer: ~34 MiB.
    expect(peakRss, `rss grew by ${(peakRss / MiB).toFixed(1)} MiB`).toBeLessThan(16 * MiB);

    const image = new Int16Array(N * N);
    for (let r = 0; r < N; r += CHUNK_ROWS) fillRows(r, image.subarray(r * N, (r + CHUNK_ROWS) * N));
    await writeFile(whole, (w) => w.addCompressedImage(image, { shape: [N, N], compression: 'RICE_1', header: { OBJECT: 'stream' } }), true);
    expect(Buffer.compare(readFileSync(streamed), readFileSync(whole))).toBe(0);
    const mine = await fitsflowDigest(streamed);
    expect(mine).toEqual(await fitsflowDigest(whole));
    if (haveFitsverify) expect(fitsverify(streamed).errors).toBe(0);
    if (haveAstropy) expect(astropyDigest(streamed)).toEqual(mine);
  });
});
