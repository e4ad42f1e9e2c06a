/**
 * Shared helpers of the packed-package tests (test/package/*): the tarball
 * `npm pack` makes (packed once per build), fresh consumer projects that
 * install it with `npm install <tarball>`, child processes, and a static
 * HTTP server with Range requests and optional cross-origin isolation.
 *
 * These tests check what a new user gets from the registry, so they import
 * nothing from src/: only the tarball's files, through the projects.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** CI sets CI=true: a missing tool fails there instead of skipping. */
export const inCI = !!process.env.CI;
/** Keep temp projects for inspection (FITSFLOW_KEEP_TMP=1). */
const keepTmp = !!process.env.FITSFLOW_KEEP_TMP;

/** A file of the repository's node_modules/.bin. */
export function bin(name: string): string {
  return join(repoRoot, 'node_modules/.bin', name);
}

/**
 * Whether a tool the test needs is there. Missing: in CI an error (CI
 * installs every tool), locally a warning and false (the caller skips).
 */
export function toolAvailable(what: string, present: boolean, install: string): boolean {
  if (present) return true;
  const msg = `${what} is missing (${install})`;
  if (inCI) throw new Error(`${msg}; CI must install it.`);
  console.warn(`SKIPPED: ${msg}.`);
  return false;
}

// ---------------------------------------------------------------------------
// Child processes

export interface RunResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Kill after this many ms (default 180 000): a hung tool fails the test, never the run. */
  timeout?: number;
}

