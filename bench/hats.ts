/**
 * HATS import of the bench table (default 10M rows, bench/make-hats-table.ts):
 * fitsflow's importHats (two passes, --memory bounded) against the pandas +
 * healpy script bench/hats_peer.py doing the same partitioning, each in its
 * own process (so peak RSS is each one's own), in the same run.
 *
 *   sh bench/hats.sh [ROWS] [MAX_ROWS] [MEMORY_MB] [RUNS]
 *
 * Prints seconds and peak RSS of each run, and the ratio of medians.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeHatsTable } from './make-hats-table.js';
import { importHats } from '../src/hats/import.js';
import { nodeHatsIo } from '../src/node/hats.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const PY = process.env.PYTHON ?? '/usr/bin/python3';
const PEER = process.env.HATS_PEER ?? join(HERE, 'hats_peer.py');

if (process.argv[2] === '--child') {
  // One fitsflow import in this process: prints JSON.
  const [, , , input, out, maxRows, memoryMb] = process.argv;
  rmSync(out!, { recursive: true, force: true });
  const t0 = performance.now();
  const phaseEnd: Record<string, number> = {};
  const r = await importHats([input!], out!, nodeHatsIo({ spillDir: dirname(out!) }), {
    ra: 'RA', dec: 'DEC', maxRows: Number(maxRows), memoryBytes: Number(memoryMb) * 2 ** 20,
    onProgress: (phase) => void (phaseEnd[phase] = (performance.now() - t0) / 1000),
  });
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ seconds, phaseEnd, peak_rss_mb: process.resourceUsage().maxRSS / 1024, rows: r.rows, partitions: r.partitions.length, spilled: r.spilledPieces, mb: r.bytes / 2 ** 20 }));
  process.exit(0);
}

const [rowsText = '10000000', maxRowsText = '1000000', memoryText = '256', runsText = '1'] = process.argv.slice(2);
const rows = Number(rowsText);
const dir = join(process.env.TMPDIR ?? tmpdir(), 'fitsflow-hats-bench');
mkdirSync(dir, { recursive: true });
const input = join(dir, `bench-${rows}.fits`);
if (!existsSync(input)) {
  console.log(`making ${input} …`);
  await makeHatsTable(input, rows, 1);
}
const self = fileURLToPath(import.meta.url);
const results: { fitsflow: number[]; peer: number[] } = { fitsflow: [], peer: [] };
for (let run = 0; run < Number(runsText); run++) {
  const a = spawnSync(process.execPath, ['--max-old-space-size=8192', self, '--child', input, join(dir, 'out-fitsflow'), maxRowsText, memoryText], { encoding: 'utf8' });
  if (a.status !== 0) throw new Error(a.stderr);
  const fa = JSON.parse(a.stdout.trim().split('\n').pop()!);
  const pe = fa.phaseEnd as Record<string, number>;
  console.log(`fitsflow importHats (--memory ${memoryText} MB): ${fa.seconds.toFixed(1)} s (count ${pe.count?.toFixed(1)}, bucket ${((pe.bucket ?? 0) - (pe.count ?? 0)).toFixed(1)}, write ${(fa.seconds - (pe.bucket ?? 0)).toFixed(1)}), peak RSS ${fa.peak_rss_mb.toFixed(0)} MB, ${fa.partitions} partitions, ${fa.spilled} pieces spilled, ${fa.mb.toFixed(0)} MiB Parquet`);
  results.fitsflow.push(fa.seconds);
  rmSync(join(dir, 'out-peer'), { recursive: true, force: true });
  const b = spawnSync(PY, [PEER, input, join(dir, 'out-peer'), maxRowsText], { encoding: 'utf8' });
  if (b.status !== 0) throw new Error(b.stderr);
  const fb = JSON.parse(b.stdout.trim().split('\n').pop()!);
  console.log(`pandas+healpy peer (npy partitions, all in memory): ${fb.seconds.toFixed(1)} s (read+index ${fb.read_and_index.toFixed(1)}, partition+sort ${fb.partition_and_sort.toFixed(1)}, write ${fb.write.toFixed(1)}), peak RSS ${fb.peak_rss_mb.toFixed(0)} MB, ${fb.partitions} partitions`);
  results.peer.push(fb.seconds);
  if (fb.partitions !== fa.partitions) console.log(`!! partition counts differ: ${fa.partitions} vs ${fb.partitions}`);
}
const median = (x: number[]) => [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)]!;
console.log(`rows ${rows}, max rows ${maxRowsText}: fitsflow ${median(results.fitsflow).toFixed(1)} s vs pandas+healpy ${median(results.peer).toFixed(1)} s → ×${(median(results.peer) / median(results.fitsflow)).toFixed(2)} (>1: fitsflow faster)`);
