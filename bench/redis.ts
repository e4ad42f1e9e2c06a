/**
 * The Redis cache (RedisStore) against per-process folder caches, with a real
 * redis-server on loopback and a loopback origin with injected latency
 * (test/remote/server.ts):
 *
 *  1. 4 processes × 200 files (FitsDataset): bytes fetched from the origin
 *     (× the dataset's bytes), wall time and items/s — sharded (rank /
 *     worldSize 4, 3 reshuffled epochs), and 4 independent runs over every
 *     file at once (cold, then warm: caches kept);
 *  2. compression of cached blocks (23 040-byte blocks) on test/corpus and the
 *     bench images: ratio and speed of raw deflate 1 (what RedisStore uses),
 *     deflate 6 and brotli 1;
 *  3. a warm 32 MiB read through RedisStore (raw and compressed values) vs the
 *     folder cache.
 *
 * Inputs: /usr/bin/python3 bench/remote.py (→ /tmp/fitsflow-bench-remote); redis-server on PATH.
 * Run (Node 20 has no type stripping):
 *
 *   npx esbuild bench/redis.ts --bundle --platform=node --format=esm --packages=external --outfile=bench/out/redis.mjs \
 *     && node bench/out/redis.mjs [RUNS]
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as zlib from 'node:zlib';
import { Redis } from 'ioredis';
import { open, FitsDataset, cacheOptionsFromEnv, type CacheOptions, type PersistentStore } from '../test/helpers/fitsflow.js';
import { RedisStore } from '../src/node/redis/redis-store.js';
import { TestServer } from '../test/remote/server.js';
import { smallImage } from '../test/remote/fits-bytes.js';
import { RedisServer } from '../test/redis/redis-server.js';

interface Job {
  urls: string[];
  rank: number;
  worldSize: number;
  epochs: number;
  seed: number;
  /** Folder cache of this process (else FITSFLOW_CACHE). */
  dir?: string;
}

// `node redis.mjs --child JOB`: one worker. Says "ready", waits for "go", runs its FitsDataset, prints JSON.
if (process.argv[2] === '--child') {
  const job = JSON.parse(process.argv[3]!) as Job;
  // Both kinds trust what their cache recorded from the origin for 10 minutes (no probe per open when it is fresh).
  const cache: CacheOptions | undefined = job.dir ? { dir: job.dir, maxAge: 600_000 } : await cacheOptionsFromEnv(process.env);
  const store = cache && typeof cache.persistent === 'object' ? (cache.persistent as PersistentStore & { close?: () => Promise<void> }) : null;
  process.stdout.write('ready\n');
  await new Promise<void>((r) => {
    const rl = createInterface({ input: process.stdin });
    rl.once('line', () => {
      rl.close();
      process.stdin.destroy();
      r();
    });
  });
  const ds = new FitsDataset(job.urls, {
    rank: job.rank,
    worldSize: job.worldSize,
    epochs: job.epochs,
    shuffle: job.seed,
    open: { cache },
    select: async (f) => createHash('sha256').update(await f.source.read(0, f.source.size)).digest('hex'),
  });
  let items = 0;
  for await (const _ of ds) items++;
  await store?.close?.();
  process.stdout.write(JSON.stringify({ items }) + '\n');
  process.exit(0);
}

const here = dirname(fileURLToPath(import.meta.url));
const RUNS = Number(process.argv[2] ?? 3);
const LATENCY_MS = 20;
const FILES = 200;
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const out = (s: string) => process.stdout.write(s + '\n');
const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

/** Run workers at once (all ready, then all go); wall time from go to the last exit. */
async function runWorkers(jobs: Job[], env: Record<string, string>): Promise<{ ms: number; items: number }> {
  const procs = jobs.map((job) => {
    const p = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', JSON.stringify(job)], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
    let text = '';
    const ready = new Promise<void>((res, rej) => {
      p.stdout.on('data', (d) => {
        text += d;
        if (text.startsWith('ready\n')) res();
      });
      p.once('exit', (c) => rej(new Error(`worker exited ${c} before ready`)));
    });
    const done = new Promise<number>((res, rej) => p.once('exit', (c) => (c === 0 ? res(JSON.parse(text.split('\n').filter(Boolean).pop()!).items) : rej(new Error(`worker exited ${c}`)))));
    done.catch(() => {});
    return { p, ready, done };
  });
  await Promise.all(procs.map((x) => x.ready));
  const t = performance.now();
  for (const x of procs) x.p.stdin.write('go\n');
  const items = (await Promise.all(procs.map((x) => x.done))).reduce((a, b) => a + b, 0);
  return { ms: performance.now() - t, items };
}

