/**
 * CachedSource: wraps any ByteSource with a block cache — memory (LRU with a
 * byte budget, shared by the process) and, optionally, persistent (a folder
 * on Node, the Cache API in browsers).
 *
 * Reads are cut into fixed-size blocks. The default block is 8 × 2880 =
 * 23 040 bytes (22.5 KiB), chosen because:
 * - it is a multiple of the FITS block: headers are always read as whole,
 *   2880-aligned FITS blocks, so each lies in exactly one cache block and a
 *   header lookup never costs two blocks (a power of two would split one
 *   header block in 4–5% of lookups);
 * - it is small: a header listing fetches at most 22.5 KiB per HDU, and a
 *   cutout wastes little around each tile it needs;
 * - small blocks cost no extra requests for large reads: consecutive missing
 *   blocks are fetched as one range (and HttpSource merges nearby ranges), and
 *   the persistent cache stores runs of blocks as ~1 MiB entries.
 *
 * Misses arriving in the same turn of the event loop are batched: looked up
 * in the persistent store together, then fetched from the inner source as
 * runs of consecutive blocks (which HttpSource coalesces further). Concurrent
 * reads of one block share one fetch.
 *
 * Large reads (at least one persistent entry's worth) that miss the memory
 * cache are served by the persistent store straight into the destination,
 * without going through the memory cache (see `readDirect`).
 */
import { BLOCK } from '../core/block.js';
import { FitsError } from '../core/errors.js';
import type { ByteSource } from '../core/byte-source.js';
import type { SourceIdentity } from '../core/byte-source.js';
import { MemoryBlockCache, sharedMemoryCache } from './memory-cache.js';
import { extentLength, isPersistable, objectId, type BlockClaim, type CachedObject, type PersistentStore, type StoreFactory, type Validation } from './store.js';

export const DEFAULT_BLOCK_SIZE = 8 * BLOCK;

/** The block cache of remote files (`open(url, { cache })`): memory, a persistent store, block size, and how long a server's answer is trusted. */
export interface CacheOptions {
  /** The memory cache: an instance, a budget for a private one, or false (default: the process-wide one). */
  memory?: MemoryBlockCache | { maxBytes: number } | false;
  /** A persistent store, or true for the default one (a folder on Node, the Cache API elsewhere). Default: none. */
  persistent?: PersistentStore | boolean;
  /** Folder (Node) or cache name (Cache API) of the persistent cache; implies `persistent: true`. */
  dir?: string;
  /** Size limit of the persistent cache in bytes. */
  maxBytes?: number;
  /** Block size: a positive multiple of 2880 (default 23 040 = 8 × 2880). */
  blockSize?: number;
  /**
   * Most blocks in one persistent entry (default: ~1 MiB worth). Reads at least
   * this long that miss the memory cache are read from the persistent store
   * straight into the destination, and not kept in memory.
   */
  maxEntryBlocks?: number;
  /**
   * Remote files: trust size and validators the server confirmed less than
   * `maxAge` ms ago, without asking again (no probe: a warm open costs no
   * request at all) — in this process, or in an earlier one when a
   * persistent cache that records validations is used (the folder cache).
   * Changes are still detected on any request that does go out. Default 0:
   * every open revalidates with one request.
   */
  maxAge?: number;
}

/** Counters of one {@link CachedSource}: blocks found and fetched, bytes from the network, memory and disk. */
export interface CachedSourceStats {
  /** Blocks found in memory or in the persistent store. */
  hits: number;
  /** Blocks fetched from the inner source. */
  misses: number;
  /** Bytes asked of the inner source (whole blocks). */
  bytesFromNetwork: number;
  /** Bytes served from cached blocks (memory: the bytes asked for; persistent store: the blocks loaded). */
  bytesFromCache: number;
  /** Bytes of blocks loaded from the persistent store. */
  bytesFromDisk: number;
  /** Reads of the inner source. */
  innerReads: number;
}

interface Waiter {
  promise: Promise<Uint8Array>;
  resolve: (b: Uint8Array) => void;
  reject: (e: unknown) => void;
}

function waiter(): Waiter {
  let resolve!: (b: Uint8Array) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<Uint8Array>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

const schedule: (f: () => void) => void =
  typeof setImmediate === 'function' ? (f) => void setImmediate(f) : (f) => void setTimeout(f, 0);

let anonymous = 0;

/** Blocks `first` … `first + count - 1`. */
function runOf(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, k) => first + k);
}

