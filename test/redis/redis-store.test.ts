/**
 * RedisStore against a real redis-server (started here on a loopback port):
 * blocks round-trip and are verified; damaged values (flipped bytes,
 * truncated, another key's value, another object's) are detected, deleted and
 * fetched again; compression; validation records (maxAge); stats, verify,
 * clear; eviction under maxmemory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { open, type OpenOptions } from '../helpers/fitsflow.js';
import { RedisStore, type RedisStoreOptions } from '../../src/node/redis/redis-store.js';
import { objectId, type CachedObject } from '../../src/cache/store.js';
import { TestServer } from '../remote/server.js';
import { haveRedisServer, RedisServer } from './redis-server.js';

const B = 8 * 2880;

/** Deterministic bytes that do not compress much (and a compressible variant). */
function fileBytes(n: number, seed: number, compressible = false): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed * 2654435761 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = compressible ? (i >> 6) & 0xff : x & 0xff;
  }
  return out;
}

/** Byte-for-byte equality (vitest's toEqual walks large arrays element by element: minutes for megabytes). */
function expectBytes(got: Uint8Array, want: Uint8Array): void {
  expect(got.length).toBe(want.length);
  expect(Buffer.compare(got, want)).toBe(0);
}

/** Read `[0, size)` of `url` through a fresh CachedSource on `store` (no memory cache: every block goes to the store). */
async function readThrough(url: string, store: RedisStore, extra: OpenOptions = {}): Promise<Uint8Array> {
  const f = await open(url, { ...extra, cache: { memory: false, persistent: store, ...((extra.cache as object) ?? {}) } } as OpenOptions);
  try {
    return await f.source.read(0, f.source.size);
  } finally {
    await f.close();
  }
}

