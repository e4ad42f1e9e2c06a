/**
 * Faults, with real servers: Redis down from the start, killed in the middle
 * of a read and restarted, frozen (a hung or very slow server); the origin
 * down with a fresh cache, without one, and with a damaged cached value.
 * Reads never fail because of Redis and never return a wrong byte.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { open } from '../helpers/fitsflow.js';
import { RedisStore, type RedisStoreOptions } from '../../src/node/redis/redis-store.js';
import { TestServer } from '../remote/server.js';
import { freePort, haveRedisServer, RedisServer } from './redis-server.js';
import { runChildren } from './children.js';

const B = 8 * 2880;

function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed * 2654435761 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function expectBytes(got: Uint8Array, want: Uint8Array): void {
  expect(got.length).toBe(want.length);
  expect(Buffer.compare(got, want)).toBe(0);
}

/** Read `[offset, offset + length)` (default: all) through a fresh CachedSource on `store`, without a memory cache. */
async function readVia(url: string, store: RedisStore, offset = 0, length?: number): Promise<Uint8Array> {
  const f = await open(url, { cache: { memory: false, persistent: store } });
  try {
    return await f.source.read(offset, length ?? f.source.size - offset);
  } finally {
    await f.close();
  }
}

describe.skipIf(!haveRedisServer)('Redis faults: reads go to the origin, never fail, never serve an unverified byte', () => {
  let origin: TestServer;
  const stores: RedisStore[] = [];
  const servers: RedisServer[] = [];
  let warnings: string[] = [];
  const newStore = (url: string, o: RedisStoreOptions = {}) => {
    const s = new RedisStore({ url, onWarning: (m) => warnings.push(m), retryMs: 300, timeoutMs: 400, ...o });
    stores.push(s);
    return s;
  };

  beforeAll(async () => {
    origin = await new TestServer().start();
  });
  afterEach(() => {
    origin.chaos = null;
    warnings = [];
  });
  afterAll(async () => {
    for (const s of stores) await s.close().catch(() => {});
    for (const r of servers) await r.stop();
    await origin?.close();
  });

  it('Redis down from the start: one warning, every read from the origin', async () => {
    const data = bytes(7 * B + 11, 1);
    origin.put('down.fits', data);
    const port = await freePort(); // nothing listens there
    const s = newStore(`redis://127.0.0.1:${port}`);
    for (let i = 0; i < 3; i++) expectBytes(await readVia(origin.url('down.fits'), s), data);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/unavailable.*reading from the origin/);
    expect(s.counters.hits).toBe(0);
  });

  it('Redis killed in the middle of reads, then restarted: reads complete from the origin, then Redis serves again', async () => {
    const redis = await RedisServer.start();
    servers.push(redis);
    const files = Array.from({ length: 6 }, (_, i) => bytes(60 * B + 100 * i, 10 + i));
    files.forEach((b, i) => origin.put(`kill${i}.fits`, b));
    const urls = files.map((_, i) => origin.url(`kill${i}.fits`));
    // The first half of each file is in Redis.
    const warm = newStore(redis.url);
    for (let i = 0; i < files.length; i++) await readVia(urls[i]!, warm, 0, 30 * B);
    await warm.close(); // (its own connection would see the outage too: the warnings counted are the reader's)
    // Read all files whole, concurrently, with small reads (Redis lookups in flight all along);
    // Redis is killed when the origin sees the first block request (the reads are then half done).
    let killed: Promise<void> | null = null;
    origin.chaos = (req) => {
      if (req.method === 'GET' && !killed) killed = redis.kill();
      return { kind: 'delay', ms: 30 }; // leave time for the kill to land before the blocks are written
    };
    const s = newStore(redis.url);
    const reads = urls.map(async (url, i) => {
      const f = await open(url, { cache: { memory: false, persistent: s } });
      try {
        const out = new Uint8Array(files[i]!.length);
        for (let at = 0; at < out.length; at += 3 * B) out.set(await f.source.read(at, Math.min(3 * B, out.length - at)), at);
        return out;
      } finally {
        await f.close();
      }
    });
    const got = await Promise.all(reads);
    got.forEach((g, i) => expectBytes(g, files[i]!));
    expect(killed).not.toBeNull();
    expect(s.counters.hits).toBeGreaterThan(0); // some blocks came from Redis before it died
    expect(warnings, warnings.join('\n')).toHaveLength(1);
    origin.chaos = null;
    // Restarted (empty: no persistence). After the back-off, the store uses it again.
    await redis.restart();
    await new Promise((r) => setTimeout(r, 400));
    expectBytes(await readVia(urls[0]!, s), files[0]!);
    origin.reset();
    const s2 = newStore(redis.url);
    expectBytes(await readVia(urls[0]!, s2), files[0]!);
    expect(origin.requests('kill0.fits', 'GET')).toHaveLength(0); // all from Redis again
    expect(warnings, warnings.join('\n')).toHaveLength(1);
  });

  it('Redis frozen (SIGSTOP: hung or very slow): reads go to the origin after the command timeout; it serves again once thawed', async () => {
    const redis = await RedisServer.start();
    servers.push(redis);
    const data = bytes(12 * B + 5, 20);
    origin.put('slow.fits', data);
    const url = origin.url('slow.fits');
    const s = newStore(redis.url);
    expectBytes(await readVia(url, s), data);
    redis.pause(true);
    try {
      origin.reset();
      expectBytes(await readVia(url, s), data);
      expectBytes(await readVia(url, s), data);
      expect(origin.bytesSent('slow.fits')).toBeGreaterThanOrEqual(2 * data.length);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/timed out/i);
    } finally {
      redis.pause(false);
    }
    await new Promise((r) => setTimeout(r, 400));
    origin.reset();
    const s2 = newStore(redis.url);
    expectBytes(await readVia(url, s2), data);
    expect(origin.bytesSent('slow.fits')).toBe(0);
  });
});

