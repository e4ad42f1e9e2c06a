/**
 * RedisStore: the persistent block cache on a Redis server, shared by every
 * process and host that can reach it (training workers reading the same
 * remote files fetch each block from the origin once).
 *
 *   open(url, { cache: { persistent: new RedisStore({ url: 'redis://host:6379/0' }) } })
 *
 * Keys (prefix `fitsflow:` by default; `{id}` is a Redis Cluster hash tag, so
 * all keys of one object live on one shard):
 *   <prefix>{<object id>}:<block>         one block: header + bytes (redis/block-value.ts)
 *   <prefix>{<object id>}:<block>:lease   the process fetching that block now (single flight)
 *   <prefix>url:<sha256(url)>             the identity a server last confirmed for a URL (maxAge)
 *   <prefix>stats                          hit/miss/byte counters of every process (a hash)
 *
 * The object id hashes the URL, its validators (ETag, Last-Modified), size
 * and block size (store.ts objectId), so a changed file never meets its old
 * blocks. Every value is checked before a byte is served — magic, whose block
 * it is, length, CRC-32 of the raw bytes (after inflating, when compressed);
 * a value failing any check is deleted and its block fetched again.
 *
 * Single flight: a process about to fetch blocks from the origin first takes
 * a lease per block (SET NX PX, in one Lua call); blocks leased by another
 * process are polled for (every 2–20 ms) until they arrive, or until the lease
 * is gone without them (its holder failed or died: then this process takes
 * over). A holder renews its leases while it fetches, so a lease outlives a
 * slow origin but not a dead process.
 *
 * Faults: Redis down, restarted or slow never fails a read (redis/connection-node.ts):
 * lookups are misses, writes are dropped, one warning per outage; the origin
 * serves. With the origin down too, blocks Redis holds intact are served, and
 * a block Redis holds damaged gives the origin's error (a FitsError), never
 * wrong bytes.
 *
 * Size: entries carry a TTL (7 days by default, from their write), and the
 * server's `maxmemory` with an LRU policy (`allkeys-lru`, or `volatile-lru`:
 * every key of this store has a TTL) evicts the least recently used when it
 * is full; evicted blocks are misses. `stats()` counts entries and bytes by
 * scanning the prefix, and reports the server's limit and evictions.
 *
 * Node, Bun and Deno (node:net through ioredis). Not in the main entry points:
 * `import { RedisStore } from 'fitsflow/redis'`.
 */
import { sha256Hex } from '../../core/sha256.js';
import { crc32 } from '../fs-cache/fs-entry.js';
import { BlockCodec, decodeBlockValue, encodeBlockValue, VALUE_HEADER_BYTES } from './block-value.js';
import { RedisConnection } from './connection.js';
import { deflateBlock, inflateBlock } from './deflate.js';
import { CLAIM_LUA, RELEASE_LUA, RENEW_LUA, type ScriptClient } from './scripts.js';
import { addCounters, decodeValidation, emptyCounters, encodeValidation, extentLength, type BlockClaim, type BlocksRead, type CachedObject, type PersistentStore, type StoreCounters, type StoreStats, type Validation, type VerifyReport } from '../../cache/store.js';
import type { SourceIdentity } from '../../core/byte-source.js';

