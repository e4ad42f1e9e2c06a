/**
 * The browser entry of the packed package in headless Chromium (Debian's
 * `chromium`, driven by playwright-core): a page bundled by esbuild from a
 * fresh project that installed the tarball (`fitsflow` under the "browser"
 * condition, `fitsflow/decode-worker` bundled as the Web Worker script),
 * served from 127.0.0.1, reading every corpus file by URL (Range requests)
 * and computing its digest, compared with the references:
 * - cross-origin isolated (COOP/COEP headers): a large tile-compressed image
 *   (made by fpack) decodes on Web Workers (the runtime's pool runs tasks);
 * - not isolated: the same image decodes on the calling thread, and the page
 *   is told so once, by the console warning of the web runtime;
 * - WebGPU on SwiftShader (--enable-unsafe-webgpu --enable-unsafe-swiftshader):
 *   `readImage({ gpu: true })` of compressed corpus files equals the CPU's.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareDigest } from '../helpers/compare-digest.js';
import { CHROMIUM, FPACK, LARGE_IMAGE, launchChromium, makeLargeCompressedImage, makeProject, repoRoot, startStaticServer, toolAvailable, type LargeImage, type Project, type StaticServer } from './helpers.js';

const haveTools = toolAvailable('Debian chromium and fpack', existsSync(CHROMIUM) && existsSync(FPACK), 'apt-get install chromium libcfitsio-bin');

const corpus = join(repoRoot, 'test/corpus');
const manifest = JSON.parse(readFileSync(join(corpus, 'manifest.json'), 'utf8')) as { files: { path: string; digest: unknown }[] };
/** Compressed corpus files for the GPU comparison: Rice, GZIP_2, HCOMPRESS, quantized floats with NaNs, PLIO. */
const GPU_FILES = ['compressed/fpack/rice_int16.fits.fz', 'compressed/fpack/gzip2_int16.fits.fz', 'compressed/fpack/hcomp_int16.fits.fz', 'compressed/fpack/rice_f32_nan_dither1.fits.fz', 'compressed/fpack/plio_mask.fits.fz'];
const WARNING =
  'fitsflow: decoding on the calling thread: the page is not cross-origin isolated, so SharedArrayBuffer is unavailable (serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp).';

let project: Project;
let bigDir: string;
let bigRef: LargeImage;
let metafile: Metafile;
let isolated: StaticServer;
let plain: StaticServer;
let context: BrowserContext;
let userDataDir: string;

interface PageRun {
  page: Page;
  server: StaticServer;
  console: { type: string; text: string }[];
  errors: string[];
}
const pages: Record<'isolated' | 'plain', PageRun> = {} as never;

