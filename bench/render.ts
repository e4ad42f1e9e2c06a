/**
 * Quick-look rendering speed: fitsflow vs astropy + matplotlib (and PIL), on a
 * 4096×4096 float32 image (sky + stars + NaN, bench/render_peers.py make).
 *
 *   sh bench/render.sh [DIR] [ROUNDS]     (DIR default /tmp/fitsflow-render-bench, ROUNDS 5)
 *
 * Rounds are interleaved (the machine is shared): each round times every
 * fitsflow task once in this process, then runs the python peer for one round
 * of its tasks (timed inside python, so interpreter start-up is not counted).
 * Tables show medians over the rounds.
 *
 * - PNG encode, 8-bit grey 4096²: encodePng (pako deflate level 6, filter
 *   'sub', Z_RLE: the defaults), with other filters, levels and strategies,
 *   with node:zlib injected, and of a smooth picture (minmax, linear); peers:
 *   PIL's PNG save (level 6, adaptive filters) and matplotlib's imsave (which
 *   colour-maps to RGBA, then PIL).
 * - colour: viridis RGB, renderImage + toPng vs imsave(cmap='viridis').
 * - whole pipeline, as `fitsflow png IMAGE OUT --scale zscale --stretch asinh`
 *   (the command object run in-process: open, read, zscale, asinh, PNG, atomic
 *   write) vs an astropy script (getdata, ZScaleInterval, AsinhStretch, imsave
 *   or PIL).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { open } from '../test/helpers/fitsflow.js';
import { parseArgs } from '../src/cli/command.js';
import type { CliIo } from '../src/cli/command.js';
import { pngCommand } from '../src/cli/png-command.js';
import { encodePng, type PngFilter, type ZlibDeflate } from '../src/render/png.js';
import { renderImage, toPng } from '../src/render/render.js';

const dir = process.argv[2] ?? '/tmp/fitsflow-render-bench';
const rounds = Number(process.argv[3] ?? 5);
const peerPy = process.env.RENDER_BENCH_PY ?? 'bench/render_peers.py';
const image = join(dir, 'image.fits');
if (!existsSync(image)) execFileSync('/usr/bin/python3', [peerPy, 'make', dir], { stdio: 'inherit' });

const file = await open(image);
const { data, shape } = await (await file.hdu(0)).readImage();
await file.close();
const grey = renderImage(data, shape, { interval: { type: 'zscale' }, stretch: { type: 'asinh' } });

/** node:zlib's deflate, for comparison (fitsflow's default is pako, pure JS). */
const zlibDeflate: ZlibDeflate = (chunks, level, strategy) => {
  const parts = [...chunks];
  const all = new Uint8Array(parts.reduce((a, c) => a + c.length, 0));
  let o = 0;
  for (const c of parts) {
    all.set(c, o);
    o += c.length;
  }
  return [deflateSync(all, { level, strategy: { default: 0, filtered: 1, huffman: 2, rle: 3 }[strategy] })];
};

const greyImage = { width: grey.width, height: grey.height, channels: 1 as const, bitDepth: 8 as const, pixels: grey.pixels };
const smooth = renderImage(data, shape, { interval: { type: 'minmax' } });
const smoothImage = { ...greyImage, pixels: smooth.pixels };
const io: CliIo = { out: () => {}, err: (t) => process.stderr.write(t + '\n'), open: (p) => open(p) };