/** Options of {@link RedisStore}: the server, a key prefix, and limits. */
export interface RedisStoreOptions {
  /** `redis://[user:password@]host:port[/db]` (`rediss://` for TLS). Default `redis://127.0.0.1:6379`. */
  url?: string;
  /** Key prefix (default `fitsflow:`): stores with different prefixes share a server without meeting. */
  prefix?: string;
  /** Lifetime of cached blocks and validation records from their write, in seconds (default 7 days; 0: none). */
  ttlSeconds?: number;
  /**
   * Compress cached blocks (raw deflate, level 1) where it saves at least an
   * eighth. Default false: on a local or fast network Redis, inflating costs
   * more time than the bytes saved (bench/RESULTS-redis.md); worth it when
   * Redis memory is the limit or the network to Redis is slow.
   */
  compress?: boolean;
  /** Longest a Redis command may take before the read goes to the origin, in ms (default 1000). */
  timeoutMs?: number;
  /** After Redis failed, how long it is left alone before trying again, in ms (default 5000). */
  retryMs?: number;
  /** Lease of a block being fetched, in ms (default 10 000; renewed while the fetch goes on). */
  leaseMs?: number;
  /** Longest wait for a block another process is fetching, in ms (default 60 000); then fetched here. */
  maxWaitMs?: number;
  /** Told once per Redis outage (default: console.warn). */
  onWarning?: (message: string) => void;
}

/** Counters RedisStore keeps besides the common ones. */
export interface RedisCounters extends StoreCounters {
  /** Blocks this process waited for while another one fetched them (single flight). */
  waited: number;
  /** Blocks this process fetched under its own lease. */
  leased: number;
  /** Bytes of values written (headers, and compressed payloads where compression paid). */
  bytesStored: number;
  /** Lookups and writes skipped because Redis was unavailable. */
  skipped: number;
}

export interface RedisStoreStats extends StoreStats {
  waited: number;
  leased: number;
  bytesStored: number;
  skipped: number;
  /** The server's memory in use, and its eviction policy (when the server tells). */
  usedMemory: number;
  maxmemoryPolicy: string;
}

const COUNTER_NAMES = ['hits', 'misses', 'corrupt', 'bytesFromCache', 'bytesChecksummed', 'bytesFromNetwork', 'bytesWritten', 'evicted', 'waited', 'leased', 'bytesStored', 'skipped'] as const;
/** Blocks per claim (Lua) call: bounds one command's size. */
const BATCH = 512;
/**
 * Blocks per MGET: ~1 MiB replies. Measured here (loopback, noisy machine):
 * 33 MiB in 512-block MGETs took 72–217 ms, in 46-block ones 39–45 ms.
 */
const MGET_BATCH = 46;

