/**
 * The browser viewer in Debian's headless Chromium (playwright-core; WebGPU
 * on SwiftShader, as test/package/chromium.test.ts): the page built by
 * scripts/build-viewer.mjs, served by `fitsflow view` (main() from sources),
 * opening corpus files by URL and by the file picker, on the CPU path and the
 * WebGPU path. The canvas pixels at zoom 1 and 2 are compared with
 * renderImage of the same data (exact on both paths: the GPU renderer's
 * default mode is the CPU's picture bit for bit); pan/zoom and changes of
 * the stretch or colour map redraw without decoding again (the page counts
 * decodes) and their frame times are printed. Screenshots are written to
 * test-artifacts/viewer/.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { formatDegrees, formatHours, getColormap, open, renderImage, type StretchSpec } from '../helpers/fitsflow.js';
import { CHROMIUM, CHROMIUM_FLAGS, repoRoot, toolAvailable } from '../package/helpers.js';

const haveChromium = toolAvailable('Debian chromium', existsSync(CHROMIUM), 'apt-get install chromium');
const corpus = join(repoRoot, 'test/corpus');
const RICE = join(corpus, 'compressed/astropy/rice_int16_tiles.fits');
const FLOAT = join(corpus, 'images/bitpixm32_2d.fits');
const CUBE = join(corpus, 'images/bitpix16_3d.fits');
const MIXED = join(corpus, 'mef/mixed_kinds.fits');
const artifacts = join(repoRoot, 'test-artifacts/viewer');
/**
 * The GPU tests' flags, but SwiftShader through Vulkan and ANGLE instead of
 * --disable-gpu: with --disable-gpu, presenting a WebGPU canvas kills the
 * page's WebGPU instance (the next mapAsync or onSubmittedWorkDone rejects
 * with "A valid external Instance reference no longer exists").
 */
const VIEWER_FLAGS = [...CHROMIUM_FLAGS.filter((f) => f !== '--disable-gpu'), '--use-vulkan=swiftshader', '--enable-features=Vulkan', '--disable-vulkan-surface', '--use-angle=vulkan'];

let pageDir: string;
/** A small float32 image with a TAN WCS (written here: the corpus's 2-D images carry no celestial WCS). */
let wcsFile: string;

function writeWcsImage(path: string): void {
  const cards = ['SIMPLE  = T', 'BITPIX  = -32', 'NAXIS   = 2', 'NAXIS1  = 20', 'NAXIS2  = 10', "CTYPE1  = 'RA---TAN'", "CTYPE2  = 'DEC--TAN'", 'CRPIX1  = 10.5', 'CRPIX2  = 5.5', 'CRVAL1  = 150.1', 'CRVAL2  = 2.2', 'CDELT1  = -0.001', 'CDELT2  = 0.001', "CUNIT1  = 'deg'", "CUNIT2  = 'deg'", 'END'];
  const header = Buffer.alloc(2880, ' ');
  cards.forEach((c, i) => header.write(c.padEnd(80), i * 80, 'latin1'));
  const data = Buffer.alloc(2880);
  for (let i = 0; i < 200; i++) data.writeFloatBE(i % 20 + 3 * Math.floor(i / 20), i * 4);
  writeFileSync(path, Buffer.concat([header, data]));
}
let context: BrowserContext;
let userDataDir: string;
let viewUrl: string;
let viewRun: Promise<number> | undefined;
const viewOut: string[] = [];

interface ViewerState {
  decodes: number;
  draws: number;
  frameTimes: number[];
  error: string | null;
  loading: boolean;
  hdus: number;
  view: { x: number; y: number; zoom: number };
  shown: { nx: number; ny: number; plane: number; limits: { min: number; max: number } } | null;
}

function io(out: string[], err: string[] = []) {
  return { out: (t: string) => out.push(t), err: (t: string) => err.push(t), open: (p: string) => open(p) };
}

/** Stop the `view` command as Ctrl-C does, without reaching the test runner's own signal handlers. */
async function interruptView(): Promise<number> {
  const others = process.listeners('SIGINT');
  const ours = others.filter((l) => l.name === 'stop');
  for (const l of others) if (!ours.includes(l)) process.off('SIGINT', l);
  try {
    process.emit('SIGINT');
  } finally {
    for (const l of others) if (!ours.includes(l)) process.on('SIGINT', l);
  }
  return viewRun ?? 0;
}

