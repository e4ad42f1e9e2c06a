/**
 * The Cache API store (browsers, edge), against an in-memory CacheStorage
 * that behaves like the real one (stores Responses by URL).
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { CacheApiStore, type CacheLike, type CacheStorageLike } from '../../src/cache/cache-api-store.js';
import { CachedSource } from '../../src/cache/cached-source.js';
import { MemoryBlockCache } from '../../src/cache/memory-cache.js';
import { MemorySource } from '../../src/io/memory-source.js';
import type { CachedObject } from '../../src/cache/store.js';

class MemCache implements CacheLike {
  readonly map = new Map<string, { body: Uint8Array; headers: [string, string][] }>();
  async match(url: string) {
    const e = this.map.get(url);
    return e ? new Response(e.body.slice(), { headers: e.headers }) : undefined;
  }
  async put(url: string, res: Response) {
    this.map.set(url, { body: new Uint8Array(await res.arrayBuffer()), headers: [...res.headers.entries()] });
  }
  async delete(url: string) {
    return this.map.delete(url);
  }
  async keys() {
    return [...this.map.keys()].map((url) => ({ url }));
  }
}
class MemStorage implements CacheStorageLike {
  readonly caches = new Map<string, MemCache>();
  async open(name: string) {
    let c = this.caches.get(name);
    if (!c) this.caches.set(name, (c = new MemCache()));
    return c;
  }
  async delete(name: string) {
    return this.caches.delete(name);
  }
}

const B = 2880;
const obj = (k: number, size = 8 * B): CachedObject => ({ id: createHash('sha256').update(`o${k}`).digest('hex'), url: `https://x.invalid/${k}`, etag: '"e"', lastModified: null, size, blockSize: B });
const content = (n: number, v: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + v) & 0xff);

describe('CacheApiStore', () => {
  it('stores, verifies, drops corrupt blocks, evicts LRU, and survives a new instance (another tab)', async () => {
    const storage = new MemStorage();
    const s = new CacheApiStore('t', { caches: storage, maxBytes: 10 * B });
    const o = obj(1);
    await s.putBlocks(o, 0, content(4 * B, 1));
    const got = await s.getBlocks(o, [0, 3, 5]);
    expect([...got.keys()].sort()).toEqual([0, 3]);
    expect(Buffer.compare(got.get(3)!, content(4 * B, 1).subarray(3 * B))).toBe(0);
    // Corrupt block 1 in storage.
    const cache = storage.caches.get('t')!;
    const key = [...cache.map.keys()].find((k) => k.endsWith('/1'))!;
    cache.map.get(key)!.body[10]! ^= 1;
    expect((await s.getBlocks(o, [1])).size).toBe(0);
    expect(s.counters.corrupt).toBe(1);
    expect(cache.map.has(key)).toBe(false);
    // Eviction: 12 more blocks in a 10-block budget.
    await s.putBlocks(obj(2, 12 * B), 0, content(12 * B, 2));
    const st = await s.stats();
    expect(st.bytes).toBeLessThanOrEqual(10 * B);
    expect(s.counters.evicted).toBeGreaterThan(0);
    await s.flush();
    const other = new CacheApiStore('t', { caches: storage });
    expect((await other.stats()).entries).toBe(st.entries);
    expect((await other.verify()).corrupt).toBe(0);
    await other.clear();
    expect(storage.caches.has('t')).toBe(false);
  });

  it('backs a CachedSource as its persistent store', async () => {
    const storage = new MemStorage();
    const store = new CacheApiStore('fits', { caches: storage });
    const data = content(50_000, 9);
    const identity = { url: 'https://x.invalid/f.fits', size: data.length, etag: '"1"', lastModified: null };
    const inner = Object.assign(new MemorySource(data), { identity });
    const a = await CachedSource.wrap(inner, { persistent: store, memory: false, blockSize: B });
    await a.read(0, data.length);
    await a.close();
    let reads = 0;
    const inner2 = Object.assign(new MemorySource(data), { identity, read: async () => (reads++, new Uint8Array(0)) });
    const b = await CachedSource.wrap(inner2, { persistent: store, memory: new MemoryBlockCache(), blockSize: B });
    expect(Buffer.compare(await b.read(123, 40_000), data.subarray(123, 40_123))).toBe(0);
    expect(reads).toBe(0);
  });
});
