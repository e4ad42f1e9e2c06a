/**
 * The persistent block cache on the Cache API (browsers, service workers,
 * Deno, edge runtimes): one Response per block, under synthetic URLs
 * `https://fitsflow.invalid/<object id>/<block>`.
 *
 * Each block carries the SHA-256 of its bytes (WebCrypto: the only native hash
 * there, faster than any JS checksum), checked on every read; a corrupt or
 * mismatched block is deleted and fetched again. Cache API puts are atomic per
 * entry. Least-recently-used eviction uses an index of sizes and last-use
 * times stored in the cache itself (merged, not overwritten, when several tabs
 * share it); blocks that vanish (evicted by another tab, or by the browser)
 * are simply misses.
 */
import { emptyCounters, extentLength, type CachedObject, type PersistentStore, type StoreCounters, type StoreStats, type VerifyReport } from './store.js';

const BASE = 'https://fitsflow.invalid/';
const INDEX_URL = `${BASE}__index__`;
const H_SHA = 'x-fitsflow-sha256';
const H_LEN = 'x-fitsflow-length';

/** The part of CacheStorage this store needs. */
export interface CacheStorageLike {
  open(name: string): Promise<CacheLike>;
  delete(name: string): Promise<boolean>;
}
export interface CacheLike {
  match(req: string): Promise<Response | undefined>;
  put(req: string, res: Response): Promise<void>;
  delete(req: string): Promise<boolean>;
  keys(): Promise<readonly { url: string }[]>;
}

/** Options of {@link CacheApiStore}: the cache's name, size limit, and the CacheStorage to use. */
export interface CacheApiStoreOptions {
  /** Size limit in bytes (default 1 GiB). */
  maxBytes?: number;
  /** CacheStorage to use (default globalThis.caches). */
  caches?: CacheStorageLike;
}

type IndexEntry = [bytes: number, lastUsed: number];

async function sha256Hex(b: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', b as Uint8Array<ArrayBuffer>));
  return Array.from(d, (x) => x.toString(16).padStart(2, '0')).join('');
}