describe.skipIf(!haveRedisServer)('RedisStore on a real redis-server', () => {
  let redis: RedisServer;
  let origin: TestServer;
  let raw: Redis;
  const stores: RedisStore[] = [];
  const warnings: string[] = [];
  const newStore = (o: RedisStoreOptions = {}) => {
    const s = new RedisStore({ url: redis.url, onWarning: (m) => warnings.push(m), retryMs: 200, ...o });
    stores.push(s);
    return s;
  };
  /** Bytes of range GETs the origin sent for `path`. */
  const fetched = (path: string) => origin.requests(path, 'GET').reduce((a, l) => a + l.bytes, 0);

  beforeAll(async () => {
    redis = await RedisServer.start();
    origin = await new TestServer().start();
    raw = new Redis(redis.url, { lazyConnect: true });
    await raw.connect();
  });
  afterAll(async () => {
    for (const s of stores) await s.close().catch(() => {});
    raw?.disconnect();
    await origin?.close();
    await redis?.stop();
  });

  it('serves blocks written by another store, with no request to the origin', async () => {
    const data = fileBytes(5 * B + 1234, 1);
    origin.put('a.fits', data);
    const url = origin.url('a.fits');
    const s1 = newStore({ prefix: 't1:' });
    expectBytes(await readThrough(url, s1), data);
    expect(fetched('a.fits')).toBe(data.length);
    expect(s1.counters.bytesWritten).toBe(data.length);
    origin.reset();
    const s2 = newStore({ prefix: 't1:' });
    expectBytes(await readThrough(url, s2), data);
    expect(fetched('a.fits')).toBe(0); // only the HEAD probe
    expect(s2.counters.misses).toBe(0);
    expect(s2.counters.hits).toBeGreaterThanOrEqual(6);
    // Keys: one per block, named by object id and block index.
    const keys = (await raw.keys('t1:{*')).sort();
    expect(keys).toHaveLength(6);
    for (const k of keys) expect(k).toMatch(/^t1:\{[0-9a-f]{64}\}:\d$/);
  });

  it('small and large reads (getBlocks and readBlocksInto) agree with the file', async () => {
    const data = fileBytes(200 * B + 77, 2);
    origin.put('big.fits', data);
    const url = origin.url('big.fits');
    const s = newStore({ prefix: 't2:' });
    expectBytes(await readThrough(url, s), data);
    const f = await open(url, { cache: { memory: false, persistent: newStore({ prefix: 't2:' }) } });
    try {
      expectBytes(await f.source.read(3 * B + 5, 100), data.subarray(3 * B + 5, 3 * B + 105));
      expectBytes(await f.source.read(10 * B - 3, 150 * B), data.subarray(10 * B - 3, 160 * B - 3));
    } finally {
      await f.close();
    }
  });

  describe('damaged values are detected, deleted and fetched again', () => {
    const data = fileBytes(4 * B + 100, 3);
    let url: string;
    let obj: CachedObject;
    const key = (b: number, id = obj.id) => `t3:{${id}}:${b}`;

    beforeAll(async () => {
      origin.put('c.fits', data);
      url = origin.url('c.fits');
      const f = await open(url, { cache: false });
      const id = (f.source as unknown as { identity: { url: string; size: number; etag: string | null; lastModified: string | null } }).identity;
      await f.close();
      obj = { id: await objectId(id, B), url, etag: id.etag, lastModified: id.lastModified, size: id.size, blockSize: B };
    });

    const cases: [string, (v: Buffer) => Promise<void>][] = [
      ['a flipped payload byte', async (v) => void (await raw.set(key(1), Buffer.from(v.map((x, i) => (i === v.length - 7 ? x ^ 0x10 : x)))))],
      ['a flipped header byte', async (v) => void (await raw.set(key(1), Buffer.from(v.map((x, i) => (i === 20 ? x ^ 1 : x)))))],
      ['a truncated value', async (v) => void (await raw.set(key(1), v.subarray(0, v.length - 1000)))],
      ['a value cut inside its header', async (v) => void (await raw.set(key(1), v.subarray(0, 30)))],
      ["another block's value", async () => void (await raw.set(key(1), (await raw.getBuffer(key(2)))!))],
      ["another object's value", async () => {
        const { encodeBlockValue } = await import('../../src/node/redis/block-value.js');
        await raw.set(key(1), Buffer.from(encodeBlockValue('ab'.repeat(32), B, 1, data.subarray(B, 2 * B))));
      }],
      ['garbage', async () => void (await raw.set(key(1), 'not a block'))],
    ];

    for (const [name, damage] of cases) {
      it(name, async () => {
        await raw.flushdb();
        expectBytes(await readThrough(url, newStore({ prefix: 't3:' })), data);
        const good = (await raw.getBuffer(key(1)))!;
        expect(good).not.toBeNull();
        await damage(good);
        origin.reset();
        const s = newStore({ prefix: 't3:' });
        expectBytes(await readThrough(url, s), data);
        expect(s.counters.corrupt).toBe(1);
        // Block 1 alone came from the origin again, and its good value is back.
        expect(origin.requests('c.fits', 'GET').map((l) => l.range)).toEqual([`bytes=${B}-${2 * B - 1}`]);
        expect(await raw.getBuffer(key(1))).toEqual(good);
      });
    }
  });

  it('compresses blocks where it pays, and verifies them after inflating', async () => {
    const data = fileBytes(6 * B, 4, true);
    const noise = fileBytes(3 * B, 5);
    origin.put('z.fits', data);
    origin.put('n.fits', noise);
    const s = newStore({ prefix: 't4:', compress: true });
    expectBytes(await readThrough(origin.url('z.fits'), s), data);
    expectBytes(await readThrough(origin.url('n.fits'), s), noise);
    expect(s.counters.bytesWritten).toBe(9 * B);
    const values = await Promise.all((await raw.keys('t4:{*')).map((k) => raw.getBuffer(k)));
    const codecs = values.map((v) => v![5]);
    expect(codecs.filter((c) => c === 1)).toHaveLength(6); // the compressible file
    expect(codecs.filter((c) => c === 0)).toHaveLength(3); // noise is stored raw
    expect(s.counters.bytesStored).toBeLessThan(3 * B + 6 * B * 0.5);
    const s2 = newStore({ prefix: 't4:', compress: false }); // reading needs no option
    origin.reset();
    expectBytes(await readThrough(origin.url('z.fits'), s2), data);
    expect(fetched('z.fits')).toBe(0);
    // A flipped byte inside a compressed stream: refused (it inflates to other bytes, or not at all).
    const k = (await raw.keys('t4:{*')).find((x, i) => values[i]![5] === 1)!;
    const v = (await raw.getBuffer(k))!;
    v[v.length - 3] ^= 0x40;
    await raw.set(k, v);
    const s3 = newStore({ prefix: 't4:' });
    expectBytes(await readThrough(origin.url('z.fits'), s3), data);
    expect(s3.counters.corrupt).toBe(1);
  });

  it('shares validation records: with maxAge a later process opens without asking the origin', async () => {
    const data = fileBytes(2 * B, 6);
    origin.put('v.fits', data);
    const url = origin.url('v.fits');
    const s1 = newStore({ prefix: 't5:' });
    expectBytes(await readThrough(url, s1, { cache: { maxAge: 60_000 } }), data);
    expect(await raw.keys('t5:url:*')).toHaveLength(1);
    await origin.close(); // the origin is down
    try {
      const s2 = newStore({ prefix: 't5:' });
      // In a new process the in-process record would not exist; the store's record is what counts here:
      const rec = await s2.lastValidated(url);
      expect(rec?.identity.size).toBe(data.length);
    } finally {
      await origin.start();
    }
  });

  it('stores no credentials of a presigned URL in validation records', async () => {
    const s = newStore({ prefix: 't5s:' });
    const url = `${origin.origin}/p.fits?X-Amz-Credential=AKIDSECRETCRED&X-Amz-Signature=deadbeefsig`;
    s.noteValidated({ url, size: 123, etag: '"e"', lastModified: null }, 1000);
    let rec = null;
    for (let i = 0; i < 50 && !rec; i++) rec = await s.lastValidated(url);
    expect(rec).toMatchObject({ identity: { url, size: 123 }, at: 1000 });
    const keys = await raw.keys('t5s:*');
    expect(keys.length).toBe(1);
    const stored = (await raw.getBuffer(keys[0]!))!.toString('latin1');
    expect(stored).not.toMatch(/deadbeefsig|AKIDSECRETCRED/);
  });

  it('stats: counters of every store (shared through Redis), entries, bytes; verify; clear', async () => {
    const data = fileBytes(3 * B, 7);
    origin.put('s.fits', data);
    const url = origin.url('s.fits');
    const a = newStore({ prefix: 't6:' });
    const b = newStore({ prefix: 't6:' });
    await readThrough(url, a); // 3 misses, 3 blocks written
    await readThrough(url, b); // 3 hits
    await a.flush();
    await b.flush();
    const st = await newStore({ prefix: 't6:' }).stats();
    expect(st.entries).toBe(3);
    expect(st.objects).toBe(1);
    expect(st.bytes).toBe(3 * B + 3 * 64);
    for (const k of ['hits', 'misses', 'bytesFromCache', 'bytesChecksummed'] as const) expect(st[k]).toBe(a.counters[k] + b.counters[k]);
    expect(b.counters.misses).toBe(0);
    expect(st.bytesFromNetwork).toBe(3 * B);
    expect(st.bytesWritten).toBe(3 * B);
    expect(st.location).toBe(`${redis.url}`.replace(/\/?$/, ''));
    // verify: one damaged value found and removed.
    const k = (await raw.keys('t6:{*'))[0]!;
    const v = (await raw.getBuffer(k))!;
    v[100] ^= 1;
    await raw.set(k, v);
    const r = await a.verify();
    expect(r).toMatchObject({ entries: 3, ok: 2, corrupt: 1 });
    expect(await raw.exists(k)).toBe(0);
    const c = await a.clear();
    expect(c.entries).toBe(2);
    expect(await raw.keys('t6:*')).toEqual([]);
  });

  it('under maxmemory with an LRU policy, Redis evicts blocks: they are misses, reads stay right, stats report it', async () => {
    const small = await RedisServer.start(['--maxmemory', '2mb', '--maxmemory-policy', 'allkeys-lru']);
    try {
      const files = Array.from({ length: 4 }, (_, i) => fileBytes(40 * B, 40 + i)); // 3.5 MiB in all
      files.forEach((b, i) => origin.put(`lru${i}.fits`, b));
      const s = new RedisStore({ url: small.url, onWarning: (m) => warnings.push(m) });
      stores.push(s);
      for (let i = 0; i < files.length; i++) expectBytes(await readThrough(origin.url(`lru${i}.fits`), s), files[i]!);
      const st = await s.stats();
      expect(st.maxBytes).toBe(2 * 2 ** 20);
      expect(st.maxmemoryPolicy).toBe('allkeys-lru');
      expect(st.evicted).toBeGreaterThan(0);
      expect(st.bytes).toBeLessThan(2 * 2 ** 20);
      // The first file lost blocks to eviction: read again, they come from the origin; the bytes are right.
      origin.reset();
      expectBytes(await readThrough(origin.url('lru0.fits'), s), files[0]!);
      expect(fetched('lru0.fits')).toBeGreaterThan(0);
    } finally {
      await small.stop();
    }
  });
});
