// Budget: a page that opens a URL and reads a Rice-compressed cutout bundles
// (esbuild, minified, code splitting as bundlers do for dynamic imports) to
// ≤ 60 KiB gzip — counting the chunks the page actually loads for that read.
// The bundle is run in Node (fetch to a 127.0.0.1 server) with a module hook
// recording every chunk loaded; the whole bundle's size is printed too.
//   npm run build && node bench/bundle-size.mjs
import { build } from 'esbuild';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
// A project with fitsflow installed (a link to this checkout), so `fitsflow`
// resolves through package.json `exports` with the browser condition.
const project = mkdtempSync(join(tmpdir(), 'fitsflow-bundle-'));
mkdirSync(join(project, 'node_modules'));
symlinkSync(root, join(project, 'node_modules/fitsflow'), 'dir');
writeFileSync(join(project, 'page.ts'), readFileSync(join(here, 'bundle/cutout-page.ts')));
const out = join(project, 'out');
await build({
  entryPoints: [join(project, 'page.ts')],
  bundle: true, minify: true, splitting: true, format: 'esm', platform: 'browser', target: 'es2022',
  outdir: out, logLevel: 'warning', absWorkingDir: project,
});
const files = readdirSync(out).filter((f) => f.endsWith('.js'));
const gz = (f) => gzipSync(readFileSync(join(out, f)), { level: 9 }).length;
const total = files.reduce((a, f) => a + gz(f), 0);

// A Rice-compressed image to read: the corpus's.
const fits = readFileSync(join(root, 'test/corpus/compressed/fpack/rice_int16.fits.fz'));
const server = createServer((req, res) => {
  const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '');
  const headers = { 'accept-ranges': 'bytes', etag: '"1"', 'content-type': 'application/fits' };
  if (req.method === 'HEAD') { res.writeHead(200, { ...headers, 'content-length': fits.length }); res.end(); return; }
  if (!m) { res.writeHead(200, { ...headers, 'content-length': fits.length }); res.end(fits); return; }
  const a = Number(m[1]), b = Math.min(Number(m[2]), fits.length - 1);
  res.writeHead(206, { ...headers, 'content-range': `bytes ${a}-${b}/${fits.length}`, 'content-length': b - a + 1 });
  res.end(fits.subarray(a, b + 1));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/rice.fits`;

// Record the chunks the page loads.
const loaded = new Set();
const { port1, port2 } = new MessageChannel();
port1.on('message', (u) => loaded.add(u));
port1.unref();
register('data:text/javascript,' + encodeURIComponent(`
let port; export function initialize(d) { port = d.port; }
export async function load(url, ctx, next) { if (url.startsWith(${JSON.stringify(pathToFileURL(out).href)})) port.postMessage(url); return next(url, ctx); }`), { data: { port: port2 }, transferList: [port2] });
const page = await import(pathToFileURL(join(out, 'page.js')).href);
const sum = await page.cutout(url);
await new Promise((r) => setTimeout(r, 50));
server.close();
const used = [...loaded].map((u) => fileURLToPath(u).slice(out.length + 1));
const usedGz = used.reduce((a, f) => a + gz(f), 0);
console.log(`cutout sum ${sum}; chunks loaded: ${used.length} of ${files.length}`);
for (const f of used.sort()) console.log(`  ${f.padEnd(28)} ${(statSync(join(out, f)).size / 1024).toFixed(1).padStart(7)} KiB min, ${(gz(f) / 1024).toFixed(1).padStart(6)} KiB gzip`);
console.log(`loaded for the cutout: ${(usedGz / 1024).toFixed(1)} KiB gzip (budget 60 KiB); whole bundle: ${(total / 1024).toFixed(1)} KiB gzip in ${files.length} files`);
rmSync(project, { recursive: true, force: true });
process.exitCode = usedGz <= 60 * 1024 ? 0 : 1;
