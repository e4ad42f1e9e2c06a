/**
 * FitsDataset: stream items out of many FITS files (local or remote) for
 * training loops and batch jobs — prefetching ahead of the consumer with
 * bounded concurrency, in a deterministic seeded order per epoch, retrying
 * failed files, then skipping (and reporting) or raising.
 *
 * Distributed training: with `rank` / `worldSize`, each worker gets a
 * disjoint share of every epoch's order (the same seeded order on every
 * worker, split by position: see shardOf), so that together they cover each
 * file exactly once per epoch. `state()` saves the position mid-epoch and
 * `resume` continues from it. With a shared persistent cache
 * (`open: { cache: { persistent: new RedisStore(…) } }`), what one worker
 * prefetched serves the others in later epochs, and files several workers
 * miss at once are fetched once.
 *
 * Caching across epochs: the dataset owns a memory block cache and tells it,
 * for every file, when that file is needed next (its position in the next
 * epoch's order, known in advance because the shuffle is seeded). Over
 * budget, the cache drops what is needed furthest in the future first, so
 * what the next epoch needs soonest stays. Remote files are opened once with
 * a probe; later epochs reuse the size and validators (responses are still
 * checked, so a changed file is detected and re-opened).
 */
import pLimit from 'p-limit';
import { FitsError, isFitsError } from '../core/errors.js';
import type { FitsFile, OpenOptions } from '../file/fits-file.js';
import type { ImageData } from '../image/read-image.js';
import type { SourceInput } from '../file/resolve-source.js';
import type { SourceIdentity } from '../core/byte-source.js';
import { onAbortSignal, type HttpSourceOptions } from '../remote/http-source.js';
import { CachedSource, type CacheOptions } from '../cache/cached-source.js';
import { MemoryBlockCache } from '../cache/memory-cache.js';
import { epochOrder, shardLength, shardOf } from './shuffle.js';

/** How a dataset opens a file: an entry point's `open()`. */
export type OpenFile = (input: SourceInput, options: OpenOptions) => Promise<FitsFile>;

/** Where an item comes from. */
export interface DatasetItemInfo {
  /** The file, as given. */
  url: SourceInput;
  /** Index of the file in the list given to the dataset. */
  index: number;
  /** 0-based epoch. */
  epoch: number;
  /** Position in this epoch's order. */
  position: number;
  /** 1-based attempt number for this file in this epoch. */
  attempt: number;
}

/** A file that failed after its retries. */
export interface DatasetFailure {
  url: SourceInput;
  index: number;
  epoch: number;
  position: number;
  attempts: number;
  error: unknown;
}

/** Where a {@link FitsDataset} is: items delivered, failed and retried, bytes read, per epoch. */
export interface DatasetProgress {
  epoch: number;
  epochs: number;
  /** Items of this epoch done (delivered or skipped). */
  position: number;
  /** Items per epoch (of this rank's share). */
  perEpoch: number;
  /** Items done over all epochs, and how many there will be. */
  done: number;
  total: number;
  delivered: number;
  skipped: number;
  /** Bytes read from the network / served from cache so far (remote files opened with a cache). */
  bytesFromNetwork: number;
  bytesFromCache: number;
  /** The item just finished. */
  last: { info: DatasetItemInfo; ok: boolean; error?: unknown; ms: number };
}

/** Options of {@link FitsDataset}: what to read from each file, prefetching, concurrency, shuffling, epochs, retries and what to do with failures. */
export interface DatasetOptions<T> {
  /** Items loaded ahead of the consumer (default 8; 0 loads each item when it is asked for). */
  prefetch?: number;
  /** Files loading at once (default 4). */
  concurrency?: number;
  /** Seed of the per-epoch shuffle; false or undefined keeps the given order. */
  shuffle?: number | string | false;
  /** Passes over the files (default 1). */
  epochs?: number;
  /** What to take from each file (default: the primary HDU's image). The file is closed afterwards. */
  select?: (file: FitsFile, info: DatasetItemInfo) => Promise<T>;
  /** After the retries: skip the file (reported in `failures` and to `onError`) or throw (default 'raise'). */
  onError?: 'skip' | 'raise' | ((failure: DatasetFailure) => void);
  /** Retries per file after transient failures (IO, CHANGED, TRUNCATED, errors from `select`); default 2. */
  retries?: number;
  /** Options for `open()` (http, s3, cache settings…). */
  open?: OpenOptions;
  /** The memory cache shared by the dataset's files, or its budget in bytes (default 512 MiB). */
  cache?: MemoryBlockCache | number;
  /** Called after every item (delivered or skipped). */
  onProgress?: (p: DatasetProgress) => void;
  /** Stops the iteration (FitsError ABORTED). */
  signal?: AbortSignal;
  /** This worker's rank, 0 ≤ rank < worldSize (default 0): it gets positions rank, rank + worldSize, … of each epoch. */
  rank?: number;
  /** Workers sharing the files (default 1). Every worker must use the same files, seed and epochs. */
  worldSize?: number;
  /** Continue from a position saved with `state()` (same files, seed, rank and worldSize). */
  resume?: DatasetState;
}