const redis = await RedisServer.start();
const origin = await new TestServer({ latencyMs: LATENCY_MS }).start();
const flushRedis = async () => {
  const c = new Redis(redis.url);
  await c.flushall();
  c.disconnect();
};

out(`# bench/redis.ts — ${new Date().toISOString()}; medians of ${RUNS} runs; 2-core VM shared with other jobs (noisy wall times)`);

// 1. 4 processes × 200 files ------------------------------------------------------
let datasetBytes = 0;
const urls: string[] = [];
for (let i = 0; i < FILES; i++) {
  const b = smallImage(i, 256, 256);
  origin.put(`d${i}.fits`, b);
  datasetBytes += b.length;
  urls.push(origin.url(`d${i}.fits`));
}
out(`\n## 1. 4 processes × ${FILES} files (256×256 int16, ${mib(datasetBytes)} in all), origin latency ${LATENCY_MS} ms per request`);
out('scenario                                 cache              origin bytes (× dataset)  requests   wall ms   items/s');
const scenarios: [string, (r: number) => Omit<Job, 'dir'>, number][] = [
  ['sharded 4 ranks × 3 epochs', (r) => ({ urls, rank: r, worldSize: 4, epochs: 3, seed: 11 }), 1],
  ['4 independent runs, all files', (r) => ({ urls, rank: 0, worldSize: 1, epochs: 1, seed: 100 + r }), 2],
];
for (const [name, jobOf, passes] of scenarios) {
  for (const mode of ['redis', 'folder'] as const) {
    const rows: { bytes: number; reqs: number; ms: number; items: number }[][] = Array.from({ length: passes }, () => []);
    for (let run = 0; run < RUNS; run++) {
      await flushRedis();
      const dirs = [0, 1, 2, 3].map((r) => mkdtempSync(join(tmpdir(), `fitsflow-bench-redis-${r}-`)));
      try {
        for (let pass = 0; pass < passes; pass++) {
          origin.reset();
          const jobs = [0, 1, 2, 3].map((r) => ({ ...jobOf(r), ...(mode === 'folder' ? { dir: dirs[r] } : {}) }));
          const r = await runWorkers(jobs, mode === 'redis' ? { FITSFLOW_CACHE: redis.url, FITSFLOW_CACHE_MAX_AGE: '600' } : {});
          rows[pass]!.push({ bytes: origin.bytesSent(), reqs: origin.log.length, ms: r.ms, items: r.items });
        }
      } finally {
        for (const d of dirs) rmSync(d, { recursive: true, force: true });
      }
    }
    rows.forEach((rs, pass) => {
      const bytes = median(rs.map((x) => x.bytes));
      const ms = median(rs.map((x) => x.ms));
      const label = passes > 1 ? `${name} (${pass ? 'warm' : 'cold'})` : name;
      const per = mode === 'redis' ? 'Redis, shared' : 'folder/process';
      out(`${label.padEnd(40)} ${per.padEnd(18)} ${String(bytes).padStart(10)} (${(bytes / datasetBytes).toFixed(2)}×)        ${String(median(rs.map((x) => x.reqs))).padStart(5)}  ${ms.toFixed(0).padStart(8)}  ${((rs[0]!.items / ms) * 1000).toFixed(0).padStart(8)}`);
    });
  }
}