/** URLs whose blocks were cached in this process, with their last validated identity (bounded, LRU). */
const seen = new Map<string, { identity: SourceIdentity | null; at: number }>();
function remember(url: string, identity: SourceIdentity | null, at: number): void {
  const old = seen.get(url);
  seen.delete(url);
  seen.set(url, { identity: identity ?? old?.identity ?? null, at: identity ? at : (old?.at ?? 0) });
  if (seen.size > 10_000) seen.delete(seen.keys().next().value!);
}

/** True if blocks of `url` were cached in this process recently (so a HEAD is the cheaper probe). */
export function recentlyCached(url: string): boolean {
  return seen.has(url);
}

/**
 * `opts` with `persistent` made concrete: `true` or `dir` become the store
 * `defaultStore` makes (null where the runtime has none).
 */
export function resolveCacheOptions(opts: CacheOptions, defaultStore?: StoreFactory): CacheOptions {
  if (opts.persistent && typeof opts.persistent === 'object') return opts;
  if (opts.persistent === true || opts.dir !== undefined) {
    const store = defaultStore?.(opts.dir, opts.maxBytes !== undefined ? { maxBytes: opts.maxBytes } : undefined) ?? null;
    return { ...opts, persistent: store ?? false };
  }
  return opts;
}

/** The persistent store of resolved options (see {@link resolveCacheOptions}), or null. */
function persistentStoreOf(opts: CacheOptions): PersistentStore | null {
  return opts.persistent && typeof opts.persistent === 'object' ? opts.persistent : null;
}

/**
 * Record that the server confirmed `identity` for `url` just now: in this
 * process, and (with `maxAge`, which is what reads it) in the persistent
 * store, for later processes.
 */
export function noteValidated(url: string, identity: SourceIdentity, opts?: CacheOptions): void {
  const now = Date.now();
  remember(url, identity, now);
  if (opts?.maxAge && isPersistable(identity)) persistentStoreOf(opts)?.noteValidated?.(identity, now);
}

/** Forget what the server confirmed for `url` (it changed since): here and in the persistent store. */
export function forgetValidation(url: string, opts: CacheOptions): void {
  if (seen.has(url)) seen.set(url, { identity: null, at: 0 });
  persistentStoreOf(opts)?.forgetValidated?.(url);
}

/**
 * The identity of `url` if the server confirmed it less than `opts.maxAge`
 * ms ago: in this process, or in another one that recorded it in the
 * persistent store. Null without `maxAge`.
 */
export async function freshIdentity(url: string, opts: CacheOptions): Promise<SourceIdentity | null> {
  const maxAge = opts.maxAge ?? 0;
  if (!(maxAge > 0)) return null;
  const e = seen.get(url);
  if (e?.identity && Date.now() - e.at < maxAge) return e.identity;
  let rec: Validation | null = null;
  try {
    rec = (await persistentStoreOf(opts)?.lastValidated?.(url)) ?? null;
  } catch {
    /* an unreachable store knows nothing */
  }
  if (!rec) return null;
  const age = Date.now() - rec.at;
  if (age < 0 || age >= maxAge) return null; // stale, or recorded by a clock ahead of ours
  remember(url, rec.identity, rec.at);
  return rec.identity;
}

export class CachedSource implements ByteSource {
  readonly size: number;
  readonly name: string | undefined;
  readonly stats: CachedSourceStats = { hits: 0, misses: 0, bytesFromNetwork: 0, bytesFromCache: 0, bytesFromDisk: 0, innerReads: 0 };
  private readonly inflight = new Map<number, Waiter>();
  private queued: number[] = [];
  /** Queued blocks known to be missing from the persistent store (see flushMisses). */
  private readonly notStored = new Set<number>();
  private flushScheduled = false;
  private readonly writes = new Set<Promise<void>>();
  private closed = false;
  /**
   * Reads at least this long (one persistent entry's worth) that miss the
   * memory cache are served by the persistent store straight into the
   * destination, bypassing the memory cache (see `readDirect`).
   */
  private readonly directReadBytes: number;

  constructor(
    readonly inner: ByteSource,
    /** The memory-cache tag of this object (shared by sources of the same version of the same file). */
    readonly tag: string,
    private readonly memory: MemoryBlockCache | null,
    private readonly persistent: PersistentStore | null,
    /** The persistent cache's object (null: nothing is persisted). */
    readonly object: CachedObject | null,
    readonly blockSize: number = DEFAULT_BLOCK_SIZE,
    private readonly maxEntryBlocks = Math.max(1, Math.ceil(2 ** 20 / blockSize)),
  ) {
    this.directReadBytes = maxEntryBlocks * blockSize;
    if (!Number.isInteger(blockSize) || blockSize <= 0 || blockSize % BLOCK !== 0) {
      throw new FitsError('BAD_ARGUMENT', `The cache block size must be a positive multiple of 2880 (got ${blockSize}).`);
    }
    this.size = inner.size;
    this.name = inner.name;
  }