describe.skipIf(!haveRedisServer)('the origin down (processes configured by FITSFLOW_CACHE / FITSFLOW_CACHE_MAX_AGE)', () => {
  let redis: RedisServer;
  let origin: TestServer;
  let raw: Redis;
  const data = bytes(9 * B + 321, 30);

  beforeAll(async () => {
    redis = await RedisServer.start();
    origin = await new TestServer().start();
    origin.put('o.fits', data);
    raw = new Redis(redis.url);
  });
  afterAll(async () => {
    raw?.disconnect();
    await origin?.close().catch(() => {});
    await redis?.stop();
  });

  const env = (maxAge: number) => ({ FITSFLOW_CACHE: redis.url, FITSFLOW_CACHE_MAX_AGE: String(maxAge) });
  const job = (url: string) => ({ urls: [url], mode: 'read' as const, http: { retries: 1, retryDelay: 50 } });

  it('served from Redis with a fresh cache; refused without one; a FitsError (never wrong data) when the cached value is damaged', async () => {
    const url = origin.url('o.fits');
    // A first process reads the file and records its validation (FITSFLOW_CACHE_MAX_AGE).
    let [r] = await runChildren([job(url)], env(600));
    expect(r!.error).toBeUndefined();
    expect(r!.results[0]!.sha).toBe(sha(data));
    await origin.close(); // the origin is down from here on

    // Fresh enough: served from Redis.
    [r] = await runChildren([job(url)], env(600));
    expect(r!.error).toBeUndefined();
    expect(r!.results[0]!.sha).toBe(sha(data));
    expect(r!.counters!.bytesFromNetwork).toBe(0);

    // Without maxAge the file must be revalidated: the origin is down, so the open fails (a FitsError).
    [r] = await runChildren([job(url)], { FITSFLOW_CACHE: redis.url });
    expect(r!.error?.code).toBe('IO');

    // A fresh cache whose value of block 4 is damaged: the block must come from the origin, which is down.
    const keys = (await raw.keys('fitsflow:{*')).filter((k) => k.endsWith(':4'));
    expect(keys).toHaveLength(1);
    const v = (await raw.getBuffer(keys[0]!))!;
    v[v.length - 100] ^= 0x01;
    await raw.set(keys[0]!, v);
    [r] = await runChildren([job(url)], env(600));
    expect(r!.results).toHaveLength(0);
    expect(r!.error?.code).toBe('IO');
    expect(r!.counters!.corrupt).toBe(1);
    expect(await raw.exists(keys[0]!)).toBe(0); // deleted
  });

  it('a process that never closes its store still exits when its work is done (the idle connection holds nothing open)', async () => {
    // The children close their stores; this one is told not to (as a CLI command that just returns).
    const live = await new TestServer().start();
    live.put('live.fits', data);
    const url = live.url('live.fits');
    const { spawn } = await import('node:child_process');
    const { childScript } = await import('./children.js');
    const script = await childScript();
    const code = await new Promise<number | null>((resolve) => {
      const p = spawn(process.execPath, [script, JSON.stringify({ urls: [url], mode: 'read', noClose: true })], { env: { ...process.env, FITSFLOW_CACHE: redis.url, FITSFLOW_CACHE_MAX_AGE: '600' }, stdio: ['pipe', 'pipe', 'inherit'] });
      p.stdout.once('data', () => p.stdin.write('go\n'));
      const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
      p.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    await live.close();
    expect(code).toBe(0); // not killed: it exited by itself
    expect(live.requests('live.fits', 'GET').length).toBeGreaterThan(0); // and it did read
  });
});
