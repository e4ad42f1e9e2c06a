/**
 * Table-reading speed: fitsflow vs astropy (Table.read) and fitsio on a
 * 1,000,000-row binary table (K, D, D, 5×E, I, 8A, E; 58 bytes per row), all
 * 11 columns and 2 columns, median of several runs, in the same session.
 *
 * Big reads use the worker pool (one worker on 2 cores), whose script is dist/decode-worker-node.js:
 * run `npm run build` first.
 *
 * Input: `/usr/bin/python3 bench/table-read.py make /tmp/fitsflow-table-bench`
 * (two files: NAME strings repeating 1,000 values, and unique per row). Run:
 *
 *   npx esbuild bench/table-read.ts --bundle --platform=node --format=esm --outfile=/tmp/table-read.mjs \
 *     --banner:js="import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" \
 *     && node /tmp/table-read.mjs [DIR] [RUNS]        (from the repository root)
 *
 * Timings are wall-clock medians; on a shared machine run it when idle.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { open as openFile, createNodeRuntime, type OpenOptions, type SourceInput } from '../test/helpers/fitsflow.js';

// The bundle lives outside the repository: point the pool at the built worker script.
const workerScript = join(process.cwd(), 'dist/decode-worker-node.js');
if (!existsSync(workerScript)) throw new Error('run npm run build first (the pool needs dist/decode-worker-node.js)');
const runtime = createNodeRuntime({ workerUrl: pathToFileURL(workerScript) });
const open = (input: SourceInput, opts: OpenOptions = {}) => openFile(input, { runtime, ...opts });

const dir = process.argv[2] ?? '/tmp/fitsflow-table-bench';
const runs = Number(process.argv[3] ?? 9);
// Run from the repository root (the bundle lives elsewhere); TABLE_BENCH_PY overrides.
const pyScript = process.env.TABLE_BENCH_PY ?? join(process.cwd(), 'bench/table-read.py');

/** Median wall-clock and CPU (all threads of this process, GC included) milliseconds of `runs` calls after one warm-up. */
async function medianMs(f: () => Promise<unknown>, n = runs): Promise<{ wall: number; cpu: number }> {
  await f(); // warm-up (JIT)
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < n; r++) {
    const c = process.cpuUsage();
    const t = performance.now();
    await f();
    wall.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  const med = (a: number[]) => Math.round(a.sort((x, y) => x - y)[a.length >> 1]! * 10) / 10;
  return { wall: med(wall), cpu: med(cpu) };
}

for (const tag of ['1m_rep', '1m_uniq', '10m_rep']) {
  const path = join(dir, `table_${tag}.fits`);
  if (!existsSync(path)) {
    console.log(`(no ${path}: run bench/table-read.py make ${dir})`);
    continue;
  }
  const n = tag.startsWith('10m') ? Math.min(runs, 5) : runs;
  const m = (f: () => Promise<unknown>) => medianMs(f, n);
  const file = await open(path);
  const hdu = await file.hdu(1);
  const numeric = ['ID', 'RA', 'DEC', 'MAG_U', 'MAG_G', 'MAG_R', 'MAG_I', 'MAG_Z', 'FLAGS', 'ERR'];
  const result = {
    file: path,
    fitsflow_readTable_all: await m(() => hdu.readTable()),
    // NAME is packed bytes until asked for; this also decodes its million JS strings.
    fitsflow_readTable_all_decoded: await m(async () => (await hdu.readTable()).column('NAME').data.length),
    // Into the arrays of an earlier read (batch loops): no new memory, no page faults.
    fitsflow_readTable_all_into: await (async () => {
      const into = await hdu.readTable();
      return m(() => hdu.readTable({ into }));
    })(),
    fitsflow_readTable_all_one_thread: await m(() => hdu.readTable({ workers: false })),
    fitsflow_readTable_numeric10: await m(() => hdu.readTable({ columns: numeric })),
    fitsflow_readTable_name_only: await m(() => hdu.readTable({ columns: ['NAME'] })),
    fitsflow_readTable_two: await m(() => hdu.readTable({ columns: ['RA', 'MAG_R'] })),
    fitsflow_iterateTable_all_100k: await m(async () => {
      for await (const b of hdu.iterateTable({ rows: 100_000 })) void b;
    }),
    ...JSON.parse(execFileSync('/usr/bin/python3', [pyScript, 'time', path, String(n)], { encoding: 'utf8' })),
  };
  await file.close();
  console.log(JSON.stringify(result, null, 1));
}
