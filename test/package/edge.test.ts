/**
 * examples/edge (a module Worker: GET /cutout?url=…&x=&y=&w=&h=) bundled by
 * esbuild from the packed package as Wrangler would (platform neutral,
 * conditions workerd/worker/browser; no aliases, no Node compatibility),
 * run in workerd through Miniflare with no compatibility flags. The FITS
 * origin is a 127.0.0.1 server started here (Miniflare's default network
 * service lets a Worker reach loopback). The cutouts' pixels must equal what
 * fitsflow reads locally (Node entry of the same tarball), the JSON
 * statistics must match them, and the Worker must read by Range requests
 * only a fraction of the file.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FPACK, makeLargeCompressedImage, makeProject, repoRoot, run, startStaticServer, toolAvailable, type LargeImage, type Project, type StaticServer } from './helpers.js';

const FITSVERIFY = '/usr/bin/fitsverify';

/** The part of the packed package's Node entry the test uses as the local reference. */
interface LocalFitsflow {
  open(input: string | Uint8Array): Promise<{
    hdu(i: number): Promise<{
      header: { get(key: string): unknown };
      readImage(o?: { start?: number[]; shape?: number[] }): Promise<{ data: ArrayLike<number>; shape: number[]; dtype: string }>;
      verifyChecksum(): Promise<{ checksum: string; datasum: string }>;
    }>;
    close(): Promise<void>;
  }>;
}

let project: Project;
let metafile: Metafile;
let server: StaticServer;
let mf: Miniflare;
let dir: string;
let big: LargeImage;
let local: LocalFitsflow;

beforeAll(async () => {
  if (!toolAvailable('fpack', existsSync(FPACK), 'apt-get install libcfitsio-bin')) return;
  project = await makeProject('edge');
  copyFileSync(join(repoRoot, 'examples/edge/src/worker.ts'), project.write('src/worker.ts', ''));
  // As Wrangler bundles a Worker (its esbuild settings), without nodejs_compat.
  const result = await build({
    absWorkingDir: project.dir,
    entryPoints: ['src/worker.ts'],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    target: 'es2022',
    outfile: 'dist/worker.js',
    metafile: true,
    logLevel: 'silent',
  });
  metafile = result.metafile;
  dir = mkdtempSync(join(tmpdir(), 'fitsflow-edge-data-'));
  big = await makeLargeCompressedImage(dir);
  server = await startStaticServer({ mounts: { '/data/': dir } });
  const { Miniflare } = await import('miniflare');
  // The module given as Wrangler hands it to workerd (an explicit module list: Miniflare's scriptPath would walk
  // the imports itself and refuse the bundle's one import with a computed specifier, the optional Node-only
  // `webgpu` package, which never runs in a Worker).
  mf = new Miniflare({
    modulesRoot: project.path('dist'),
    modules: [{ type: 'ESModule', path: project.path('dist/worker.js'), contents: readFileSync(project.path('dist/worker.js'), 'utf8') }],
    compatibilityDate: '2025-06-01',
    compatibilityFlags: [],
  });
  local = (await import(pathToFileURL(project.path('node_modules/fitsflow/dist/node.js')).href)) as LocalFitsflow;
}, 180_000);

