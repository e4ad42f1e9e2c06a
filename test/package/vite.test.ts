/**
 * Vite (`vite build`, no config: no aliases, no polyfills) builds a page
 * that imports the packed `fitsflow` and reads an image from a URL; the
 * built page then runs in headless Chromium (cross-origin isolated) and its
 * digest of a large fpacked image, decoded on the Web Worker script that
 * Vite emitted, equals the reference.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, CHROMIUM, FPACK, launchChromium, makeLargeCompressedImage, makeProject, repoRoot, run, startStaticServer, toolAvailable, type LargeImage, type Project } from './helpers.js';

const fixtures = join(repoRoot, 'test/package/fixtures/vite');
let project: Project;
let build: { code: number | null; output: string };
let bigDir: string;
let big: LargeImage;

beforeAll(async () => {
  project = await makeProject('vite', {
    files: { 'index.html': readFileSync(join(fixtures, 'index.html'), 'utf8'), 'src/main.js': readFileSync(join(fixtures, 'main.js'), 'utf8') },
  });
  // The repository's vite, run in the project (which has no vite.config: Vite's defaults).
  const r = await run(bin('vite'), ['build'], { cwd: project.dir, env: { NO_COLOR: '1' } });
  build = { code: r.code, output: `${r.stdout}\n${r.stderr}` };
}, 180_000);

afterAll(() => {
  project?.cleanup();
  if (bigDir) rmSync(bigDir, { recursive: true, force: true });
});

describe('Vite builds a page importing the packed package', () => {
  it('vite build succeeds with no warnings', () => {
    expect(build.code, build.output).toBe(0);
    // (Asset lines are file names, such as dist/assets/errors-….js: not messages.)
    expect(build.output.split('\n').filter((l) => !/^\s*dist\//.test(l) && /warn|error|could not resolve|externalized for browser/i.test(l)), build.output).toEqual([]);
  });

  it('the bundle has no Node built-ins, and the decode worker is emitted as a file of its own', () => {
    const assets = project.path('dist/assets');
    const js = readdirSync(assets).filter((f) => f.endsWith('.js'));
    const code = js.map((f) => readFileSync(join(assets, f), 'utf8'));
    expect(js.filter((_f, i) => /from\s*["']node:|import\(["']node:/.test(code[i]!))).toEqual([]);
    const workers = js.filter((_f, i) => code[i]!.includes('onmessage') && !/^\s*import\s/m.test(code[i]!));
    expect(workers.length, `a self-contained worker script among ${js.join(', ')}`).toBeGreaterThan(0);
  });

  it('the built page reads a large compressed image by URL on Web Workers, in Chromium', async () => {
    if (!toolAvailable('Debian chromium and fpack', existsSync(CHROMIUM) && existsSync(FPACK), 'apt-get install chromium libcfitsio-bin')) return;
    bigDir = mkdtempSync(join(tmpdir(), 'fitsflow-vite-big-'));
    big = await makeLargeCompressedImage(bigDir);
    const server = await startStaticServer({ mounts: { '/': project.path('dist'), '/data/': bigDir }, crossOriginIsolated: true });
    const { context, userDataDir } = await launchChromium();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && errors.push(m.text()));
      await page.goto(`${server.origin}/index.html?fits=/data/big.fits.fz&hdu=1`);
      await page.waitForFunction(() => (window as unknown as { fitsflowResult?: unknown }).fitsflowResult !== undefined, undefined, { timeout: 60_000 });
      const result = await page.evaluate(() => (window as unknown as { fitsflowResult: unknown }).fitsflowResult);
      expect(result).toMatchObject({ crossOriginIsolated: true, digest: { sha256: big.sha256, min: big.min, max: big.max } });
      expect((result as { poolTasks: number }).poolTasks, 'tasks run on the worker Vite emitted').toBeGreaterThan(0);
      expect(errors).toEqual([]);
      const ranged = server.requests.filter((r) => r.path === '/data/big.fits.fz' && r.method === 'GET');
      expect(ranged.length).toBeGreaterThan(0);
      expect(ranged.filter((r) => r.status !== 206)).toEqual([]);
    } finally {
      await context.close();
      await server.close();
      rmSync(userDataDir, { recursive: true, force: true });
    }
  });
});
