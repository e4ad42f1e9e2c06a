/**
 * Build the browser viewer's page into dist/viewer/ (or the folder given as
 * the first argument): index.html, app.js (src/viewer/app.ts bundled by
 * esbuild for browsers) and decode-worker.js (the web runtime's Web Worker
 * script, found next to app.js). Static files: `fitsflow view` serves them,
 * and so can any static host.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Build the page into `outdir`; resolves with esbuild's metafile. */
export async function buildViewer(outdir = join(root, 'dist/viewer')) {
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: { app: 'src/viewer/app.ts', 'decode-worker': 'src/web/decode-worker.ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir,
    minify: true,
    sourcemap: false,
    metafile: true,
    logLevel: 'warning',
    // The optional Node WebGPU package is never reached in a browser.
    external: ['webgpu'],
  });
  copyFileSync(join(root, 'src/viewer/index.html'), join(outdir, 'index.html'));
  return result.metafile;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await buildViewer(process.argv[2] ? resolve(process.argv[2]) : undefined);