afterAll(async () => {
  await mf?.dispose();
  await server?.close();
  project?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const CUT = { x: 300, y: 400, w: 120, h: 50 };

function cutoutUrl(file: string, format: 'fits' | 'json', c = CUT, extra = ''): string {
  const url = encodeURIComponent(`${server.origin}/data/${file}`);
  return `http://edge.example/cutout?url=${url}&x=${c.x}&y=${c.y}&w=${c.w}&h=${c.h}&format=${format}${extra}`;
}

/** The same section read locally by the packed package's Node entry. */
async function localSection(path: string, hdu: number): Promise<number[]> {
  const f = await local.open(path);
  try {
    const img = await (await f.hdu(hdu)).readImage({ start: [CUT.y, CUT.x], shape: [CUT.h, CUT.w] });
    return Array.from(img.data, Number);
  } finally {
    await f.close();
  }
}

/** Bytes the origin sent for `path` since request number `from`, and whether every GET was a range read. */
function served(path: string, from: number): { bytes: number; gets: number; nonRange: number } {
  const rs = server.requests.slice(from).filter((r) => r.path === path && r.method === 'GET');
  return { bytes: rs.reduce((a, r) => a + r.bytes, 0), gets: rs.length, nonRange: rs.filter((r) => r.status !== 206).length };
}

const haveFpack = existsSync(FPACK);

describe.skipIf(!haveFpack)('examples/edge in workerd (Miniflare), from the packed package', () => {
  it('esbuild bundles it from the runtime-neutral entry, with no Node built-ins', () => {
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.some((p) => p.includes('node_modules/fitsflow/dist/esm/entries/index.js'))).toBe(true);
    expect(inputs.some((p) => p.includes('node_modules/fitsflow/dist/esm/entries/write.js'))).toBe(true);
    expect(inputs.filter((p) => p.startsWith('node:') || /fitsflow\/dist\/(node|write-node|remote-node)\.js|fitsflow\/dist\/esm\/node\//.test(p))).toEqual([]);
    const external = Object.values(metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
    expect(external.filter((p) => p !== 'webgpu')).toEqual([]);
  });

  for (const [name, file, hdu] of [
    ['a plain image', 'big.fits', 0],
    ['a Rice tile-compressed image', 'big.fits.fz', 1],
  ] as const) {
    it(`FITS cutout of ${name}: the pixels fitsflow reads locally, WCS shifted, checksums valid, read by ranges`, async () => {
      const from = server.requests.length;
      const res = await mf.dispatchFetch(cutoutUrl(file, 'fits'));
      const body = new Uint8Array(await res.arrayBuffer());
      expect(res.status, new TextDecoder().decode(body.slice(0, 500))).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/fits');
      const out = await local.open(body);
      try {
        const h = await out.hdu(0);
        const img = await h.readImage();
        expect(img.shape).toEqual([CUT.h, CUT.w]);
        expect(img.dtype).toBe('int16');
        const want = await localSection(join(dir, file), hdu);
        const got = Array.from(img.data, Number);
        expect(got.length).toBe(want.length);
        expect(got.findIndex((v, i) => v !== want[i]), 'first differing pixel').toBe(-1);
        expect(h.header.get('CRPIX1')).toBe(big.crpix[0] - CUT.x);
        expect(h.header.get('CRPIX2')).toBe(big.crpix[1] - CUT.y);
        expect(h.header.get('CTYPE1')).toBe('RA---TAN');
        expect(await h.verifyChecksum()).toMatchObject({ checksum: 'ok', datasum: 'ok' });
      } finally {
        await out.close();
      }
      const s = served(`/data/${file}`, from);
      expect(s.gets).toBeGreaterThan(0);
      expect(s.nonRange, 'every GET a Range request answered with 206').toBe(0);
      const size = statSync(join(dir, file)).size;
      console.log(`edge cutout ${CUT.w}x${CUT.h} of ${file}: ${s.gets} range requests, ${s.bytes} of ${size} bytes`);
      expect(s.bytes, `read ${s.bytes} of ${size} bytes`).toBeLessThan(size / 4);
      if (toolAvailable('fitsverify', existsSync(FITSVERIFY), 'apt-get install fitsverify')) {
        const p = join(dir, `cutout-${file}.fits`);
        writeFileSync(p, body);
        const v = await run(FITSVERIFY, ['-q', p]);
        expect(v.stdout + v.stderr, 'fitsverify').toMatch(/verification OK/);
      }
    });
  }

  it('JSON statistics of the cutout match the pixels read locally', async () => {
    const res = await mf.dispatchFetch(cutoutUrl('big.fits.fz', 'json'));
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status, JSON.stringify(body)).toBe(200);
    const px = await localSection(join(dir, 'big.fits.fz'), 1);
    const mean = px.reduce((a, b) => a + b, 0) / px.length;
    const std = Math.sqrt(px.reduce((a, b) => a + (b - mean) ** 2, 0) / px.length);
    expect(body).toMatchObject({ hdu: 1, shape: [CUT.h, CUT.w], dtype: 'int16', min: Math.min(...px), max: Math.max(...px), finite: px.length, nan: 0 });
    expect(body.mean as number).toBeCloseTo(mean, 9);
    expect(body.std as number).toBeCloseTo(std, 9);
  });

  it('bad requests: 400 with the reason; a missing file: 404', async () => {
    const outside = await mf.dispatchFetch(cutoutUrl('big.fits', 'json', { x: 1000, y: 0, w: 100, h: 10 }));
    expect(outside.status).toBe(400);
    expect(await outside.json()).toMatchObject({ code: 'BAD_ARGUMENT' });
    const noUrl = await mf.dispatchFetch('http://edge.example/cutout?x=0&y=0&w=1&h=1');
    expect(noUrl.status).toBe(400);
    expect(((await noUrl.json()) as { error: string }).error).toContain('url');
    const missing = await mf.dispatchFetch(cutoutUrl('nope.fits', 'json'));
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'NOT_FOUND' });
  });
});