  /** Wrap `inner` according to `opts` (the inner source's `identity`, if any, keys the cache). */
  static async wrap(inner: ByteSource, opts: CacheOptions = {}): Promise<CachedSource> {
    const blockSize = opts.blockSize ?? DEFAULT_BLOCK_SIZE;
    const memory = opts.memory === false ? null : opts.memory instanceof MemoryBlockCache ? opts.memory : opts.memory ? new MemoryBlockCache(opts.memory) : sharedMemoryCache();
    if (opts.persistent === true || (opts.dir !== undefined && !opts.persistent)) {
      throw new FitsError('BAD_ARGUMENT', 'CachedSource.wrap needs a store instance in `persistent` (e.g. new FsCache(dir) or new CacheApiStore(name)); open() makes the default one for `persistent: true`.');
    }
    const persistent = persistentStoreOf(opts);
    const identity = (inner as ByteSource & { identity?: SourceIdentity }).identity;
    let tag = `anon:${++anonymous}`;
    let object: CachedObject | null = null;
    if (identity && isPersistable(identity)) {
      const id = await objectId(identity, blockSize);
      tag = id;
      object = { id, url: identity.url, etag: identity.etag, lastModified: identity.lastModified, size: identity.size, blockSize };
      if (memory || persistent) remember(identity.url, null, 0);
    }
    return new CachedSource(inner, tag, memory, object ? persistent : null, object, blockSize, opts.maxEntryBlocks ?? Math.max(1, Math.ceil(2 ** 20 / blockSize)));
  }

  private blockLength(b: number): number {
    return Math.min(this.blockSize, this.size - b * this.blockSize);
  }

