// Before/after of the fresh-memory reads (issue 17): one process per call, so
// run it alternately against two builds (this worktree's dist and a build of
// the base commit, e.g. `git archive main | tar -x -C /tmp/base && cd /tmp/base
// && ln -s $PWD/node_modules . && npx tsup`). Prints wall median, min and CPU
// median (all threads) of RUNS calls after 3 warm-ups.
//   node bench/read-ab.mjs DISTDIR WORKLOAD [RUNS]
// WORKLOAD: img (4096² float32 readImage() into a new array, bench/image-read.mjs's file),
// img1 (the same with workers: false), t1m / t1m1 (1M-row table, all columns; t1m1 on one
// thread), t10m (10M rows) — the files of bench/table-read.py make /tmp/fitsflow-table-bench.
const [dist, workload, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 9);
const { open, createNodeRuntime } = await import(`${dist}/node.js`);
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const ts = [];
const img = '/tmp/fitsflow-bench/image_f32.fits';
const tbl = { t1m: '/tmp/fitsflow-table-bench/table_1m_uniq.fits', t10m: '/tmp/fitsflow-table-bench/table_10m_rep.fits' };
async function once() {
  if (workload === 'img') { const f = await open(img); const r = await (await f.hdu(0)).readImage(); await f.close(); return r; }
  if (workload === 't1m1') { const f = await open(tbl.t1m); const r = await (await f.hdu(1)).readTable({ workers: false }); await f.close(); return r; }
  if (workload === 'img1') { const f = await open(img); const r = await (await f.hdu(0)).readImage({ workers: false }); await f.close(); return r; }
  const f = await open(tbl[workload]); const h = await f.hdu(1); const r = await h.readTable(); await f.close(); return r;
}
for (let i = 0; i < 3; i++) await once();
const cs = [];
for (let i = 0; i < runs; i++) { const c = process.cpuUsage(); const t = performance.now(); await once(); ts.push(performance.now() - t); const d = process.cpuUsage(c); cs.push((d.user + d.system) / 1000); }
console.log(JSON.stringify({ dist, workload, median: +med(ts).toFixed(1), min: +Math.min(...ts).toFixed(1), cpu: +med(cs).toFixed(1) }));
process.exit(0);