/** Run a command to completion; never rejects for a non-zero exit (see {@link runOk}). */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env } as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeout ?? 180_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/** Run a command; reject with its output when it fails. */
export async function runOk(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) {
    throw new Error(`\`${[cmd, ...args].join(' ')}\` (in ${opts.cwd ?? process.cwd()}) exited with ${r.code ?? r.signal}:\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
  }
  return r;
}

// ---------------------------------------------------------------------------
// The tarball

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out.sort();
}

/** Newest modification time of the files under `dir` (ms). */
function newestMtime(dir: string): number {
  let t = 0;
  for (const f of filesUnder(dir)) t = Math.max(t, statSync(f).mtimeMs);
  return t;
}

let tarballPromise: Promise<string> | null = null;

/**
 * The package as `npm pack` makes it from the current build (dist/). Packed
 * once per build: the tarball is kept in the temp folder under a hash of
 * what goes into it, so the test files (separate processes) and later runs
 * share it. Fails when dist/ is missing or older than src/.
 */
export function packedTarball(): Promise<string> {
  tarballPromise ??= pack();
  return tarballPromise;
}

async function pack(): Promise<string> {
  const dist = join(repoRoot, 'dist');
  if (!existsSync(join(dist, 'node.js'))) throw new Error('dist/ is not built: run `npm run build` (npm test builds it first).');
  if (newestMtime(join(repoRoot, 'src')) > newestMtime(dist)) {
    throw new Error('dist/ is older than src/: run `npm run build` (npm test builds it first), so the tarball holds the current code.');
  }
  const h = createHash('sha256');
  for (const f of ['package.json', 'README.md', ...filesUnder(dist).map((p) => relative(repoRoot, p))]) {
    h.update(f).update('\0');
    if (existsSync(join(repoRoot, f))) h.update(readFileSync(join(repoRoot, f)));
  }
  const dir = join(tmpdir(), `fitsflow-pack-${h.digest('hex').slice(0, 16)}`);
  const tarball = join(dir, 'fitsflow.tgz');
  if (existsSync(tarball)) return tarball;
  // Tarballs of earlier builds: removed after a day (a run in progress may still be installing a recent one).
  for (const e of readdirSync(tmpdir())) {
    const old = join(tmpdir(), e);
    if (e.startsWith('fitsflow-pack-') && old !== dir && Date.now() - statSync(old).mtimeMs > 86_400_000) rmSync(old, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  // Pack into a folder of our own, then rename: concurrent test files see either no tarball or a whole one.
  const work = mkdtempSync(join(dir, 'pack-'));
  const r = await runOk('npm', ['pack', '--json', '--pack-destination', work], { cwd: repoRoot });
  const name = (JSON.parse(r.stdout) as { filename: string }[])[0]!.filename;
  renameSync(join(work, name), tarball);
  rmSync(work, { recursive: true, force: true });
  return tarball;
}

/** The version of a package installed in the repository (so consumer installs hit the npm cache). */
export function repoVersion(name: string): string {
  return (JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

// ---------------------------------------------------------------------------
// Consumer projects

export interface Project {
  dir: string;
  /** A path inside the project. */
  path(rel: string): string;
  /** Write a file (folders made as needed). */
  write(rel: string, contents: string | Uint8Array): string;
  /** Remove the project (kept when FITSFLOW_KEEP_TMP is set). */
  cleanup(): void;
}

export interface ProjectOptions {
  /** Extra packages to install with the tarball (`name@version`). */
  dependencies?: string[];
  /** Files to write before installing. */
  files?: Record<string, string>;
  /** Fields merged into package.json. */
  packageJson?: Record<string, unknown>;
}

/**
 * A fresh project in a temp folder with the packed fitsflow installed by
 * `npm install <tarball>`, as a user would, from the local npm cache where
 * it can (`--prefer-offline`).
 */
export async function makeProject(name: string, opts: ProjectOptions = {}): Promise<Project> {
  const tarball = await packedTarball();
  const dir = mkdtempSync(join(tmpdir(), `fitsflow-${name}-`));
  const project: Project = {
    dir,
    path: (rel) => join(dir, rel),
    write(rel, contents) {
      const p = join(dir, rel);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, contents);
      return p;
    },
    cleanup() {
      if (keepTmp) console.log(`kept ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
  project.write('package.json', JSON.stringify({ name: `consumer-${name}`, private: true, type: 'module', ...opts.packageJson }, null, 2));
  for (const [rel, text] of Object.entries(opts.files ?? {})) project.write(rel, text);
  await runOk('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball, ...(opts.dependencies ?? [])], { cwd: dir });
  return project;
}

// ---------------------------------------------------------------------------
// Static HTTP server

export interface ServedRequest {
  method: string;
  path: string;
  range: string | null;
  status: number;
  /** Body bytes sent (0 for HEAD and errors). */
  bytes: number;
}

export interface StaticServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** Every request answered, in order. */
  requests: ServedRequest[];
  close(): Promise<void>;
}

export interface StaticServerOptions {
  /** URL prefix → folder served under it (e.g. `{ '/': dir, '/corpus/': corpusDir }`); longest prefix wins. */
  mounts: Record<string, string>;
  /**
   * Send Cross-Origin-Opener-Policy: same-origin and
   * Cross-Origin-Embedder-Policy: require-corp (and CORP) with every
   * response, which makes a page cross-origin isolated.
   */
  crossOriginIsolated?: boolean;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
};

/** Parse one `bytes=` range against a size: [start, end] inclusive, 'unsatisfiable', or null (no/ignored Range). */
function parseRange(h: string | undefined, size: number): [number, number] | 'unsatisfiable' | null {
  const m = h ? /^bytes=(\d*)-(\d*)$/.exec(h.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  return start > end || start >= size ? 'unsatisfiable' : [start, end];
}

/**
 * A static file server on 127.0.0.1 (an ephemeral port): GET and HEAD,
 * single `Range: bytes=` requests (206 with Content-Range), ETag and
 * Last-Modified, CORS for any origin.
 */
export function startStaticServer(opts: StaticServerOptions): Promise<StaticServer> {
  const mounts = Object.entries(opts.mounts).sort((a, b) => b[0].length - a[0].length);
  const requests: ServedRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = decodeURIComponent(url.pathname);
    const range = req.headers.range ?? null;
    const done = (status: number, bytes = 0) => requests.push({ method: req.method ?? '', path, range, status, bytes });
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Expose-Headers', 'Content-Range, Content-Length, ETag, Last-Modified, Accept-Ranges');
    if (opts.crossOriginIsolated) {
      res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
      res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    }
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Headers', '*');
      res.writeHead(204).end();
      return done(204);
    }
    const mount = mounts.find(([prefix]) => path.startsWith(prefix));
    let file: string | null = null;
    if (mount) {
      const root = resolve(mount[1]);
      const p = normalize(join(root, path.slice(mount[0].length) || 'index.html'));
      if ((p === root || p.startsWith(root + sep)) && existsSync(p) && statSync(p).isFile()) file = p;
    }
    if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(file ? 405 : 404, { 'Content-Type': 'text/plain' }).end(file ? 'method not allowed' : 'not found');
      return done(file ? 405 : 404);
    }
    const st = statSync(file);
    const size = st.size;
    res.setHeader('Content-Type', CONTENT_TYPES[extname(file)] ?? 'application/octet-stream');
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('ETag', `"${size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`);
    res.setHeader('Last-Modified', st.mtime.toUTCString());
    res.setHeader('Cache-Control', 'no-store');
    const r = parseRange(range ?? undefined, size);
    if (r === 'unsatisfiable') {
      res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
      return done(416);
    }
    const [start, end] = r ?? [0, size - 1];
    const status = r ? 206 : 200;
    if (r) res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
    const length = size === 0 ? 0 : end - start + 1;
    res.writeHead(status, { 'Content-Length': String(length) });
    done(status, req.method === 'HEAD' ? 0 : length);
    if (req.method === 'HEAD' || size === 0) res.end();
    else createReadStream(file, { start, end }).pipe(res);
  });
  return new Promise((resolvePromise) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolvePromise({
        origin: `http://127.0.0.1:${port}`,
        requests,
        close: () =>
          new Promise<void>((res) => {
            server.closeAllConnections();
            server.close(() => res());
          }),
      });
    });
  });
}

