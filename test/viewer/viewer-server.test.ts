/**
 * The viewer's loopback server (src/node/viewer-server.ts) and its pan/zoom
 * arithmetic (src/viewer/view.ts), without a browser.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFitsError } from '../helpers/fitsflow.js';
import { startViewerServer, type ViewerServer } from '../../src/node/viewer-server.js';
import { canvasToImage, fitView, panBy, zoomAt } from '../../src/viewer/view.js';

const FILE = join(import.meta.dirname, '../corpus/images/bitpix16_2d.fits');
let dir: string;
let server: ViewerServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fitsflow-viewer-server-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>page</title>');
  writeFileSync(join(dir, 'app.js'), 'export {};');
  server = await startViewerServer({ pageDir: dir, file: FILE });
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the viewer server', () => {
  it('serves the page, cross-origin isolated, on 127.0.0.1', async () => {
    expect(server.url).toBe(`${server.origin}/?open=%2Ffile%2Fbitpix16_2d.fits`);
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const r = await fetch(`${server.origin}/`);
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('<title>page</title>');
    expect(r.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(r.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect((await fetch(`${server.origin}/app.js`)).headers.get('content-type')).toContain('text/javascript');
  });

  it('serves the file with byte ranges', async () => {
    const whole = readFileSync(FILE);
    const r = await fetch(`${server.origin}/file/bitpix16_2d.fits`, { headers: { Range: 'bytes=2880-2889' } });
    expect(r.status).toBe(206);
    expect(r.headers.get('content-range')).toBe(`bytes 2880-2889/${whole.length}`);
    expect(Buffer.from(await r.arrayBuffer())).toEqual(whole.subarray(2880, 2890));
    const tail = await fetch(`${server.origin}/file/bitpix16_2d.fits`, { headers: { Range: 'bytes=-80' } });
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(whole.subarray(whole.length - 80));
    expect((await fetch(`${server.origin}/file/bitpix16_2d.fits`, { headers: { Range: `bytes=${whole.length}-` } })).status).toBe(416);
    const all = await fetch(`${server.origin}/file/bitpix16_2d.fits`);
    expect(all.status).toBe(200);
    expect(Buffer.from(await all.arrayBuffer())).toEqual(whole);
  });

  it('serves nothing else: other files, paths out of the page folder, other methods', async () => {
    for (const p of ['/file/other.fits', '/../package.json', '/%2e%2e/package.json', '/file/..%2Fpackage.json', '/nothing.js']) {
      expect((await fetch(`${server.origin}${p}`)).status, p).toBe(404);
    }
    expect((await fetch(`${server.origin}/`, { method: 'POST', body: 'x' })).status).toBe(405);
  });

  it('a URL to view goes into the page address (the page opens it itself)', async () => {
    const s = await startViewerServer({ pageDir: dir, url: 'https://example.org/data/a b.fits' });
    try {
      expect(s.url).toBe(`${s.origin}/?open=https%3A%2F%2Fexample.org%2Fdata%2Fa%20b.fits`);
      expect((await fetch(`${s.origin}/file/a b.fits`)).status).toBe(404);
    } finally {
      await s.close();
    }
  });

  it('refuses a page folder that is not built and a missing file, in one sentence', async () => {
    const notBuilt = await startViewerServer({ pageDir: join(dir, 'nope') }).catch((e) => e);
    expect(isFitsError(notBuilt) && notBuilt.message).toMatch(/not built .*run npm run build\.$/);
    const missing = await startViewerServer({ pageDir: dir, file: join(dir, 'missing.fits') }).catch((e) => e);
    expect(isFitsError(missing) && missing.message).toMatch(/is not a file: give the path of a FITS file or a URL\.$/);
  });
});

describe('pan and zoom', () => {
  it('fitView shows the whole image, centred', () => {
    expect(fitView(200, 100, 400, 400)).toEqual({ x: 100, y: 50, zoom: 2 });
  });

  it('zoomAt keeps the image point under the cursor; panBy moves by the drag', () => {
    const num = fc.double({ min: -1000, max: 1000, noNaN: true });
    fc.assert(
      fc.property(num, num, fc.double({ min: 0.05, max: 50, noNaN: true }), fc.double({ min: 0.2, max: 5, noNaN: true }), fc.integer({ min: 0, max: 799 }), fc.integer({ min: 0, max: 599 }), (x, y, zoom, factor, cx, cy) => {
        const v = { x, y, zoom };
        const before = canvasToImage(v, cx, cy, 800, 600);
        const after = canvasToImage(zoomAt(v, factor, cx, cy, 800, 600), cx, cy, 800, 600);
        expect(after.x).toBeCloseTo(before.x, 6);
        expect(after.y).toBeCloseTo(before.y, 6);
        const moved = canvasToImage(panBy(v, 30, -20), cx + 30, cy - 20, 800, 600);
        expect(moved.x).toBeCloseTo(before.x, 6);
        expect(moved.y).toBeCloseTo(before.y, 6);
      }),
    );
  });
});
