/**
 * Decoder throughput alone (no FITS): fitsflow's DecompressedSource reading a
 * whole .bz2 / .xz / .gz / .Z in 1 MiB reads, medians of RUNS runs. Compared by
 * hand with the candidate packages (seek-bzip, xz-decompress) run the same way
 * outside the repository (see RESULTS-archive.md for the command).
 *
 *   npx esbuild bench/archive-decoders.ts --bundle --platform=node --format=esm --outfile=/tmp/archive-decoders.mjs \
 *     && node /tmp/archive-decoders.mjs [DIR] [RUNS]
 */
import { readFileSync } from 'node:fs';
import { maybeDecompress } from '../src/archive/maybe-decompress.js';
import { MemorySource } from '../src/io/memory-source.js';

const dir = process.argv[2] ?? '/tmp/fitsflow-archive-bench';
const runs = Number(process.argv[3] ?? 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const suffix of ['.gz', '.bz2', '.xz', '.Z']) {
  const bytes = new Uint8Array(readFileSync(`${dir}/image.fits${suffix}`));
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const src = await maybeDecompress(new MemorySource(bytes));
    for (let at = 0; ; at += 1 << 20) if ((await src.read(at, 1 << 20)).length === 0) break;
    times.push(performance.now() - t);
  }
  console.log(`image.fits${suffix}: fitsflow decoder ${median(times).toFixed(0)} ms (median of ${runs})`);
}
