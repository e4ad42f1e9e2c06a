/**
 * WCS transform speed: fitsflow vs astropy (all_pix2world / all_world2pix,
 * wcslib in C) on 1,000,000 points for TAN, TAN-SIP (order 4, with AP/BP),
 * TPV (24 terms per axis) and ZEA, both directions, interleaved in one session
 * (fitsflow run, astropy run, fitsflow run, …) so both see the same load.
 * Reports medians, the first (cold) fitsflow run, ratios, and checks that
 * both libraries agree on sample points.
 *
 * Run (from the repository root; needs Debian's /usr/bin/python3 with astropy):
 *
 *   npx esbuild bench/wcs.ts --bundle --platform=node --format=esm --outfile=/tmp/wcs-bench.mjs \
 *     --banner:js="import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" \
 *     && node /tmp/wcs-bench.mjs [RUNS]
 *
 * The machine has 2 cores and is shared with other jobs: medians of RUNS
 * (default 7) interleaved runs, wall clock.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { open } from '../test/helpers/fitsflow.js';
import { Wcs } from '../src/wcs/wcs.js';

const runs = Number(process.argv[2] ?? 7);
const root = process.cwd();
const CASES: [string, string][] = [
  ['TAN', 'test/wcs/ref/files/syn_TAN_0.fits'],
  ['TAN-SIP order 4', 'test/wcs/ref/files/syn_sip_2.fits'],
  ['TPV', 'test/wcs/ref/files/syn_tpv_0.fits'],
  ['ZEA', 'test/wcs/ref/files/syn_ZEA_0.fits'],
];
const N = 1_000_000;

const py = spawn('/usr/bin/python3', [join(root, 'bench/wcs_peer.py')], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: py.stdout! })[Symbol.asyncIterator]();
async function ask(req: unknown): Promise<Record<string, unknown>> {
  py.stdin!.write(JSON.stringify(req) + '\n');
  const { value, done } = await lines.next();
  if (done) throw new Error('the astropy peer stopped');
  return JSON.parse(value as string) as Record<string, unknown>;
}

const median = (a: number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const x = new Float64Array(N);
const y = new Float64Array(N);
for (let k = 0; k < N; k++) {
  x[k] = (k % 1000) * 0.5;
  y[k] = Math.floor(k / 1000) * 0.5;
}

console.log(`WCS bench: ${N.toLocaleString('en')} points, ${runs} interleaved runs, medians (ms); node ${process.version}`);
console.log('case               dir   fitsflow(first)  fitsflow  astropy  astropy/fitsflow  max |Δworld| (deg)  max |Δpix|');
for (const [name, rel] of CASES) {
  const f = await open(join(root, rel));
  const wcs = Wcs.fromHeader((await f.hdu(0)).header)!;
  await f.close();
  await ask({ case: name, file: join(root, rel) });
  // Agreement on sample points (the tests check every point at 1e-8 deg / 1e-6 px).
  const check = (await ask({ check: name })) as { world: number[][]; pix: number[][] };
  const sel = Array.from({ length: 8 }, (_, i) => i * (N / 8));
  const ours = wcs.pixelToWorld([sel.map((k) => x[k]!), sel.map((k) => y[k]!)]);
  let dw = 0;
  for (let i = 0; i < 8; i++) dw = Math.max(dw, Math.abs(ours[0]![i]! - check.world[i]![0]!), Math.abs(ours[1]![i]! - check.world[i]![1]!));
  const back = wcs.worldToPixel([check.world.map((w) => w[0]!), check.world.map((w) => w[1]!)]);
  let dp = 0;
  for (let i = 0; i < 8; i++) dp = Math.max(dp, Math.abs(back[0]![i]! - check.pix[i]![0]!), Math.abs(back[1]![i]! - check.pix[i]![1]!));

  const world = wcs.pixelToWorld([x, y]);
  for (const dir of ['p2w', 'w2p'] as const) {
    const ff: number[] = [];
    const ap: number[] = [];
    let first = 0;
    for (let r = 0; r < runs; r++) {
      const t = performance.now();
      if (dir === 'p2w') wcs.pixelToWorld([x, y]);
      else wcs.worldToPixel(world);
      const ms = performance.now() - t;
      if (r === 0) first = ms;
      ff.push(ms);
      ap.push((await ask({ run: name, dir })).ms as number);
    }
    const mf = median(ff);
    const ma = median(ap);
    console.log(
      `${name.padEnd(18)} ${dir}  ${first.toFixed(0).padStart(15)}  ${mf.toFixed(0).padStart(8)}  ${ma.toFixed(0).padStart(7)}  ${(ma / mf).toFixed(2).padStart(16)}  ${dw.toExponential(1).padStart(18)}  ${dp.toExponential(1).padStart(10)}`,
    );
  }
}
py.stdin!.end();