// 2. Compression of cached blocks ---------------------------------------------------------
const B = 8 * 2880;
function walk(d: string, acc: string[] = []): string[] {
  for (const n of readdirSync(d)) {
    const p = join(d, n);
    if (statSync(p).isDirectory()) walk(p, acc);
    else if (/\.fits(\.fz)?$/.test(n)) acc.push(p);
  }
  return acc;
}
/** Bytes of the files under a folder. */
function du(d: string): number {
  let n = 0;
  for (const e of readdirSync(d, { withFileTypes: true })) n += e.isDirectory() ? du(join(d, e.name)) : statSync(join(d, e.name)).size;
  return n;
}
const BENCH_DIR = '/tmp/fitsflow-bench-remote';
// The repository (this file runs from bench/out/ once bundled).
const root = [join(here, '..'), join(here, '..', '..')].find((d) => existsSync(join(d, 'test', 'corpus', 'manifest.json')))!;
const corpus = join(root, 'test', 'corpus');
const sets: [string, string[]][] = [['test/corpus (all files)', walk(corpus)]];
if (existsSync(join(BENCH_DIR, 'sky_int16.fits'))) {
  sets.push(['sky_int16.fits (4096² int16)', [join(BENCH_DIR, 'sky_int16.fits')]]);
  sets.push(['sky_rows.fits.fz (Rice tiles)', [join(BENCH_DIR, 'sky_rows.fits.fz')]]);
} else out(`\n(no ${BENCH_DIR}: run /usr/bin/python3 bench/remote.py for the bench images)`);
const codecs: [string, (b: Uint8Array) => Uint8Array, (c: Uint8Array) => Uint8Array][] = [
  ['deflate 1 (RedisStore)', (b) => zlib.deflateRawSync(b, { level: 1 }), (c) => zlib.inflateRawSync(c)],
  ['deflate 6', (b) => zlib.deflateRawSync(b, { level: 6 }), (c) => zlib.inflateRawSync(c)],
  ['brotli 1', (b) => zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } }), (c) => zlib.brotliDecompressSync(c)],
];
out(`\n## 2. Compression of cached blocks (${B}-byte blocks; one thread; stored: blocks saving < 1/8 kept raw, as RedisStore does)`);
out('files                             codec                    ratio   stored ratio   compress MiB/s   inflate MiB/s');
for (const [label, files] of sets) {
  const blocks: Uint8Array[] = [];
  for (const f of files) {
    const d = readFileSync(f);
    for (let o = 0; o < d.length; o += B) blocks.push(d.subarray(o, Math.min(o + B, d.length)));
  }
  const raw = blocks.reduce((a, b) => a + b.length, 0);
  for (const [name, c, d] of codecs) {
    const tc: number[] = [];
    const td: number[] = [];
    let packed: Uint8Array[] = [];
    for (let r = 0; r < RUNS; r++) {
      let t = performance.now();
      packed = blocks.map(c);
      tc.push(performance.now() - t);
      t = performance.now();
      for (const p of packed) d(p);
      td.push(performance.now() - t);
    }
    const comp = packed.reduce((a, p) => a + p.length, 0);
    const stored = packed.reduce((a, p, i) => a + Math.min(p.length <= blocks[i]!.length * 0.875 ? p.length : Infinity, blocks[i]!.length), 0);
    const rate = (ms: number) => (raw / 2 ** 20 / (ms / 1000)).toFixed(0);
    out(`${label.padEnd(33)} ${name.padEnd(24)} ${(raw / comp).toFixed(2).padStart(5)}   ${(raw / stored).toFixed(2).padStart(12)}   ${rate(median(tc)).padStart(14)}   ${rate(median(td)).padStart(13)}`);
  }
}

// 3. Warm 32 MiB read: Redis (raw, compressed) vs folder cache ------------------------------
if (existsSync(join(BENCH_DIR, 'sky_int16.fits'))) {
  const fast = await new TestServer({ root: BENCH_DIR }).start();
  out(`\n## 3. Warm read of a whole file through the persistent cache (no memory cache; open + read + close; median of ${Math.max(RUNS, 5)})`);
  out('file                 cache                        ms      MiB/s    bytes in the cache');
  for (const name of ['sky_int16.fits', 'sky_rows.fits.fz']) {
    const url = fast.url(name);
    const size = statSync(join(BENCH_DIR, name)).size;
    const dir = mkdtempSync(join(tmpdir(), 'fitsflow-bench-redis-fs-'));
    const modes: [string, () => CacheOptions, () => Promise<number>][] = [];
    for (const compress of [false, true]) {
      const prefix = `bench-${compress ? 'deflate' : 'raw'}-${name}:`;
      const store = new RedisStore({ url: redis.url, prefix, compress });
      modes.push([`Redis, ${compress ? 'deflate 1' : 'raw'}`, () => ({ memory: false, persistent: store }), async () => (await store.stats()).bytes]);
    }
    modes.push(['folder cache', () => ({ memory: false, dir }), async () => du(dir)]);
    for (const [label, cache, bytesIn] of modes) {
      const read = async () => {
        const f = await open(url, { cache: cache() });
        await f.source.read(0, f.source.size);
        await f.close();
      };
      await read(); // fill
      const ts: number[] = [];
      for (let r = 0; r < Math.max(RUNS, 5); r++) {
        const t = performance.now();
        await read();
        ts.push(performance.now() - t);
      }
      const ms = median(ts);
      const inCache = mib(await bytesIn());
      out(`${name.padEnd(20)} ${label.padEnd(24)} ${ms.toFixed(1).padStart(8)}  ${(size / 2 ** 20 / (ms / 1000)).toFixed(0).padStart(7)}    ${inCache}`);
    }
    rmSync(dir, { recursive: true, force: true });
  }
  await fast.close();
}

await origin.close();
await redis.stop();
process.exit(0);