/** Where an iteration is: saved by `state()`, given back as `resume` (plain JSON). */
export interface DatasetState {
  version: 1;
  /** Files in the list (a check that the list is the same). */
  files: number;
  seed: number | string | false;
  rank: number;
  worldSize: number;
  /** The epoch, and the items of it (of this rank's share) already handed out or skipped. */
  epoch: number;
  position: number;
}

type Loaded<T> = { ok: true; value: T; info: DatasetItemInfo; ms: number } | { ok: false; error: unknown; info: DatasetItemInfo; ms: number };

/** In `where`: the file is in another rank's share of the epoch. */
const NOT_HERE = 0xffffffff;

const RETRYABLE_CODES = new Set(['IO', 'CHANGED', 'TRUNCATED']);

function retryable(e: unknown): boolean {
  if (isFitsError(e)) return RETRYABLE_CODES.has(e.code);
  return true;
}

function defaultSelect(file: FitsFile): Promise<ImageData> {
  return file.hdu(0).then((h) => h.readImage());
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    const off = onAbortSignal(signal, done);
    function done() {
      clearTimeout(t);
      off();
      resolve();
    }
  });
}

export class FitsDataset<T = ImageData> implements AsyncIterable<T> {
  /** Files skipped after their retries (with `onError: 'skip'`). */
  readonly failures: DatasetFailure[] = [];
  /** The memory cache shared by the dataset's files. */
  readonly cache: MemoryBlockCache;
  private readonly urls: readonly SourceInput[];
  private readonly opts: DatasetOptions<T>;
  private readonly identities = new Map<number, SourceIdentity>();
  private readonly tags = new Map<number, string>();
  /** Loads in progress per file (a prefetch crossing into the next epoch may ask for a file still loading). */
  private readonly loading = new Map<number, Promise<void>>();
  private readonly orders = new Map<number, { order: Uint32Array; where: Uint32Array }>();
  private bytesFromNetwork = 0;
  private bytesFromCache = 0;
  private readonly rank: number;
  private readonly worldSize: number;
  /** Items per epoch of this rank's share. */
  private readonly perEpoch: number;
  /** Items of the whole schedule handed out or skipped (the position `state()` saves). */
  private consumed = 0;
  /** Where each iteration starts: `resume`'s position, or 0. */
  private startAt = 0;

  /**
   * @param openFile how files are opened: an entry point's `open()` (the
   *   `FitsDataset` that `fitsflow/remote` exports passes its own).
   */
  constructor(urls: readonly SourceInput[], opts: DatasetOptions<T>, private readonly openFile: OpenFile) {
    this.urls = [...urls];
    this.opts = opts;
    this.cache = opts.cache instanceof MemoryBlockCache ? opts.cache : new MemoryBlockCache({ maxBytes: opts.cache ?? 512 * 2 ** 20 });
    // Files still loading (not yet scheduled in the cache) are needed now: keep them.
    this.cache.setDefaultNextUse(-1);
    const epochs = opts.epochs ?? 1;
    if (!Number.isInteger(epochs) || epochs < 0) throw new FitsError('BAD_ARGUMENT', 'epochs must be a non-negative integer.');
    this.worldSize = opts.worldSize ?? 1;
    this.rank = opts.rank ?? 0;
    if (!Number.isInteger(this.worldSize) || this.worldSize < 1) throw new FitsError('BAD_ARGUMENT', `worldSize must be a positive integer (got ${opts.worldSize}).`);
    if (!Number.isInteger(this.rank) || this.rank < 0 || this.rank >= this.worldSize) {
      throw new FitsError('BAD_ARGUMENT', `rank must be an integer from 0 to worldSize - 1 = ${this.worldSize - 1} (got ${opts.rank}).`);
    }
    this.perEpoch = shardLength(this.urls.length, this.rank, this.worldSize);
    if (opts.resume) this.restore(opts.resume);
  }

