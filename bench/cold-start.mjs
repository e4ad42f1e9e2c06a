// Budget: in Node, `import` of the package plus listing a small file's HDUs
// costs ≤ 25 ms more than a bare `node -e 'console.log(performance.now())'`, in the same run. Runs both,
// alternating, N times each (default 31) as new processes, and prints the
// medians of wall time and of the time from process start to the last line
// (performance.now() in the process), and their differences.
//   npm run build && node bench/cold-start.mjs [N]
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.argv[2] ?? 31);
const dir = mkdtempSync(join(tmpdir(), 'fitsflow-cold-'));
const script = join(dir, 'list.mjs');
writeFileSync(script, `const { open } = await import(${JSON.stringify(pathToFileURL(join(root, 'dist/node.js')).href)});
const f = await open(${JSON.stringify(join(root, 'samples/sample.fits'))});
let n = 0;
for await (const h of f) n += h.kind.length > 0 ? 1 : 0;
await f.close();
if (n !== 5) throw new Error('expected 5 HDUs');
console.log(performance.now());
`);

/**
 * One process: its wall time seen from here (spawn to exit), and the time from
 * its start to its last line as it measures it (performance.now()).
 */
function once(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(r.stderr);
  return { wall, inside: Number(r.stdout.trim().split('\n').at(-1)) };
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const bare = [], lib = [];
once(['-e', 'console.log(performance.now())']);
once([script]);
for (let i = 0; i < N; i++) {
  bare.push(once(['-e', 'console.log(performance.now())']));
  lib.push(once([script]));
}
rmSync(dir, { recursive: true, force: true });
const w = [median(bare.map((x) => x.wall)), median(lib.map((x) => x.wall))];
const c = [median(bare.map((x) => x.inside)), median(lib.map((x) => x.inside))];
console.log(`node ${process.version}, ${N} runs each, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log(`wall: node -e 0 ${w[0].toFixed(0)} ms, import + list ${w[1].toFixed(0)} ms, difference ${(w[1] - w[0]).toFixed(0)} ms (budget 25 ms)`);
console.log(`start → last line, as the process sees it: bare ${c[0].toFixed(1)} ms, import + list ${c[1].toFixed(1)} ms, difference ${(c[1] - c[0]).toFixed(1)} ms`);