// ---------------------------------------------------------------------------
// Headless Chromium (Debian's chromium, driven by playwright-core)

export const CHROMIUM = '/usr/bin/chromium';

/** Headless, sandbox-less (root), no network of its own, plus WebGPU on SwiftShader (works with --disable-gpu). */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-webgpu',
  '--enable-unsafe-swiftshader',
];

/** Start Chromium with a fresh profile folder (the caller closes the context and removes the folder). */
export async function launchChromium(): Promise<{ context: import('playwright-core').BrowserContext; userDataDir: string }> {
  const { chromium } = await import('playwright-core');
  const userDataDir = mkdtempSync(join(tmpdir(), 'fitsflow-chromium-profile-'));
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  return { context, userDataDir };
}

// ---------------------------------------------------------------------------
// A large tile-compressed image, made by fpack

export const FPACK = '/usr/bin/fpack';

/** 1024 × 1024 int16: the size from which tile-compressed reads go to workers (PARALLEL_MIN_PIXELS). */
export const LARGE_IMAGE = { width: 1024, height: 1024 };

/** The large image's files (`big.fits`, and `big.fits.fz` with the image in HDU 1) and what DIGEST.md says of its pixels. */
export interface LargeImage {
  /** The plain file. */
  plainPath: string;
  /** The fpacked file. */
  path: string;
  /** Its CRPIX1 and CRPIX2 (1-based, FITS convention). */
  crpix: [number, number];
  sha256: string;
  min: number;
  max: number;
}

/**
 * Write `big.fits` (int16, a gradient plus noise, a TAN WCS) into `dir` and compress it
 * with `fpack -r` (Rice, a tile per row) into `big.fits.fz`. The reference
 * values come from the pixels as generated, not from fitsflow.
 */
export async function makeLargeCompressedImage(dir: string): Promise<LargeImage> {
  const { width, height } = LARGE_IMAGE;
  const pixels = new Int16Array(width * height);
  let s = 2463534242;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      pixels[y * width + x] = 1000 + ((x * 7 + y * 13) % 500) + ((s >>> 0) & 31) - (y === 7 ? 2000 : 0);
    }
  }
  const cards = [
    'SIMPLE  =                    T',
    'BITPIX  =                   16',
    'NAXIS   =                    2',
    `NAXIS1  = ${String(width).padStart(20)}`,
    `NAXIS2  = ${String(height).padStart(20)}`,
    "OBJECT  = 'synthetic'",
    "CTYPE1  = 'RA---TAN'",
    "CTYPE2  = 'DEC--TAN'",
    'CRPIX1  =                512.5',
    'CRPIX2  =                512.5',
    'CRVAL1  =                 10.0',
    'CRVAL2  =                -30.0',
    'CDELT1  =              -0.0002',
    'CDELT2  =               0.0002',
    'END',
  ];
  const bytes = new Uint8Array(2880 + Math.ceil((pixels.length * 2) / 2880) * 2880);
  bytes.set(new TextEncoder().encode(cards.map((c) => c.padEnd(80)).join('').padEnd(2880)));
  const be = new DataView(bytes.buffer, 2880);
  const le = new DataView(new ArrayBuffer(pixels.length * 2));
  let min = Infinity;
  let max = -Infinity;
  pixels.forEach((v, i) => {
    be.setInt16(2 * i, v, false);
    le.setInt16(2 * i, v, true);
    min = Math.min(min, v);
    max = Math.max(max, v);
  });
  writeFileSync(join(dir, 'big.fits'), bytes);
  const path = join(dir, 'big.fits.fz');
  const r = await run(FPACK, ['-r', 'big.fits'], { cwd: dir });
  if (r.code !== 0 || !existsSync(path)) throw new Error(`fpack failed: ${r.stdout}${r.stderr}`);
  return { plainPath: join(dir, 'big.fits'), path, crpix: [512.5, 512.5], sha256: createHash('sha256').update(new Uint8Array(le.buffer)).digest('hex'), min, max };
}