export class CacheApiStore implements PersistentStore {
  readonly counters: StoreCounters = emptyCounters();
  maxBytes: number;
  private readonly storage: CacheStorageLike;
  private cache: Promise<CacheLike> | null = null;
  private index: Map<string, IndexEntry> | null = null;
  private loading: Promise<Map<string, IndexEntry>> | null = null;
  private readonly removed = new Set<string>();
  private dirty = false;
  private saveTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly location: string = 'fitsflow-v1',
    opts: CacheApiStoreOptions = {},
  ) {
    this.maxBytes = opts.maxBytes ?? 2 ** 30;
    const s = opts.caches ?? (globalThis as { caches?: CacheStorageLike }).caches;
    if (!s) throw new Error('This runtime has no Cache API (globalThis.caches).');
    this.storage = s;
  }

  private open(): Promise<CacheLike> {
    return (this.cache ??= this.storage.open(this.location));
  }

  private url(id: string, block: number): string {
    return `${BASE}${id}/${block}`;
  }

  private async readIndex(c: CacheLike): Promise<Map<string, IndexEntry>> {
    const m = new Map<string, IndexEntry>();
    try {
      const res = await c.match(INDEX_URL);
      if (res) for (const [k, v] of Object.entries((await res.json()) as Record<string, IndexEntry>)) m.set(k, v);
      else for (const r of await c.keys()) if (r.url !== INDEX_URL) m.set(r.url, [0, 0]); // rebuilt: sizes unknown until used
    } catch {
      /* unreadable index: start empty */
    }
    return m;
  }

  private async getIndex(): Promise<Map<string, IndexEntry>> {
    if (this.index) return this.index;
    this.loading ??= this.open().then((c) => this.readIndex(c));
    this.index = await this.loading;
    return this.index;
  }

  private scheduleSave(): void {
    this.dirty = true;
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      this.flush().catch(() => {});
    }, 1000);
    (this.saveTimer as { unref?: () => void }).unref?.();
  }

  async getBlocks(obj: CachedObject, blocks: readonly number[]): Promise<Map<number, Uint8Array>> {
    const out = new Map<number, Uint8Array>();
    const c = await this.open();
    const index = await this.getIndex();
    const now = Date.now();
    await Promise.all(
      blocks.map(async (b) => {
        const url = this.url(obj.id, b);
        const res = await c.match(url);
        if (!res) {
          this.counters.misses++;
          if (index.delete(url)) this.dirty = true;
          return;
        }
        const bytes = new Uint8Array(await res.arrayBuffer());
        this.counters.bytesChecksummed += bytes.length;
        const ok = bytes.length === extentLength(obj, b, 1) && res.headers.get(H_LEN) === String(bytes.length) && res.headers.get(H_SHA) === (await sha256Hex(bytes));
        if (!ok) {
          this.counters.corrupt++;
          this.counters.misses++;
          await c.delete(url).catch(() => false);
          index.delete(url);
          this.removed.add(url);
          this.scheduleSave();
          return;
        }
        this.counters.hits++;
        this.counters.bytesFromCache += bytes.length;
        index.set(url, [bytes.length, now]);
        out.set(b, bytes);
      }),
    );
    if (out.size) this.scheduleSave();
    return out;
  }

  async putBlocks(obj: CachedObject, first: number, bytes: Uint8Array): Promise<void> {
    const c = await this.open();
    const index = await this.getIndex();
    const B = obj.blockSize;
    const now = Date.now();
    for (let at = 0, b = first; at < bytes.length; at += B, b++) {
      const blk = bytes.slice(at, Math.min(at + B, bytes.length));
      const url = this.url(obj.id, b);
      const headers = { [H_SHA]: await sha256Hex(blk), [H_LEN]: String(blk.length), 'content-type': 'application/octet-stream' };
      await c.put(url, new Response(blk, { headers }));
      index.set(url, [blk.length, now]);
      this.removed.delete(url);
      this.counters.bytesWritten += blk.length;
    }
    this.scheduleSave();
    let total = 0;
    for (const [, [n]] of index) total += n;
    if (total > this.maxBytes) await this.evict(c, index, total);
  }

  private async evict(c: CacheLike, index: Map<string, IndexEntry>, total: number): Promise<void> {
    const order = [...index.entries()].sort((a, b) => a[1][1] - b[1][1]);
    const target = this.maxBytes * 0.9;
    for (const [url, [n]] of order) {
      if (total <= target) break;
      await c.delete(url).catch(() => false);
      index.delete(url);
      this.removed.add(url);
      total -= n;
      this.counters.evicted++;
    }
    this.scheduleSave();
  }

  noteNetwork(bytes: number): void {
    this.counters.bytesFromNetwork += bytes;
  }

  /** Save the index, merged with what other tabs saved meanwhile. */
  async flush(): Promise<void> {
    if (!this.dirty || !this.index) return;
    this.dirty = false;
    const c = await this.open();
    const theirs = await this.readIndex(c);
    for (const [url, e] of theirs) {
      if (this.removed.has(url)) continue;
      const mine = this.index.get(url);
      if (!mine) this.index.set(url, e);
      else if (e[1] > mine[1]) mine[1] = e[1];
    }
    await c.put(INDEX_URL, new Response(JSON.stringify(Object.fromEntries(this.index)), { headers: { 'content-type': 'application/json' } }));
  }

  async stats(): Promise<StoreStats> {
    const index = await this.getIndex();
    let bytes = 0;
    const objects = new Set<string>();
    for (const [url, [n]] of index) {
      bytes += n;
      objects.add(url.slice(BASE.length).split('/')[0]!);
    }
    return { ...this.counters, location: this.location, entries: index.size, objects: objects.size, bytes, maxBytes: this.maxBytes };
  }

  /** Remove every entry; what was removed. */
  async clear(): Promise<{ entries: number; bytes: number }> {
    const s = await this.stats();
    await this.storage.delete(this.location);
    this.cache = null;
    this.index = null;
    this.loading = null;
    this.removed.clear();
    return { entries: s.entries, bytes: s.bytes };
  }

  /** Check every entry's checksum, removing corrupt ones. */
  async verify(): Promise<VerifyReport> {
    const c = await this.open();
    const index = await this.getIndex();
    const report: VerifyReport = { entries: 0, ok: 0, corrupt: 0, vanished: 0, bytes: 0 };
    for (const r of await c.keys()) {
      if (r.url === INDEX_URL) continue;
      report.entries++;
      const res = await c.match(r.url);
      if (!res) {
        report.vanished++;
        continue;
      }
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (res.headers.get(H_LEN) === String(bytes.length) && res.headers.get(H_SHA) === (await sha256Hex(bytes))) {
        report.ok++;
        report.bytes += bytes.length;
      } else {
        report.corrupt++;
        await c.delete(r.url).catch(() => false);
        index.delete(r.url);
        this.removed.add(r.url);
        this.dirty = true;
      }
    }
    await this.flush();
    return report;
  }
}

const stores = new Map<string, CacheApiStore>();

/** One store per cache name per realm; null when there is no Cache API. */
export function cacheApiStoreFor(name = 'fitsflow-v1', opts: CacheApiStoreOptions = {}): CacheApiStore | null {
  if (!opts.caches && !(globalThis as { caches?: unknown }).caches) return null;
  let s = stores.get(name);
  if (!s) stores.set(name, (s = new CacheApiStore(name, opts)));
  else if (opts.maxBytes !== undefined) s.maxBytes = opts.maxBytes;
  return s;
}
