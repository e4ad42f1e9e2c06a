/**
 * Real child processes for the multi-process Redis tests and the bench: each
 * configures its cache from the environment (FITSFLOW_CACHE,
 * FITSFLOW_CACHE_MAX_AGE, as a CLI or a training worker would), says
 * "ready", waits for "go" on stdin (so that all start reading at once), then
 * reads files or runs a FitsDataset shard, and prints one JSON line.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildChildScript } from '../helpers/child-script.js';

const here = dirname(fileURLToPath(import.meta.url));

/** What a child does. */
export interface ChildJob {
  urls: string[];
  /** 'read': every file whole, `parallel` at a time; 'dataset': a FitsDataset shard. */
  mode: 'read' | 'dataset';
  parallel?: number;
  dataset?: { rank: number; worldSize: number; epochs: number; seed: number; prefetch?: number; concurrency?: number };
  /** Folder cache for this process (instead of the environment's choice). */
  dir?: string;
  /** Keep blocks in this process's memory cache (default true). */
  memory?: boolean;
  /** Leave the store open at the end (the process must exit by itself all the same). */
  noClose?: boolean;
  /** HTTP options of open() (e.g. fewer retries when the origin is down on purpose). */
  http?: Record<string, unknown>;
}

export interface ChildResult {
  /** Per file read: [url, sha256 of its bytes] (dataset: per item, with index and epoch). */
  results: { url: string; sha: string; index?: number; epoch?: number }[];
  counters: Record<string, number> | null;
  ms: number;
  stderr: string;
  /** The error that ended the job, if one did. */
  error?: { code: string | null; message: string };
}

const SCRIPT = `
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { open, FitsDataset } from ${JSON.stringify(resolve(here, '../helpers/fitsflow.ts'))};
import { cacheOptionsFromEnv } from ${JSON.stringify(resolve(here, '../../src/node/cache-env.ts'))};

const job = JSON.parse(process.argv[2]);
const base = job.memory === false ? { memory: false } : {};
const cache = job.dir ? { ...base, dir: job.dir } : await cacheOptionsFromEnv(process.env, base);
const store = cache && typeof cache.persistent === 'object' ? cache.persistent : null;
const sha = (b) => createHash('sha256').update(b).digest('hex');
process.stdout.write('ready\\n');
await new Promise((r) => {
  const rl = createInterface({ input: process.stdin });
  rl.once('line', () => {
    rl.close();
    process.stdin.destroy(); // or it holds the process open
    r();
  });
});
const t0 = performance.now();
const results = [];
let error;
try {
  if (job.mode === 'read') {
    const queue = [...job.urls];
    const worker = async () => {
      for (let url; (url = queue.shift()) !== undefined; ) {
        const f = await open(url, { cache, http: job.http });
        try {
          results.push({ url, sha: sha(await f.source.read(0, f.source.size)) });
        } finally {
          await f.close();
        }
      }
    };
    await Promise.all(Array.from({ length: job.parallel ?? 1 }, worker));
  } else {
    const d = job.dataset;
    const ds = new FitsDataset(job.urls, {
      rank: d.rank, worldSize: d.worldSize, epochs: d.epochs, shuffle: d.seed, prefetch: d.prefetch ?? 8, concurrency: d.concurrency ?? 4,
      open: { cache, http: job.http }, select: async (f, info) => ({ sha: sha(await f.source.read(0, f.source.size)), info }),
    });
    for await (const v of ds) results.push({ url: v.info.url, index: v.info.index, epoch: v.info.epoch, sha: v.sha });
  }
} catch (e) {
  error = { code: e?.code ?? null, message: String(e?.message ?? e) };
}
const ms = performance.now() - t0;
if (!job.noClose) await store?.close?.();
process.stdout.write(JSON.stringify({ results, counters: store ? { ...store.counters } : null, ms, error }) + '\\n');
`;

let built: Promise<string> | null = null;

/** The bundled child script (built once per test file). */
export function childScript(): Promise<string> {
  built ??= (async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'fitsflow-redis-child-')), 'child.mjs');
    await buildChildScript(SCRIPT, here, out);
    return out;
  })();
  return built;
}

/**
 * Run `jobs` in child processes at once (each with `env` added to this
 * process's): all are started, each reports ready, then all are told to go.
 */
export async function runChildren(jobs: ChildJob[], env: Record<string, string>, timeoutMs = 60_000): Promise<ChildResult[]> {
  const script = await childScript();
  const procs = jobs.map((job) => {
    const p = spawn(process.execPath, [script, JSON.stringify(job)], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const ready = new Promise<void>((res, rej) => {
      const check = () => (out.startsWith('ready\n') ? res() : undefined);
      p.stdout.on('data', check);
      p.once('exit', (code) => rej(new Error(`child exited (${code}) before it was ready:\n${err}`)));
    });
    const done = new Promise<ChildResult>((res, rej) => {
      const timer = setTimeout(() => {
        p.kill('SIGKILL');
        rej(new Error(`child timed out:\n${err}`));
      }, timeoutMs);
      p.once('exit', (code) => {
        clearTimeout(timer);
        const line = out.split('\n').filter(Boolean).pop() ?? '';
        if (code !== 0 || !line.startsWith('{')) return rej(new Error(`child failed (${code}):\n${err}\n${out}`));
        res({ ...(JSON.parse(line) as Omit<ChildResult, 'stderr'>), stderr: err });
      });
    });
    done.catch(() => {});
    return { p, ready, done };
  });
  await Promise.all(procs.map((x) => x.ready));
  for (const x of procs) x.p.stdin.write('go\n');
  return Promise.all(procs.map((x) => x.done));
}
