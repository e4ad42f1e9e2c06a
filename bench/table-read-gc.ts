/**
 * 10M-row table read with a full GC before each read, with and without the
 * gathering worker (isolates the read from the collection of the previous
 * read's 580 MB). Needs dist/ (npm run build) for the worker script and
 * bench/table-read.py's 10M file:
 *
 *   npx esbuild bench/table-read-gc.ts --bundle --platform=node --format=esm --packages=external --outfile=bench/out/t10.mjs \
 *     && node --expose-gc bench/out/t10.mjs [FILE]
 *
 * Without --expose-gc no GC is forced (reads then also pay for freeing the previous ones).
 * MODES=pppp READS=8: four batches of eight reads with the worker.
 */
import { open, createNodeRuntime } from '../test/helpers/fitsflow.js';
import { lastGatherStats } from '../src/table/read/gather-parallel.js';
const runtime = createNodeRuntime({ workerUrl: new URL('../../dist/decode-worker-node.js', import.meta.url) });
const f = await open(process.argv[2] ?? '/tmp/fitsflow-table-bench/table_10m_rep.fits', { runtime });
const hdu = await f.hdu(1);
// MODES: p = with the worker, s = one thread, one batch each (default psps); READS per batch (default 5).
const modes = (process.env.MODES ?? 'psps').split('').map((c) => (c === 's' ? false : undefined));
const reads = Number(process.env.READS ?? 5);
for (const workers of modes) {
  const ts: number[] = [];
  for (let i = 0; i < reads; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    const t = performance.now();
    const tab = await hdu.readTable({ workers });
    ts.push(performance.now() - t);
    void tab;
  }
  ts.sort((a, b) => a - b);
  console.log(workers === false ? 'serial  ' : 'parallel', ts.map((x) => x.toFixed(0)).join(' '), JSON.stringify(lastGatherStats));
}
process.exit(0);