function emptyRedisCounters(): RedisCounters {
  return { ...emptyCounters(), waited: 0, leased: 0, bytesStored: 0, skipped: 0 };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Glob-escape a key prefix for SCAN MATCH. */
function globEscape(s: string): string {
  return s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/**
 * A plain Uint8Array of `b`'s bytes: a view when `b` is its buffer's only
 * content, else a copy (client buffers may be slices of a larger read, which
 * a cached block must not keep alive).
 */
function own(b: Uint8Array): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? new Uint8Array(b.buffer, 0, b.length) : new Uint8Array(b);
}

export class RedisStore implements PersistentStore {
  readonly location: string;
  readonly counters: RedisCounters = emptyRedisCounters();
  private readonly conn: RedisConnection;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly compress: boolean;
  private readonly leaseMs: number;
  private readonly maxWaitMs: number;
  /** This store's lease token: a process and instance id. */
  private readonly token: string;
  /** Leases held: lease key → true (renewed until released). */
  private readonly held = new Set<string>();
  private renewTimer: ReturnType<typeof setInterval> | null = null;
  /** Counters already added to the shared hash. */
  private flushed: RedisCounters = emptyRedisCounters();

  constructor(opts: RedisStoreOptions = {}) {
    const url = opts.url ?? 'redis://127.0.0.1:6379';
    this.prefix = opts.prefix ?? 'fitsflow:';
    this.ttlMs = Math.max(0, Math.round((opts.ttlSeconds ?? 7 * 86_400) * 1000));
    this.compress = opts.compress ?? false;
    this.leaseMs = Math.max(100, opts.leaseMs ?? 10_000);
    this.maxWaitMs = Math.max(0, opts.maxWaitMs ?? 60_000);
    const pid = (globalThis as { process?: { pid?: number } }).process?.pid ?? 0;
    this.token = `${pid}-${(Math.random() * 2 ** 52).toString(36)}-${Date.now().toString(36)}`;
    this.conn = new RedisConnection({
      url,
      timeoutMs: opts.timeoutMs ?? 1000,
      retryMs: opts.retryMs ?? 5000,
      onWarning: opts.onWarning ?? ((m) => console.warn(`fitsflow: ${m}`)),
      scripts: { ffClaim: CLAIM_LUA, ffRelease: RELEASE_LUA, ffRenew: RENEW_LUA },
    });
    this.location = this.conn.location;
  }

  // -- keys ----------------------------------------------------------------------

  private blockKey(id: string, b: number): string {
    return `${this.prefix}{${id}}:${b}`;
  }

  private leaseKey(id: string, b: number): string {
    return `${this.prefix}{${id}}:${b}:lease`;
  }

  private urlKey(url: string): string {
    return `${this.prefix}url:${sha256Hex(url)}`;
  }

  private get statsKey(): string {
    return `${this.prefix}stats`;
  }

  /** `SET` arguments for the TTL. */
  private ttlArgs(): ['PX', number] | [] {
    return this.ttlMs > 0 ? ['PX', this.ttlMs] : [];
  }

  // -- values --------------------------------------------------------------------

  /** The raw bytes of block `b`'s value, or null (counted and deleted) if it is damaged. */
  private decode(obj: CachedObject, b: number, value: Uint8Array): Uint8Array | null {
    const length = extentLength(obj, b, 1);
    const raw = decodeBlockValue(value, { id: obj.id, blockSize: obj.blockSize, block: b, length }, inflateBlock);
    this.counters.bytesChecksummed += length;
    if (typeof raw !== 'string') return raw;
    this.counters.corrupt++;
    const key = this.blockKey(obj.id, b);
    void this.conn.run((c) => c.del(key)).catch(() => {});
    return null;
  }

  private async encode(obj: CachedObject, b: number, raw: Uint8Array): Promise<Uint8Array> {
    if (this.compress && raw.length >= 512) {
      const packed = await deflateBlock(raw).catch(() => null);
      if (packed && packed.length <= raw.length - (raw.length >> 3)) return encodeBlockValue(obj.id, obj.blockSize, b, raw, BlockCodec.Deflate, packed);
    }
    return encodeBlockValue(obj.id, obj.blockSize, b, raw);
  }

  /** MGETs in flight, and those waiting for a turn (see fetchValues). */
  private reading = 0;
  private readonly readQueue: (() => void)[] = [];

  /**
   * MGET of the blocks' values (in batches); null if Redis is unavailable.
   * At most four MGETs are in flight: a large read asks for its ~1 MiB runs
   * all at once, and the client takes many large replies arriving together
   * far slower than the same replies a few at a time (32 MGETs of 46 × 22.5
   * KiB on loopback: 97–130 ms all at once, 20–23 ms two at a time, 24–25 ms
   * four at a time; four keep more round trips going on a loaded machine or a
   * slower network).
   */
  private async fetchValues(obj: CachedObject, blocks: readonly number[]): Promise<(Uint8Array | null)[] | null> {
    if (!this.conn.usable) return null;
    if (this.reading >= 4) await new Promise<void>((r) => this.readQueue.push(r)); // a finished MGET hands its turn over
    else this.reading++;
    try {
      const out: (Uint8Array | null)[] = [];
      for (let i = 0; i < blocks.length; i += MGET_BATCH) {
        const keys = blocks.slice(i, i + MGET_BATCH).map((b) => this.blockKey(obj.id, b));
        out.push(...(await this.conn.run((c) => c.mgetBuffer(...keys))));
      }
      return out;
    } catch {
      return null;
    } finally {
      const next = this.readQueue.shift();
      if (next) next();
      else this.reading--;
    }
  }

  // -- PersistentStore -------------------------------------------------------------

  async getBlocks(obj: CachedObject, blocks: readonly number[]): Promise<Map<number, Uint8Array>> {
    const out = new Map<number, Uint8Array>();
    if (!blocks.length) return out;
    const values = await this.fetchValues(obj, blocks);
    if (!values) {
      this.counters.misses += blocks.length;
      this.counters.skipped += blocks.length;
      return out;
    }
    blocks.forEach((b, i) => {
      const v = values[i];
      const raw = v ? this.decode(obj, b, v) : null;
      if (!raw) {
        this.counters.misses++;
        return;
      }
      this.counters.hits++;
      this.counters.bytesFromCache += raw.length;
      out.set(b, own(raw));
    });
    return out;
  }

  /** Blocks `[first, first + count)` straight into `dest` (each verified before it counts as filled). */
  async readBlocksInto(obj: CachedObject, first: number, count: number, dest: Uint8Array): Promise<BlocksRead> {
    const B = obj.blockSize;
    if (dest.length !== extentLength(obj, first, count)) throw new Error(`readBlocksInto: ${dest.length} bytes is not the length of blocks ${first}–${first + count - 1}`);
    const blocks = Array.from({ length: count }, (_, k) => first + k);
    const values = await this.fetchValues(obj, blocks);
    const missing: number[] = [];
    if (!values) {
      this.counters.skipped += count;
      return { missing: blocks, others: new Map() };
    }
    blocks.forEach((b, i) => {
      const v = values[i];
      const raw = v ? this.decode(obj, b, v) : null;
      if (!raw) {
        missing.push(b); // not counted as a miss here: CachedSource claims it next, which counts it
        return;
      }
      dest.set(raw, (b - first) * B);
      this.counters.hits++;
      this.counters.bytesFromCache += raw.length;
    });
    return { missing, others: new Map() };
  }

  async putBlocks(obj: CachedObject, first: number, bytes: Uint8Array): Promise<void> {
    if (!bytes.length) return;
    const B = obj.blockSize;
    const count = Math.ceil(bytes.length / B);
    if (bytes.length !== extentLength(obj, first, count)) throw new Error(`putBlocks: ${bytes.length} bytes do not make whole blocks from block ${first}`);
    const leases: string[] = [];
    for (let b = first; b < first + count; b++) {
      const k = this.leaseKey(obj.id, b);
      if (this.held.delete(k)) leases.push(k);
    }
    if (!this.conn.usable) {
      this.counters.skipped += count;
      return; // the leases expire (no longer renewed)
    }
    const values = await Promise.all(Array.from({ length: count }, (_, k) => this.encode(obj, first + k, bytes.subarray(k * B, Math.min((k + 1) * B, bytes.length)))));
    try {
      const results = await this.conn.run((c) => {
        const p = c.pipeline();
        values.forEach((v, k) => p.set(this.blockKey(obj.id, first + k), Buffer.from(v.buffer, v.byteOffset, v.length), ...(this.ttlArgs() as [])));
        // Released after the writes (same connection: in order), so a waiter seeing no lease finds the block.
        if (leases.length) (p as unknown as ScriptClient).ffRelease(leases.length, ...leases, this.token);
        return p.exec();
      });
      results?.forEach(([err], k) => {
        if (err || k >= count) return;
        this.counters.bytesWritten += extentLength(obj, first + k, 1);
        this.counters.bytesStored += values[k]!.length;
      });
    } catch {
      /* Redis unavailable: nothing cached (the connection warned) */
    }
  }

  noteNetwork(bytes: number): void {
    this.counters.bytesFromNetwork += bytes;
  }

  noteValidated(identity: SourceIdentity, at: number): void {
    if (!this.conn.usable) return;
    const key = this.urlKey(identity.url);
    // The record names the URL by its hash (the key's): a presigned URL's signature is not stored.
    const rec = encodeValidation({ identity: { ...identity, url: key }, at }, crc32);
    void this.conn.run((c) => c.set(key, Buffer.from(rec.buffer, rec.byteOffset, rec.length), ...(this.ttlArgs() as []))).catch(() => {});
  }

  async lastValidated(url: string): Promise<Validation | null> {
    if (!this.conn.usable) return null;
    try {
      const key = this.urlKey(url);
      const v = decodeValidation(await this.conn.run((c) => c.getBuffer(key)), key, crc32);
      return v && { ...v, identity: { ...v.identity, url } };
    } catch {
      return null;
    }
  }

  forgetValidated(url: string): void {
    const key = this.urlKey(url);
    if (this.conn.usable) void this.conn.run((c) => c.del(key)).catch(() => {});
  }

  // -- single flight ---------------------------------------------------------------

  /**
   * One round of the claim script over `blocks`: each block is present (its
   * value, checked), leased here now, or leased by another process.
   */
  private async claimRound(obj: CachedObject, blocks: readonly number[]): Promise<{ present: Map<number, Uint8Array>; mine: number[]; theirs: number[] }> {
    const present = new Map<number, Uint8Array>();
    const mine: number[] = [];
    const theirs: number[] = [];
    for (let i = 0; i < blocks.length; i += BATCH) {
      const batch = blocks.slice(i, i + BATCH);
      const keys: string[] = [];
      for (const b of batch) keys.push(this.blockKey(obj.id, b), this.leaseKey(obj.id, b));
      const replies = await this.conn.run((c) => (c as unknown as ScriptClient).ffClaimBuffer(keys.length, ...keys, this.token, this.leaseMs));
      batch.forEach((b, k) => {
        const r = replies[k];
        if (r === 1) {
          mine.push(b);
          this.held.add(this.leaseKey(obj.id, b));
        } else if (r === 0 || r === null || r === undefined) theirs.push(b);
        else {
          const raw = this.decode(obj, b, r as Uint8Array);
          if (raw) {
            present.set(b, own(raw));
            this.counters.hits++;
            this.counters.bytesFromCache += raw.length;
          } else mine.push(b); // damaged (and deleted): fetched here, unleased
        }
      });
    }
    if (mine.length) this.renewLeases();
    return { present, mine, theirs };
  }

  async claimBlocks(obj: CachedObject, blocks: readonly number[]): Promise<BlockClaim> {
    const release = (bs: readonly number[]) => this.release(obj, bs);
    if (!this.conn.usable) {
      this.counters.misses += blocks.length;
      this.counters.skipped += blocks.length;
      return { present: new Map(), mine: [...blocks], theirs: [], wait: async () => {}, release };
    }
    let r: Awaited<ReturnType<RedisStore['claimRound']>>;
    try {
      r = await this.claimRound(obj, blocks);
    } catch {
      // Redis failed (or refused the script, e.g. out of memory): every block is fetched here, unleased.
      this.counters.misses += blocks.length;
      return { present: new Map(), mine: [...blocks], theirs: [], wait: async () => {}, release };
    }
    this.counters.misses += r.mine.length + r.theirs.length;
    this.counters.leased += r.mine.length;
    return { ...r, wait: (onBlocks) => this.waitFor(obj, r.theirs, onBlocks), release };
  }

  /** Poll for blocks another process is fetching (see BlockClaim.wait). */
  private async waitFor(obj: CachedObject, blocks: number[], onBlocks: (found: Map<number, Uint8Array>, fetchHere: number[]) => void): Promise<void> {
    const report = (found: Map<number, Uint8Array>, here: number[]) => {
      this.counters.waited += found.size;
      this.counters.leased += here.length;
      try {
        onBlocks(found, here);
      } catch {
        /* the caller's problem: every block is still reported once */
      }
    };
    let pending = blocks;
    const deadline = Date.now() + this.maxWaitMs;
    try {
      for (let delay = 2; pending.length && Date.now() < deadline; delay = Math.min(20, delay * 2)) {
        await sleep(delay);
        if (!this.conn.usable) break;
        const r = await this.claimRound(obj, pending);
        if (r.present.size || r.mine.length) report(r.present, r.mine);
        pending = r.theirs;
      }
    } catch {
      /* Redis failed: fetch the rest here */
    }
    if (pending.length) report(new Map(), pending);
  }

  private release(obj: CachedObject, blocks: readonly number[]): void {
    const keys = blocks.map((b) => this.leaseKey(obj.id, b)).filter((k) => this.held.delete(k));
    if (!keys.length || !this.conn.usable) return;
    void this.conn.run((c) => (c as unknown as ScriptClient).ffRelease(keys.length, ...keys, this.token)).catch(() => {});
  }

  /** Renew held leases every third of their life while any is held. */
  private renewLeases(): void {
    if (this.renewTimer || !this.held.size) return;
    this.renewTimer = setInterval(() => {
      if (!this.held.size) {
        clearInterval(this.renewTimer!);
        this.renewTimer = null;
        return;
      }
      const keys = [...this.held];
      if (this.conn.usable) void this.conn.run((c) => (c as unknown as ScriptClient).ffRenew(keys.length, ...keys, this.token, this.leaseMs)).catch(() => {});
    }, Math.max(50, Math.floor(this.leaseMs / 3)));
    (this.renewTimer as { unref?: () => void }).unref?.();
  }

  // -- statistics and maintenance ------------------------------------------------

  private lastFlush = 0;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;

  /**
   * Add this process's counters since the last flush to the shared ones (one
   * round trip; kept for later if Redis is unavailable). `force` false (what
   * closing a file does): at most once a second — a dataset closes many files
   * a second — the rest by a timer that does not hold the process open.
   */
  async flush(force = true): Promise<void> {
    if (!force && Date.now() - this.lastFlush < 1000) {
      this.flushTimer ??= setTimeout(() => {
        this.flushTimer = null;
        void this.flush();
      }, this.lastFlush + 1000 - Date.now());
      (this.flushTimer as { unref?: () => void }).unref?.();
      return;
    }
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.lastFlush = Date.now();
    const delta: Partial<Record<keyof RedisCounters, number>> = {};
    let any = false;
    for (const k of COUNTER_NAMES) {
      const d = this.counters[k] - this.flushed[k];
      if (d) {
        delta[k] = d;
        any = true;
      }
    }
    if (!any || !this.conn.usable) return;
    const snapshot = { ...this.counters };
    try {
      await this.conn.run((c) => {
        const p = c.pipeline();
        for (const [k, d] of Object.entries(delta)) p.hincrby(this.statsKey, k, d);
        return p.exec();
      });
      this.flushed = snapshot;
    } catch {
      /* counters stay unflushed: added next time */
    }
  }

  /** Every block key under the prefix (SCAN: does not block the server). */
  private async *scanBlockKeys(): AsyncGenerator<string[]> {
    const match = `${globEscape(this.prefix)}{*}:*`;
    let cursor = '0';
    do {
      const [next, keys] = await this.conn.run((c) => c.scan(cursor, 'MATCH', match, 'COUNT', 1000));
      cursor = next;
      const blocks = keys.filter((k) => !k.endsWith(':lease'));
      if (blocks.length) yield blocks;
    } while (cursor !== '0');
  }

  /** Entries, bytes and counters of this cache, as all its users recorded them. */
  async stats(): Promise<RedisStoreStats> {
    await this.flush();
    const totals = emptyRedisCounters();
    const shared = await this.conn.run((c) => c.hgetall(this.statsKey));
    for (const k of COUNTER_NAMES) totals[k] = Number(shared[k] ?? 0) || 0;
    addCounters(totals, Object.fromEntries(COUNTER_NAMES.map((k) => [k, this.counters[k] - this.flushed[k]])));
    let entries = 0;
    let bytes = 0;
    const objects = new Set<string>();
    for await (const keys of this.scanBlockKeys()) {
      const lengths = await this.conn.run((c) => {
        const p = c.pipeline();
        for (const k of keys) p.strlen(k);
        return p.exec();
      });
      keys.forEach((k, i) => {
        const n = Number(lengths?.[i]?.[1] ?? 0);
        if (!n) return; // expired or evicted meanwhile
        entries++;
        bytes += n;
        objects.add(k.slice(this.prefix.length + 1, k.indexOf('}')));
      });
    }
    const info = await this.conn.run((c) => c.info()).catch(() => '');
    const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim() ?? '';
    return {
      ...totals,
      evicted: Number(field('evicted_keys')) || 0,
      location: this.location,
      entries,
      objects: objects.size,
      bytes,
      maxBytes: Number(field('maxmemory')) || 0,
      usedMemory: Number(field('used_memory')) || 0,
      maxmemoryPolicy: field('maxmemory_policy'),
    };
  }

  /** Delete every key under the prefix (blocks, leases, validation records, counters). */
  async clear(): Promise<{ entries: number; bytes: number }> {
    let entries = 0;
    let bytes = 0;
    const match = `${globEscape(this.prefix)}*`;
    let cursor = '0';
    do {
      const [next, keys] = await this.conn.run((c) => c.scan(cursor, 'MATCH', match, 'COUNT', 1000));
      cursor = next;
      if (!keys.length) continue;
      const res = await this.conn.run((c) => {
        const p = c.pipeline();
        for (const k of keys) p.strlen(k);
        p.unlink(...keys);
        return p.exec();
      });
      keys.forEach((k, i) => {
        const n = Number(res?.[i]?.[1] ?? 0);
        if (!n || k.endsWith(':lease') || !k.startsWith(`${this.prefix}{`)) return;
        entries++;
        bytes += n;
      });
    } while (cursor !== '0');
    this.held.clear();
    Object.assign(this.counters, emptyRedisCounters());
    this.flushed = emptyRedisCounters();
    return { entries, bytes };
  }

  /** Check every cached block (checksum, and that it is the block its key names); delete the damaged ones. */
  async verify(): Promise<VerifyReport> {
    const report: VerifyReport = { entries: 0, ok: 0, corrupt: 0, vanished: 0, bytes: 0 };
    for await (const keys of this.scanBlockKeys()) {
      const values = await this.conn.run((c) => c.mgetBuffer(...keys));
      const bad: string[] = [];
      keys.forEach((k, i) => {
        report.entries++;
        const v = values[i];
        if (!v) {
          report.vanished++;
          return;
        }
        const m = /\{([0-9a-f]{64})\}:(\d+)$/.exec(k);
        // The block's own header gives its expected length and block size; the key gives whose it is.
        const hdr = v.length >= VALUE_HEADER_BYTES ? new DataView(v.buffer, v.byteOffset, VALUE_HEADER_BYTES) : null;
        const ok =
          m && hdr && typeof decodeBlockValue(v, { id: m[1]!, block: Number(m[2]), blockSize: hdr.getUint32(12, true), length: hdr.getUint32(24, true) }, inflateBlock) !== 'string';
        if (ok) {
          report.ok++;
          report.bytes += v.length;
        } else {
          report.corrupt++;
          this.counters.corrupt++;
          bad.push(k);
        }
      });
      if (bad.length) await this.conn.run((c) => c.del(...bad));
    }
    return report;
  }

  /** Release held leases, write the counters, and disconnect. */
  async close(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = null;
    const keys = [...this.held];
    this.held.clear();
    if (keys.length && this.conn.usable) await this.conn.run((c) => (c as unknown as ScriptClient).ffRelease(keys.length, ...keys, this.token)).catch(() => {});
    await this.flush();
    await this.conn.close();
  }
}