  /** Where the iteration is (after the last item handed out): save it, and pass it as `resume` to continue. */
  state(): DatasetState {
    const m = this.perEpoch;
    const epoch = m ? Math.floor(this.consumed / m) : 0;
    return { version: 1, files: this.urls.length, seed: this.opts.shuffle ?? false, rank: this.rank, worldSize: this.worldSize, epoch, position: this.consumed - epoch * m };
  }

  private restore(s: DatasetState): void {
    const seed = this.opts.shuffle ?? false;
    const same = s && s.version === 1 && s.files === this.urls.length && s.seed === seed && s.rank === this.rank && s.worldSize === this.worldSize;
    if (!same) {
      throw new FitsError('BAD_ARGUMENT', `The saved dataset state is for another run (files ${s?.files}, seed ${s?.seed}, rank ${s?.rank} of ${s?.worldSize}); resume with the same files, shuffle seed, rank and worldSize.`);
    }
    if (!Number.isInteger(s.epoch) || !Number.isInteger(s.position) || s.epoch < 0 || s.position < 0 || s.position > this.perEpoch) {
      throw new FitsError('BAD_ARGUMENT', `The saved dataset state has an invalid position (epoch ${s.epoch}, item ${s.position} of ${this.perEpoch}).`);
    }
    this.startAt = this.consumed = Math.min(s.epoch * this.perEpoch + s.position, this.perEpoch * this.epochs);
  }

  /** How many epochs the dataset runs. */
  get epochs(): number {
    return this.opts.epochs ?? 1;
  }

  /** The file indices of an epoch (this rank's share), in the order they are delivered. */
  order(epoch: number): Uint32Array {
    return this.schedule(epoch).order;
  }

  private schedule(epoch: number): { order: Uint32Array; where: Uint32Array } {
    let s = this.orders.get(epoch);
    if (!s) {
      const n = this.urls.length;
      const seed = this.opts.shuffle;
      let order: Uint32Array;
      if (seed === undefined || seed === false) {
        order = new Uint32Array(n);
        for (let i = 0; i < n; i++) order[i] = i;
      } else order = epochOrder(n, seed, epoch);
      if (this.worldSize > 1) order = shardOf(order, this.rank, this.worldSize);
      // Position of each file in this epoch's share; NOT_HERE for files other ranks get.
      const where = new Uint32Array(n).fill(NOT_HERE);
      for (let p = 0; p < order.length; p++) where[order[p]!] = p;
      s = { order, where };
      this.orders.set(epoch, s);
      for (const k of this.orders.keys()) if (k < epoch - 1 || k > epoch + 2) this.orders.delete(k);
    }
    return s;
  }

  /** The items. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for await (const e of this.entries()) yield e.value;
  }

  /** The items with where they come from. Each iteration starts from `resume` (or the beginning). */
  async *entries(): AsyncGenerator<{ value: T; info: DatasetItemInfo }> {
    const n = this.perEpoch;
    const total = n * this.epochs;
    this.consumed = this.startAt; // every iteration starts from `resume` (or the start)
    if (this.consumed >= total) return;
    const ahead = Math.max(0, Math.floor(this.opts.prefetch ?? 8));
    const limit = pLimit(Math.max(1, Math.floor(this.opts.concurrency ?? 4)));
    const stop = new AbortController();
    const userSignal = this.opts.signal;
    const offUser = userSignal ? onAbortSignal(userSignal, (reason) => stop.abort(reason)) : () => {};
    const started: Promise<Loaded<T>>[] = [];
    let next = this.consumed;
    let delivered = 0;
    let skipped = 0;
    try {
      for (let k = this.consumed; k < total; k++) {
        while (next < total && next <= k + ahead) {
          const kk = next++;
          started[kk] = limit(() => this.load(kk, stop.signal));
        }
        const r = await started[k]!;
        delete started[k];
        if (stop.signal.aborted) throw new FitsError('ABORTED', 'The dataset iteration was aborted.', { cause: stop.signal.reason });
        const { info } = r;
        this.consumed = k + 1; // handed out (or skipped): a state saved from here on resumes after it
        if (r.ok) delivered++;
        else {
          const failure: DatasetFailure = { url: info.url, index: info.index, epoch: info.epoch, position: info.position, attempts: info.attempt, error: r.error };
          const policy = this.opts.onError ?? 'raise';
          if (policy === 'raise') throw r.error;
          this.failures.push(failure);
          if (typeof policy === 'function') policy(failure);
          skipped++;
        }
        this.opts.onProgress?.({
          epoch: info.epoch,
          epochs: this.epochs,
          position: info.position + 1,
          perEpoch: n,
          done: k + 1,
          total,
          delivered,
          skipped,
          bytesFromNetwork: this.bytesFromNetwork,
          bytesFromCache: this.bytesFromCache,
          last: r.ok ? { info, ok: true, ms: r.ms } : { info, ok: false, error: r.error, ms: r.ms },
        });
        if (r.ok) yield { value: r.value, info };
      }
    } finally {
      stop.abort(new FitsError('ABORTED', 'The dataset iteration ended.'));
      offUser();
      await Promise.allSettled(started.filter(Boolean));
    }
  }