beforeAll(async () => {
  if (!haveChromium) return;
  pageDir = mkdtempSync(join(tmpdir(), 'fitsflow-viewer-page-'));
  execFileSync(process.execPath, [join(repoRoot, 'scripts/build-viewer.mjs'), pageDir], { stdio: 'inherit' });
  mkdirSync(artifacts, { recursive: true });
  wcsFile = join(pageDir, 'wcs_tan.fits');
  writeWcsImage(wcsFile);
  viewRun = main(['view', RICE, '--page', pageDir], io(viewOut));
  for (let i = 0; i < 200 && viewOut.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
  viewUrl = viewOut[0]!;
  const { chromium } = await import('playwright-core');
  userDataDir = mkdtempSync(join(tmpdir(), 'fitsflow-viewer-profile-'));
  context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: VIEWER_FLAGS });
}, 120_000);

afterAll(async () => {
  await context?.close();
  if (viewRun) await interruptView();
  if (pageDir) rmSync(pageDir, { recursive: true, force: true });
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

async function openPage(url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.setViewportSize({ width: 900, height: 700 });
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { fitsflowViewerReady?: boolean }).fitsflowViewerReady === true, undefined, { timeout: 60_000 });
  return { page, errors };
}

function hook<T>(page: Page, name: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(([n, a]) => (window as unknown as { fitsflowViewer: Record<string, (...x: unknown[]) => unknown> }).fitsflowViewer[n as string]!(...(a as unknown[])), [name, args] as const) as Promise<T>;
}

async function waitShown(page: Page): Promise<ViewerState> {
  await page.waitForFunction(() => {
    const v = (window as unknown as { fitsflowViewer: { state(): ViewerState } }).fitsflowViewer.state();
    return !v.loading && (v.shown !== null || v.error !== null);
  }, undefined, { timeout: 60_000 });
  return hook<ViewerState>(page, 'state');
}

/** The expected canvas: renderImage of the image (origin lower) placed at the view, black outside. */
const pictures = new Map<string, Promise<{ img: ReturnType<typeof renderImage>; nx: number; ny: number }>>();

/** renderImage of an image HDU (origin lower), once per file and settings. */
function picture(path: string, hduIndex: number, opts: { interval: 'zscale' | 'minmax'; stretch?: StretchSpec; colormap?: string; plane?: number }) {
  const key = JSON.stringify([path, hduIndex, opts]);
  let p = pictures.get(key);
  if (!p) {
    p = (async () => {
      const f = await open(path);
      const { data, shape } = await (await f.hdu(hduIndex)).readImage();
      await f.close();
      const img = renderImage(data, shape, { interval: { type: opts.interval }, stretch: opts.stretch, colormap: opts.colormap ? getColormap(opts.colormap) : undefined, origin: 'lower', plane: opts.plane });
      return { img, ny: shape[shape.length - 2]!, nx: shape[shape.length - 1]! };
    })();
    pictures.set(key, p);
  }
  return p;
}

async function expectedCanvas(path: string, hduIndex: number, w: number, h: number, view: { x: number; y: number; zoom: number }, opts: { interval: 'zscale' | 'minmax'; stretch?: StretchSpec; colormap?: string; plane?: number }): Promise<Uint8Array> {
  const { img, nx, ny } = await picture(path, hduIndex, opts);
  const out = new Uint8Array(w * h * 4);
  for (let cy = 0; cy < h; cy++) {
    for (let cx = 0; cx < w; cx++) {
      const o = (cy * w + cx) * 4;
      const x = view.x + (cx + 0.5 - w / 2) / view.zoom;
      const y = view.y - (cy + 0.5 - h / 2) / view.zoom;
      out[o + 3] = 255;
      if (!(x >= 0 && y >= 0 && x < nx && y < ny)) continue;
      const row = ny - 1 - Math.floor(y); // the picture's rows run top to bottom
      const i = row * nx + Math.floor(x);
      if (img.channels === 1) out[o] = out[o + 1] = out[o + 2] = img.pixels[i]!;
      else for (let k = 0; k < 4; k++) out[o + k] = img.pixels[i * 4 + k]!;
    }
  }
  return out;
}

function countDiffs(got: Uint8Array, want: Uint8Array): { differing: number; maxDiff: number } {
  let differing = 0;
  let maxDiff = 0;
  for (let i = 0; i < want.length; i += 4) {
    let d = 0;
    for (let k = 0; k < 4; k++) d = Math.max(d, Math.abs(got[i + k]! - want[i + k]!));
    if (d > 0) differing++;
    maxDiff = Math.max(maxDiff, d);
  }
  return { differing, maxDiff };
}

async function checkCanvas(page: Page, path: string, hdu: number, view: { x: number; y: number; zoom: number }, opts: Parameters<typeof expectedCanvas>[5]): Promise<void> {
  await hook(page, 'setView', view);
  const got = await hook<{ width: number; height: number; base64: string }>(page, 'pixels');
  const bytes = new Uint8Array(Buffer.from(got.base64, 'base64'));
  const want = await expectedCanvas(path, hdu, got.width, got.height, view, opts);
  expect(bytes.length).toBe(want.length);
  expect(countDiffs(bytes, want)).toEqual({ differing: 0, maxDiff: 0 });
}

