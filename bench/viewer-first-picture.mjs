/**
 * Time from URL to first picture in the browser viewer: `fitsflow view` serves
 * a 4096² int16 Rice image (bench/make_rice_bench.py: fpack -r, row tiles) and
 * headless Chromium opens the printed address; the page reports
 * performance.now() (ms since the navigation started) at its first drawn
 * picture: page load, range reads, decoding (Web Workers on the CPU path, the
 * GPU's Rice decoder on the WebGPU path, SwiftShader here: a CPU emulation),
 * zscale on the CPU and the draw.
 *
 * Usage: node bench/viewer-first-picture.mjs FILE.fits.fz [ROUNDS=3]   (after npm run build)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [file, roundsText = '3'] = process.argv.slice(2);
if (!file) throw new Error('usage: node bench/viewer-first-picture.mjs FILE.fits.fz [ROUNDS]');
const FLAGS = ['--headless', '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-webgpu', '--enable-unsafe-swiftshader', '--use-vulkan=swiftshader', '--enable-features=Vulkan', '--disable-vulkan-surface', '--use-angle=vulkan'];

const server = spawn(process.execPath, ['dist/cli.js', 'view', file], { stdio: ['ignore', 'pipe', 'ignore'] });
const url = await new Promise((r) => server.stdout.once('data', (d) => r(String(d).trim())));
const profile = mkdtempSync(join(tmpdir(), 'fitsflow-bench-profile-'));
const context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: FLAGS });
const results = { cpu: [], webgpu: [] };
for (let round = 0; round < Number(roundsText); round++) {
  for (const mode of ['cpu', 'webgpu']) {
    const page = await context.newPage();
    await page.goto(mode === 'cpu' ? `${url}&gpu=0` : url);
    await page.waitForFunction(() => { const s = window.fitsflowViewer?.state(); return s && (s.firstPicture !== null || s.error); }, undefined, { timeout: 600_000, polling: 50 });
    const s = await page.evaluate(() => window.fitsflowViewer.state());
    if (s.error) throw new Error(s.error);
    if ((await page.evaluate(() => window.fitsflowViewer.mode())) !== mode) throw new Error(`not on the ${mode} path`);
    results[mode].push(s.firstPicture);
    console.log(`round ${round + 1} ${mode}: ${s.firstPicture.toFixed(0)} ms`);
    await page.close();
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
for (const mode of ['cpu', 'webgpu']) console.log(`${mode}: median ${median(results[mode]).toFixed(0)} ms of ${results[mode].map((x) => x.toFixed(0)).join(', ')}`);
await context.close();
rmSync(profile, { recursive: true, force: true });
server.kill();