  /** Load item `k` of the whole schedule (never rejects). */
  private async load(k: number, signal: AbortSignal): Promise<Loaded<T>> {
    const index = this.schedule(Math.floor(k / this.perEpoch)).order[k % this.perEpoch]!;
    // If the same file is still loading for an earlier position, wait for it: this load then
    // reuses what it learnt (size, validators) and cached, instead of fetching it twice.
    const prev = this.loading.get(index);
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    this.loading.set(index, mine);
    try {
      if (prev) await prev;
      return await this.loadOnce(k, index, signal);
    } finally {
      release();
      if (this.loading.get(index) === mine) this.loading.delete(index);
    }
  }

  private async loadOnce(k: number, index: number, signal: AbortSignal): Promise<Loaded<T>> {
    const n = this.perEpoch;
    const epoch = Math.floor(k / n);
    const position = k % n;
    const url = this.urls[index]!;
    const retries = Math.max(0, this.opts.retries ?? 2);
    const select = this.opts.select ?? (defaultSelect as unknown as (f: FitsFile, i: DatasetItemInfo) => Promise<T>);
    const t0 = performance.now();
    const tag = this.tags.get(index);
    if (tag) this.cache.setNextUse(tag, k); // needed now: keep it
    let lastError: unknown;
    for (let attempt = 1; attempt <= retries + 1; attempt++) {
      const info: DatasetItemInfo = { url, index, epoch, position, attempt };
      if (signal.aborted) return { ok: false, error: new FitsError('ABORTED', 'The dataset iteration was aborted.'), info, ms: performance.now() - t0 };
      let file: FitsFile | null = null;
      try {
        file = await this.openFile(url, this.openOptions(index, signal));
        const src = file.source;
        if (src instanceof CachedSource) {
          this.tags.set(index, src.tag);
          this.cache.setNextUse(src.tag, k);
          const id = (src.inner as { identity?: SourceIdentity }).identity;
          if (id) this.identities.set(index, id);
        }
        const value = await select(file, info);
        if (src instanceof CachedSource) {
          this.bytesFromNetwork += src.stats.bytesFromNetwork;
          this.bytesFromCache += src.stats.bytesFromCache;
          this.cache.setNextUse(src.tag, this.nextUse(index, epoch));
        }
        return { ok: true, value, info, ms: performance.now() - t0 };
      } catch (e) {
        lastError = e;
        if (isFitsError(e, 'CHANGED')) this.identities.delete(index); // probe again
        if (signal.aborted || !retryable(e) || attempt > retries) {
          const t = this.tags.get(index);
          if (t) this.cache.setNextUse(t, this.nextUse(index, epoch));
          return { ok: false, error: e, info, ms: performance.now() - t0 };
        }
        await sleep(Math.min(2000, 100 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2), signal);
      } finally {
        await file?.close().catch(() => {});
      }
    }
    return { ok: false, error: lastError, info: { url, index, epoch, position, attempt: retries + 1 }, ms: performance.now() - t0 };
  }

  /** Global schedule position at which file `index` is needed after `epoch` (Infinity: never). */
  private nextUse(index: number, epoch: number): number {
    if (epoch + 1 >= this.epochs) return Infinity;
    const p = this.schedule(epoch + 1).where[index]!;
    return p === NOT_HERE ? Infinity : (epoch + 1) * this.perEpoch + p; // another rank's next epoch: not needed here soon
  }

  private openOptions(index: number, signal: AbortSignal): OpenOptions {
    const base = this.opts.open ?? {};
    const baseCache = base.cache;
    const cache: CacheOptions | false = baseCache === false ? false : { ...(baseCache ?? {}), memory: this.cache };
    const http: HttpSourceOptions = { ...(base.http ?? {}) };
    const known = this.identities.get(index);
    if (known && !http.assume) http.assume = known;
    // Not seen yet by this dataset: fetch the first bytes with the probe, unless a persistent cache probably has them.
    if (!known && !http.probe) http.probe = cache && (cache.persistent || cache.dir !== undefined) ? 'head' : 'range';
    if (!http.signal) http.signal = signal;
    return { ...base, cache, http, signal };
  }
}