type Task = () => Promise<number> | number; // returns output bytes
const tasks: [string, Task][] = [
  ['encode grey8, pako level 6, filter sub, RLE (default)', () => encodePng(greyImage).length],
  ...(['none', 'up', 'paeth', 'adaptive'] as PngFilter[]).map((f): [string, Task] => [`encode grey8, pako level 6, filter ${f}, RLE`, () => encodePng(greyImage, { filter: f }).length]),
  ['encode grey8, pako level 6, filter sub, default strategy', () => encodePng(greyImage, { strategy: 'default' }).length],
  ['encode grey8, pako level 1, filter sub, default strategy', () => encodePng(greyImage, { level: 1, strategy: 'default' }).length],
  ['encode grey8, pako level 6, filter sub, Huffman only', () => encodePng(greyImage, { strategy: 'huffman' }).length],
  ['encode grey8, node:zlib level 6, filter sub, RLE', () => encodePng(greyImage, { deflate: zlibDeflate }).length],
  ['encode grey8 of a smooth picture (minmax linear), default options', () => encodePng(smoothImage).length],
  ['encode grey8 of a smooth picture (minmax linear), default strategy', () => encodePng(smoothImage, { strategy: 'default' }).length],
  ['render zscale+asinh grey8 (no PNG)', () => renderImage(data, shape, { interval: { type: 'zscale' }, stretch: { type: 'asinh' } }).pixels.length],
  ['render viridis + toPng (RGB)', () => toPng(renderImage(data, shape, { interval: { type: 'zscale' }, stretch: { type: 'asinh' }, colormap: 'viridis', nanColor: [0, 0, 0, 255] })).length],
  ['pipeline: fitsflow png --scale zscale --stretch asinh', async () => {
    const out = join(dir, 'fitsflow.png');
    const code = await pngCommand.run(parseArgs([image, out, '--scale', 'zscale', '--stretch', 'asinh'], pngCommand.options), io);
    if (code !== 0) throw new Error(`png exited ${code}`);
    return statSync(out).size;
  }],
];

const times = new Map<string, number[]>();
const sizes = new Map<string, number>();
const peerTimes = new Map<string, number[]>();
const peerSizes = new Map<string, number>();
for (const [, f] of tasks) await f(); // warm-up (JIT)
for (let r = 0; r < rounds; r++) {
  for (const [name, f] of tasks) {
    const t0 = performance.now();
    const bytes = await f();
    const ms = performance.now() - t0;
    times.set(name, [...(times.get(name) ?? []), ms]);
    sizes.set(name, bytes);
  }
  const peer = JSON.parse(execFileSync('/usr/bin/python3', [peerPy, 'run', dir, '1'], { encoding: 'utf8' })) as Record<string, { ms: number[]; bytes: number }>;
  for (const [k, v] of Object.entries(peer)) {
    peerTimes.set(k, [...(peerTimes.get(k) ?? []), ...v.ms]);
    peerSizes.set(k, v.bytes);
  }
  process.stderr.write(`round ${r + 1}/${rounds} done\n`);
}

const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (ms: number) => ms.toFixed(0);
const mb = (b: number) => (b / 2 ** 20).toFixed(2);

console.log(`\n4096×4096 float32 (${dir}), ${rounds} interleaved rounds, medians; ${new Date().toISOString()}\n`);
console.log('| task | ms | PNG MiB |');
console.log('|---|---|---|');
for (const [name] of tasks) console.log(`| fitsflow: ${name} | ${fmt(median(times.get(name)!))} | ${name.startsWith('render zscale') ? '—' : mb(sizes.get(name)!)} |`);
const peerNames: Record<string, string> = {
  imsave_gray: 'matplotlib imsave(cmap=gray) of the 8-bit picture (RGBA PNG)',
  pil_gray8: 'PIL save of the 8-bit picture (grey PNG, level 6)',
  imsave_viridis: 'matplotlib imsave(cmap=viridis) of the stretched picture',
  pipeline_imsave: 'pipeline: getdata + ZScaleInterval + AsinhStretch + imsave(gray)',
  pipeline_pil: 'pipeline: getdata + ZScaleInterval + AsinhStretch + round → PIL grey PNG',
};
for (const [k, v] of peerTimes) console.log(`| astropy/python: ${peerNames[k] ?? k} | ${fmt(median(v))} | ${mb(peerSizes.get(k)!)} |`);

const r = (a: string, b: string) => (median(peerTimes.get(a)!) / median(times.get(b)!)).toFixed(2);
console.log(`\nratios (peer / fitsflow): imsave(gray) / encode ${r('imsave_gray', tasks[0]![0])}; PIL / encode ${r('pil_gray8', tasks[0]![0])}; ` +
  `imsave(viridis) / render+toPng viridis ${r('imsave_viridis', 'render viridis + toPng (RGB)')}; ` +
  `pipeline imsave / fitsflow png ${r('pipeline_imsave', 'pipeline: fitsflow png --scale zscale --stretch asinh')}; ` +
  `pipeline PIL / fitsflow png ${r('pipeline_pil', 'pipeline: fitsflow png --scale zscale --stretch asinh')}`);