describe.skipIf(!haveChromium)('the viewer in headless Chromium', () => {
  it('fitsflow view prints the page address on 127.0.0.1; --help; a missing file is one sentence', async () => {
    expect(viewUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?open=%2Ffile%2Frice_int16_tiles\.fits$/);
    const out: string[] = [];
    expect(await main(['view', '--help'], io(out))).toBe(0);
    expect(out.join('\n')).toContain('usage: fitsflow view FILE|URL');
    const err: string[] = [];
    expect(await main(['view', join(corpus, 'no-such-file.fits'), '--page', pageDir], io([], err))).toBe(1);
    expect(err.join('\n')).toContain('is not a file');
  });

  for (const path of ['cpu', 'webgpu'] as const) {
    describe(`${path} path`, () => {
      let page: Page;
      let errors: string[];
      beforeAll(async () => {
        if (!haveChromium) return;
        ({ page, errors } = await openPage(path === 'cpu' ? `${viewUrl}&gpu=0` : viewUrl));
      }, 90_000);
      afterAll(() => page?.close());

      it('opens the served file by URL (range reads) and draws the compressed image as renderImage does (zscale, zoom 1)', async () => {
        expect(await hook(page, 'mode')).toBe(path);
        const s = await waitShown(page);
        expect(s.error).toBeNull();
        expect(s.shown).toMatchObject({ nx: 257, ny: 300 });
        await hook(page, 'resize', 257, 300);
        await checkCanvas(page, RICE, 1, { x: 128.5, y: 150, zoom: 1 }, { interval: 'zscale' });
        await page.screenshot({ path: join(artifacts, `${path}-rice-zscale.png`) });
      });

      it('zoom and pan, then asinh + viridis: the pictures match, and nothing is decoded again', async () => {
        const before = await hook<ViewerState>(page, 'state');
        await hook(page, 'resize', 240, 180);
        await checkCanvas(page, RICE, 1, { x: 100.3, y: 60.7, zoom: 2 }, { interval: 'zscale' });
        await checkCanvas(page, RICE, 1, { x: 10.1, y: 250.2, zoom: 3.5 }, { interval: 'zscale' });
        await page.selectOption('#stretch', 'asinh');
        await page.selectOption('#cmap', 'mpl:viridis');
        await checkCanvas(page, RICE, 1, { x: 128.3, y: 150.3, zoom: 0.5 }, { interval: 'zscale', stretch: { type: 'asinh' }, colormap: 'mpl:viridis' });
        await page.selectOption('#scale', 'minmax');
        await checkCanvas(page, RICE, 1, { x: 128.3, y: 150.3, zoom: 1.5 }, { interval: 'minmax', stretch: { type: 'asinh' }, colormap: 'mpl:viridis' });
        await page.screenshot({ path: join(artifacts, `${path}-rice-asinh-viridis.png`) });
        // Mouse: a drag pans, the wheel zooms; both redraw.
        const box = (await page.locator('#stage').boundingBox())!;
        await page.mouse.move(box.x + 100, box.y + 100);
        await page.mouse.down();
        await page.mouse.move(box.x + 150, box.y + 120, { steps: 5 });
        await page.mouse.up();
        await page.mouse.wheel(0, -300);
        await page.waitForTimeout(100);
        const after = await hook<ViewerState>(page, 'state');
        expect(after.decodes, 'no decoding after pan, zoom or new settings').toBe(before.decodes);
        expect(after.draws).toBeGreaterThan(before.draws + 5);
        expect(after.view.zoom).toBeGreaterThan(1.5);
        const frames = after.frameTimes.slice(before.frameTimes.length).sort((a, b) => a - b);
        console.log(`viewer ${path}: ${frames.length} redraws, median ${frames[frames.length >> 1]!.toFixed(1)} ms, max ${frames[frames.length - 1]!.toFixed(1)} ms (257×300 image)`);
        expect(errors).toEqual([]);
      });

      it('opens a local file with the file picker (read in place) and lists its HDUs', async () => {
        await page.setInputFiles('#filePicker', FLOAT);
        const s = await waitShown(page);
        expect(s.error).toBeNull();
        expect(s.shown).toMatchObject({ nx: 120, ny: 100 });
        await page.selectOption('#stretch', 'linear');
        await page.selectOption('#cmap', '');
        await page.selectOption('#scale', 'zscale');
        await hook(page, 'resize', 120, 100);
        await checkCanvas(page, FLOAT, 0, { x: 60, y: 50, zoom: 1 }, { interval: 'zscale' });
        expect(await page.locator('#hdus button').count()).toBe(s.hdus);
        await page.fill('#headerSearch', 'bitpix');
        expect((await page.locator('#cards').textContent())!.trim()).toMatch(/^BITPIX\s+= -32/);
        expect(errors).toEqual([]);
      });

      it('a cube: the plane slider shows plane 3', async () => {
        await page.setInputFiles('#filePicker', CUBE);
        const s = await waitShown(page);
        expect(s.shown).toMatchObject({ nx: 30, ny: 40, plane: 0 });
        expect(await page.locator('#planeLabel').isVisible()).toBe(true);
        await page.locator('#plane').fill('3');
        await page.waitForFunction(() => (window as unknown as { fitsflowViewer: { state(): ViewerState } }).fitsflowViewer.state().shown?.plane === 3);
        await hook(page, 'resize', 60, 80);
        await checkCanvas(page, CUBE, 0, { x: 15.1, y: 20.1, zoom: 2 }, { interval: 'zscale', plane: 3 });
      });

      it('a file dropped on the page opens; a table HDU shows its rows', async () => {
        const base64 = readFileSync(MIXED).toString('base64');
        await page.evaluate((b64) => {
          const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
          const dt = new DataTransfer();
          dt.items.add(new File([bytes], 'mixed_kinds.fits'));
          document.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
        }, base64);
        await page.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('mixed_kinds.fits: 5 HDU(s)'), undefined, { timeout: 30_000 });
        const s = await waitShown(page);
        expect(s.shown).toMatchObject({ nx: 5, ny: 4 });
        await page.click('#hdus button[data-index="1"]');
        await page.waitForFunction(() => document.querySelectorAll('#table tbody tr').length === 5, undefined, { timeout: 30_000 });
        expect(await page.locator('#table th').allTextContents()).toEqual(['A', 'B']);
        // The filter language and a sort, as FitsTable does them in Node.
        const f = await open(MIXED);
        const want = (await (await f.hdu(1)).readTable()).filter('A >= 2').sort('A', { descending: true });
        await f.close();
        await page.fill('#tableFilter', 'A >= 2');
        await page.selectOption('#tableSort', 'A');
        await page.check('#tableDescending');
        await page.click('#tableApply');
        const cells = await page.locator('#table tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)));
        expect(cells).toEqual(Array.from({ length: want.numRows }, (_, r) => [String(want.row(r).A), String(want.row(r).B)]));
        expect(want.numRows).toBeGreaterThan(0);
        expect(await page.locator('#tableCount').textContent()).toBe(`${want.numRows} rows match of 5; ${want.numRows} shown`);
        await page.fill('#tableFilter', 'A >>> 2');
        await page.click('#tableApply');
        expect(await page.locator('#status').textContent()).toMatch(/^Cannot filter or sort: \S/);
        expect(await page.locator('#stage').isVisible()).toBe(false);
        await page.click('#hdus button[data-index="4"]');
        expect((await waitShown(page)).shown).toMatchObject({ nx: 50, ny: 40 });
        expect(errors).toEqual([]);
      });

      it('the value and the sky coordinates under the cursor (degrees and sexagesimal)', async () => {
        await page.setInputFiles('#filePicker', wcsFile);
        expect((await waitShown(page)).shown).toMatchObject({ nx: 20, ny: 10 });
        await hook(page, 'resize', 200, 100);
        await hook(page, 'setView', { x: 10, y: 5, zoom: 10 });
        const box = (await page.locator('#stage').boundingBox())!;
        await page.mouse.move(box.x + 55.3, box.y + 32.7);
        await page.waitForFunction(() => document.getElementById('cursor')!.textContent !== '');
        const text = (await page.locator('#cursor').textContent())!;
        const m = /^x (\d+) y (\d+) value (\S+) sky (\S+)° (\S+)° \((\S+) (\S+)\)$/.exec(text);
        expect(m, text).not.toBeNull();
        const [ix, iy] = [Number(m![1]) - 1, Number(m![2]) - 1];
        expect([ix, iy]).toEqual([5, 6]);
        expect(Number(m![3])).toBe(ix + 3 * iy);
        const f = await open(wcsFile);
        const wcs = (await (await f.hdu(0)).wcs())!;
        await f.close();
        const [ra, dec] = wcs.pixelToWorldScalar(ix, iy) as [number, number];
        expect(m!.slice(4)).toEqual([ra.toFixed(6), dec.toFixed(6), formatHours(ra), formatDegrees(dec)]);
      });

      it('a URL that cannot be read shows a message, not a blank page', async () => {
        await page.fill('#urlInput', `${new URL(viewUrl).origin}/file/missing.fits`);
        await page.click('#openUrl');
        await page.waitForFunction(() => document.getElementById('status')!.classList.contains('error'), undefined, { timeout: 30_000 });
        expect(await page.locator('#status').textContent()).toMatch(/^Cannot open .*missing\.fits: \S/);
      });
    });
  }
});