beforeAll(async () => {
  if (!haveTools) return;
  project = await makeProject('chromium');
  // The page: bundled by esbuild from the project, as a user's build would (no aliases, no Node shims).
  project.write('src/page.js', readFileSync(join(repoRoot, 'test/package/fixtures/chromium/page.js'), 'utf8'));
  copyFileSync(join(repoRoot, 'test/package/fixtures/chromium/index.html'), project.write('public/index.html', ''));
  const result = await build({
    absWorkingDir: project.dir,
    entryPoints: { app: 'src/page.js', 'decode-worker': 'fitsflow/decode-worker' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir: 'public',
    metafile: true,
    logLevel: 'silent',
  });
  metafile = result.metafile;

  // The large compressed image, made by fpack from a plain file.
  bigDir = mkdtempSync(join(tmpdir(), 'fitsflow-big-'));
  bigRef = await makeLargeCompressedImage(bigDir);

  const mounts = { '/': project.path('public'), '/corpus/': corpus, '/big/': bigDir };
  [isolated, plain] = await Promise.all([startStaticServer({ mounts, crossOriginIsolated: true }), startStaticServer({ mounts })]);
  ({ context, userDataDir } = await launchChromium());
  for (const [name, server] of [['isolated', isolated], ['plain', plain]] as const) {
    const page = await context.newPage();
    const run: PageRun = { page, server, console: [], errors: [] };
    page.on('console', (m) => run.console.push({ type: m.type(), text: m.text() }));
    page.on('pageerror', (e) => run.errors.push(String(e)));
    await page.goto(`${server.origin}/index.html`);
    await page.waitForFunction(() => (window as unknown as { fitsflowReady?: boolean }).fitsflowReady === true, undefined, { timeout: 60_000 });
    pages[name] = run;
  }
}, 180_000);

afterAll(async () => {
  await context?.close();
  await Promise.all([isolated?.close(), plain?.close()]);
  project?.cleanup();
  if (bigDir) rmSync(bigDir, { recursive: true, force: true });
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

/** Call window.fitsflowTest[name](...args) in a page. */
function call<T>(run: PageRun, name: string, ...args: unknown[]): Promise<T> {
  return run.page.evaluate(
    ([n, a]) => (window as unknown as { fitsflowTest: Record<string, (...x: unknown[]) => unknown> }).fitsflowTest[n as string]!(...(a as unknown[])),
    [name, args] as const,
  ) as Promise<T>;
}

async function expectCorpusDigests(run: PageRun): Promise<void> {
  const urls = manifest.files.map((f) => `${run.server.origin}/corpus/${f.path}`);
  const first = run.server.requests.length;
  const got = await call<{ url: string; digest?: unknown; error?: string }[]>(run, 'digests', urls);
  const failures: string[] = [];
  manifest.files.forEach((f, i) => {
    const g = got[i]!;
    if (g.error) failures.push(`${f.path}: ${g.error}`);
    else for (const d of compareDigest(g.digest as never, f.digest as never)) failures.push(`${f.path}: ${d}`);
  });
  expect(failures.join('\n')).toBe('');
  const corpusGets = run.server.requests.slice(first).filter((r) => r.method === 'GET' && r.path.startsWith('/corpus/'));
  expect(corpusGets.length).toBeGreaterThanOrEqual(manifest.files.length);
  expect(corpusGets.filter((r) => r.status !== 206).map((r) => `${r.path} ${r.status}`), 'every corpus GET a Range request answered with 206').toEqual([]);
}

describe.skipIf(!haveTools)('the browser entry of the packed package in headless Chromium', () => {
  it('esbuild bundles the page and the decode worker from the browser entry, with no Node built-ins', () => {
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.some((p) => p.includes('node_modules/fitsflow/dist/esm/entries/index.js'))).toBe(true);
    expect(inputs.filter((p) => p.startsWith('node:') || /node_modules\/fitsflow\/dist\/(node|remote-node|write-node)\.js|fitsflow\/dist\/esm\/node\//.test(p))).toEqual([]);
    const imports = Object.values(metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
    // Left to run time on purpose: the optional `webgpu` package (Node only; never reached in a browser).
    expect(imports.filter((p) => p !== 'webgpu')).toEqual([]);
  });

  describe('cross-origin isolated (COOP/COEP)', () => {
    it('the page is cross-origin isolated', async () => {
      const env = await call<{ crossOriginIsolated: boolean; workersUnavailable: string | null }>(pages.isolated, 'environment');
      expect(env).toMatchObject({ crossOriginIsolated: true, workersUnavailable: null });
    });

    it('digests of every corpus file, read by URL, equal the references', async () => {
      await expectCorpusDigests(pages.isolated);
    });

    it('a large tile-compressed image is decoded on Web Workers, correctly', async () => {
      const r = await call<{ digest: { sha256: string; min: number; max: number; shape: number[] }; poolTasks: number; poolSize: number }>(pages.isolated, 'readLarge', `${isolated.origin}/big/big.fits.fz`, 1);
      expect(r.digest).toMatchObject({ shape: [LARGE_IMAGE.height, LARGE_IMAGE.width], sha256: bigRef.sha256, min: bigRef.min, max: bigRef.max });
      expect(r.poolSize, 'the web runtime started a worker pool').toBeGreaterThan(0);
      expect(r.poolTasks, 'tasks run on the Web Workers').toBeGreaterThan(0);
    });

    it('no warnings, no page errors', () => {
      expect(pages.isolated.errors).toEqual([]);
      expect(pages.isolated.console.filter((m) => m.type === 'warning' || m.type === 'error')).toEqual([]);
    });
  });

  describe('not cross-origin isolated', () => {
    it('the page is not isolated, and the runtime knows why', async () => {
      const env = await call<{ crossOriginIsolated: boolean; workersUnavailable: string | null }>(pages.plain, 'environment');
      expect(env.crossOriginIsolated).toBe(false);
      expect(env.workersUnavailable).toContain('not cross-origin isolated');
    });

    it('digests of every corpus file, read by URL, equal the references', async () => {
      await expectCorpusDigests(pages.plain);
    });

    it('the large image is decoded on the calling thread, correctly, and the console says so once', async () => {
      for (let i = 0; i < 2; i++) {
        const r = await call<{ digest: { sha256: string }; poolTasks: number }>(pages.plain, 'readLarge', `${plain.origin}/big/big.fits.fz`, 1);
        expect(r.digest.sha256).toBe(bigRef.sha256);
        expect(r.poolTasks).toBe(0);
      }
      expect(pages.plain.errors).toEqual([]);
      expect(pages.plain.console.filter((m) => m.type === 'warning' || m.type === 'error')).toEqual([{ type: 'warning', text: WARNING }]);
    });
  });

  it('WebGPU (SwiftShader): readImage({ gpu: true }) of compressed files equals the CPU, bit for bit', async () => {
    const urls = GPU_FILES.map((f) => `${isolated.origin}/corpus/${f}`);
    const r = await call<{ results: { url: string; dtype: string; cpuDtype: string; bytes: number; sameLength: boolean; firstDiff: number }[]; events: { type: string; software?: string | null }[]; info: { software: boolean; softwareName?: string } | null }>(pages.isolated, 'gpuVersusCpu', urls);
    expect(r.info, 'a WebGPU device was created').not.toBeNull();
    expect(r.info!.softwareName).toBe('SwiftShader');
    expect(r.events.filter((e) => e.type === 'fallback' || e.type === 'device-lost'), 'no GPU fallback to the CPU').toEqual([]);
    for (const x of r.results) {
      expect(x, x.url).toMatchObject({ sameLength: true, firstDiff: -1, dtype: x.cpuDtype });
      expect(x.bytes).toBeGreaterThan(0);
    }
    expect(r.results.length).toBe(GPU_FILES.length);
  });
});