  async read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
    if (this.closed) throw new FitsError('IO', `${this.name ?? 'The source'} is closed.`);
    const start = Math.min(Math.max(0, offset), this.size);
    const want = Math.min(this.size - start, Math.max(0, length));
    if (want === 0) return into ? into.subarray(0, 0) : new Uint8Array(0);
    const B = this.blockSize;
    const b0 = Math.floor(start / B);
    const b1 = Math.floor((start + want - 1) / B);
    if (b0 === b1) {
      const at = start - b0 * B;
      let blk = this.memory?.get(this.tag, b0);
      if (blk) {
        this.stats.hits++;
        this.stats.bytesFromCache += want;
      } else blk = await this.block(b0);
      const view = blk.subarray(at, at + want);
      if (!into) return view;
      into.set(view);
      return into.subarray(0, want);
    }
    const out = into ? into.subarray(0, want) : new Uint8Array(want);
    const copy = (b: number, blk: Uint8Array) => {
      const lo = Math.max(start, b * B);
      const hi = Math.min(start + want, b * B + blk.length);
      out.set(blk.subarray(lo - b * B, hi - b * B), lo - start);
    };
    const fromMemory = (b: number): boolean => {
      const blk = this.memory?.get(this.tag, b);
      if (!blk) return false;
      this.stats.hits++;
      this.stats.bytesFromCache += Math.min(start + want, (b + 1) * B) - Math.max(start, b * B);
      copy(b, blk);
      return true;
    };
    let missing: number[] = [];
    for (let b = b0; b <= b1; b++) if (!fromMemory(b)) missing.push(b);
    if (!missing.length) return out;
    let notStored: ReadonlySet<number> | null = null;
    if (want >= this.directReadBytes && this.persistent?.readBlocksInto && this.object) {
      const r = await this.readDirect(missing, start, out);
      notStored = r.notStored;
      missing = [];
      for (const b of r.rest) {
        // The entries read usually bring the partly covered end blocks along.
        const blk = r.loaded.get(b);
        if (!blk) missing.push(b);
        else {
          this.stats.hits++;
          this.stats.bytesFromDisk += blk.length;
          this.stats.bytesFromCache += blk.length;
          copy(b, blk);
        }
      }
    }
    if (missing.length) await Promise.all(missing.map((b) => this.block(b, notStored?.has(b)).then((x) => copy(b, x))));
    return out;
  }

  /**
   * Large reads from the persistent store: the blocks of `missing` wholly
   * inside `out` (which holds bytes from `start`) are read by the store
   * straight into their place in `out`, in runs. Why: copying a large read
   * through 1 MiB entry buffers and the memory cache cost more than the read
   * itself (two passes over fresh memory, per-block bookkeeping), and the OS
   * page cache already keeps the entries warm; so these blocks are not put in
   * the memory cache — the other blocks of the entries read are. Returns the
   * blocks still to get (partly covered ends, and blocks the store lacks),
   * which of them the store was asked for and lacks, and the other blocks
   * loaded with the entries (also put in memory).
   */
  private async readDirect(missing: number[], start: number, out: Uint8Array): Promise<{ rest: number[]; notStored: Set<number>; loaded: Map<number, Uint8Array> }> {
    const B = this.blockSize;
    const end = start + out.length;
    // Blocks wholly inside [start, end): from the first block boundary at or after `start`, to the
    // last block ending at or before `end` (the file's short last block ends at `size`).
    const wb0 = Math.ceil(start / B);
    const wb1 = end === this.size ? Math.ceil(end / B) - 1 : Math.floor(end / B) - 1;
    const whole = (b: number) => b >= wb0 && b <= wb1;
    const runs: [first: number, count: number][] = [];
    const rest: number[] = [];
    for (let i = 0; i < missing.length; ) {
      const b = missing[i]!;
      if (!whole(b)) {
        rest.push(b);
        i++;
        continue;
      }
      let j = i;
      while (j + 1 < missing.length && missing[j + 1] === missing[j]! + 1 && whole(missing[j + 1]!)) j++;
      runs.push([b, j - i + 1]);
      i = j + 1;
    }
    const notStored = new Set<number>();
    const loaded = new Map<number, Uint8Array>();
    if (!runs.length) return { rest, notStored, loaded };
    const store = this.persistent!;
    const obj = this.object!;
    const results = await Promise.all(
      runs.map(async ([first, count]) => {
        const at = first * B - start;
        try {
          return await store.readBlocksInto!(obj, first, count, out.subarray(at, at + extentLength(obj, first, count)));
        } catch {
          /* a broken persistent cache must not break reads */
          return { missing: Array.from({ length: count }, (_, k) => first + k), others: new Map<number, Uint8Array>() };
        }
      }),
    );
    results.forEach((r, i) => {
      const [first, count] = runs[i]!;
      let bytes = extentLength(obj, first, count);
      for (const b of r.missing) {
        bytes -= this.blockLength(b);
        rest.push(b);
        notStored.add(b);
      }
      this.stats.hits += count - r.missing.length;
      this.stats.bytesFromDisk += bytes;
      this.stats.bytesFromCache += bytes;
      for (const [b, blk] of r.others) {
        if (blk.length !== this.blockLength(b)) continue;
        loaded.set(b, blk);
        this.memory?.set(this.tag, b, blk);
      }
    });
    return { rest: rest.sort((a, b) => a - b), notStored, loaded };
  }

  /** A block not found in memory: join its fetch, or queue it. */
  private block(b: number, notStored = false): Promise<Uint8Array> {
    let w = this.inflight.get(b);
    if (!w) {
      if (notStored) this.notStored.add(b);
      w = waiter();
      this.inflight.set(b, w);
      this.queued.push(b);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        schedule(() => void this.flushMisses());
      }
    }
    return w.promise;
  }

  private settle(b: number, bytes: Uint8Array | null, err?: unknown): void {
    const w = this.inflight.get(b);
    if (!w) return;
    this.inflight.delete(b);
    if (bytes) w.resolve(bytes);
    else w.reject(err);
  }

  private async flushMisses(): Promise<void> {
    this.flushScheduled = false;
    let blocks = this.queued.sort((a, b) => a - b);
    this.queued = [];
    if (!blocks.length) return;
    // Blocks the store just reported missing (a direct read) are not looked up
    // again: that would cost a second lookup and count them as misses twice.
    const lookup = this.notStored.size ? blocks.filter((b) => !this.notStored.has(b)) : blocks;
    this.notStored.clear();
    if (this.persistent?.claimBlocks && this.object) {
      // Single flight: the store returns the blocks it holds and leases the rest, in one step.
      return this.claim(blocks);
    }
    if (this.persistent && this.object && lookup.length) {
      let found = new Map<number, Uint8Array>();
      try {
        found = await this.persistent.getBlocks(this.object, lookup);
      } catch {
        /* a broken persistent cache must not break reads */
      }
      for (const [b, bytes] of found) this.fromStore(b, bytes);
      blocks = blocks.filter((b) => this.inflight.has(b));
    }
    this.fetchRuns(blocks);
  }

  /** A block that came from the persistent store: kept in memory, and its read settled. */
  private fromStore(b: number, bytes: Uint8Array): void {
    if (bytes.length !== this.blockLength(b)) return;
    this.memory?.set(this.tag, b, bytes);
    if (!this.inflight.has(b)) return;
    this.stats.hits++;
    this.stats.bytesFromDisk += bytes.length;
    this.stats.bytesFromCache += bytes.length;
    this.settle(b, bytes);
  }

  /**
   * Single flight across processes (stores with claimBlocks): of `blocks`,
   * those the store holds are served, those another process is fetching are
   * waited for (arriving in the store), and the rest this process fetches.
   */
  private async claim(blocks: number[]): Promise<void> {
    let claim: BlockClaim;
    try {
      claim = await this.persistent!.claimBlocks!(this.object!, blocks);
    } catch {
      return this.fetchRuns(blocks.filter((b) => this.inflight.has(b))); // a broken persistent cache must not break reads
    }
    // Blocks served are settled; any other block of `found` or `mine` still waiting (a served block of the
    // wrong length) is fetched here; blocks no longer waited for give their lease back.
    const serve = (found: Map<number, Uint8Array>, fetchHere: readonly number[]) => {
      for (const [b, bytes] of found) this.fromStore(b, bytes);
      const idle = fetchHere.filter((b) => !this.inflight.has(b));
      if (idle.length) claim.release(idle);
      const here = new Set([...fetchHere, ...found.keys()].filter((b) => this.inflight.has(b)));
      this.fetchRuns([...here].sort((a, b) => a - b), claim);
    };
    serve(claim.present, claim.mine);
    if (claim.theirs.length) void claim.wait(serve);
  }

  /**
   * Runs of consecutive blocks, read from the inner source in chunks of at
   * most one persistent entry (~1 MiB), all issued in this turn so that the
   * inner source can merge them into few requests. Each chunk has its own
   * buffer, so evicting its blocks frees memory.
   */
  private fetchRuns(blocks: readonly number[], claim?: BlockClaim): void {
    let i = 0;
    while (i < blocks.length) {
      let j = i;
      while (j + 1 < blocks.length && blocks[j + 1] === blocks[j]! + 1 && blocks[j + 1]! - blocks[i]! < this.maxEntryBlocks) j++;
      this.fetchRun(blocks[i]!, blocks[j]! - blocks[i]! + 1, claim);
      i = j + 1;
    }
  }

  private fetchRun(first: number, count: number, claim?: BlockClaim): void {
    const B = this.blockSize;
    const offset = first * B;
    const length = Math.min(count * B, this.size - offset);
    const buf = new Uint8Array(length);
    this.stats.innerReads++;
    this.stats.misses += count;
    this.stats.bytesFromNetwork += length;
    this.persistent?.noteNetwork(length);
    this.inner.read(offset, length, buf).then(
      (got) => {
        if (got.length !== length) {
          const e = new FitsError('TRUNCATED', `${this.name ?? 'The source'} returned ${got.length} of ${length} bytes at ${offset}.`, { offset });
          claim?.release(runOf(first, count));
          for (let b = first; b < first + count; b++) this.settle(b, null, e);
          return;
        }
        if (got.buffer !== buf.buffer || got.byteOffset !== buf.byteOffset) buf.set(got);
        for (let k = 0; k < count; k++) {
          const blk = buf.subarray(k * B, Math.min((k + 1) * B, length));
          this.memory?.set(this.tag, first + k, blk);
          this.settle(first + k, blk);
        }
        if (this.persistent && this.object) {
          const p = this.persistent.putBlocks(this.object, first, buf).catch(() => {});
          this.writes.add(p);
          p.finally(() => this.writes.delete(p));
        }
      },
      (e) => {
        claim?.release(runOf(first, count));
        for (let b = first; b < first + count; b++) this.settle(b, null, e);
      },
    );
  }

  /** Wait for pending persistent writes. */
  async settleWrites(): Promise<void> {
    while (this.writes.size) await Promise.all([...this.writes]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.settleWrites();
    await this.persistent?.flush(false).catch(() => {});
    await this.inner.close?.();
  }
}

/** Wrap a source in a cache unless `opts` is false. */
export async function cacheSource(inner: ByteSource, opts: CacheOptions | false | undefined): Promise<ByteSource> {
  if (opts === false) return inner;
  return CachedSource.wrap(inner, opts ?? {});
}
