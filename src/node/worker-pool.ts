/**
 * Worker pool on node:worker_threads (Node, Bun, and Deno through its Node
 * compatibility). Only Node entry points import this module.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { os, workerThreads } from './builtins.js';
import { BasicWorkerPool, type WorkerHandle } from '../workers/pool-core.js';

/** Options of {@link createNodeWorkerPool}. */
export interface NodeWorkerPoolOptions {
  /** Number of workers (default: hardware threads − 1, at least 1). */
  size?: number;
  /**
   * The worker script. Default: `decode-worker-node.js` next to this module,
   * which is where the build puts it (dist/).
   */
  workerUrl?: URL | string;
}

/** Where the built worker script is expected. */
export function defaultNodeWorkerUrl(): URL {
  return new URL('./decode-worker-node.js', import.meta.url);
}

/**
 * Start a pool of worker threads running fitsflow's decode worker.
 * @throws Error if the worker script does not exist (e.g. running from sources
 *   without a build).
 */
export function createNodeWorkerPool(opts: NodeWorkerPoolOptions = {}): BasicWorkerPool {
  const size = opts.size ?? Math.max(1, os().availableParallelism() - 1);
  const url = opts.workerUrl === undefined ? defaultNodeWorkerUrl() : typeof opts.workerUrl === 'string' ? new URL(opts.workerUrl, 'file:///') : opts.workerUrl;
  if (url.protocol === 'file:' && !existsSync(fileURLToPath(url))) {
    throw new Error(`The worker script ${fileURLToPath(url)} does not exist (build with tsup).`);
  }
  return new BasicWorkerPool(size, () => spawnNodeWorker(url));
}

/** Options of the process that a worker must not inherit: they take the main script's place (`node -e`, `--input-type`). */
const SCRIPT_OPTIONS = new Set(['-e', '--eval', '-p', '--print', '--input-type']);

/**
 * The process's Node options minus those about its main script. A Worker
 * inherits `process.execArgv` by default, and in `node --input-type=module -e
 * …` every worker died at start ("--input-type can only be used with string
 * input"), so no read there ever got a worker.
 */
export function workerExecArgv(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!;
    const name = a.split('=', 1)[0]!;
    if (!SCRIPT_OPTIONS.has(name)) kept.push(a);
    else if (!a.includes('=')) i++; // the option's value is the next element
  }
  return kept;
}

/** Start one worker_threads Worker on `url`, wrapped for BasicWorkerPool (used by the decode and encode pools). */
export function spawnNodeWorker(url: URL): WorkerHandle {
  const w = new (workerThreads().Worker)(url, { execArgv: workerExecArgv(globalThis.process?.execArgv ?? []) });
  return {
    post: (m, t) => w.postMessage(m, t as never),
    listen(onMessage, onFailure) {
      w.on('message', onMessage);
      w.on('error', onFailure);
      w.on('exit', (code) => onFailure(new Error(`worker exited with code ${code}`)));
    },
    terminate: () => w.terminate(),
    ref: () => w.ref(),
    unref: () => w.unref(),
  };
}

/** Default number of decode workers: hardware threads − 1 (0 on one core: decode inline). */
export function defaultNodeWorkerCount(): number {
  return Math.max(0, os().availableParallelism() - 1);
}
