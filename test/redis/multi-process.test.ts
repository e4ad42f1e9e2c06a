/**
 * Several real processes sharing one real redis-server (FITSFLOW_CACHE, as a
 * CLI or training worker configures it): reading the same remote files at
 * once, each block is fetched from the origin by one of them only (single
 * flight); without the shared cache, each process fetches everything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { TestServer } from '../remote/server.js';
import { smallImage } from '../remote/fits-bytes.js';
import { haveRedisServer, RedisServer } from './redis-server.js';
import { runChildren, type ChildJob } from './children.js';

/** A file of `n` deterministic bytes. */
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

/** How many times each byte of `path` was sent by the origin (from its log of Range GETs). */
function coverage(origin: TestServer, path: string, size: number): Uint8Array {
  const cov = new Uint8Array(size);
  for (const l of origin.requests(path, 'GET')) {
    const m = /^bytes=(\d+)-(\d+)$/.exec(l.range ?? '');
    const [a, b] = m ? [Number(m[1]), Math.min(size - 1, Number(m[2]))] : [0, size - 1];
    for (let i = a; i <= b && i < a + l.bytes; i++) cov[i]!++;
  }
  return cov;
}

describe.skipIf(!haveRedisServer)('several processes, one Redis cache', () => {
  let redis: RedisServer;
  let origin: TestServer;
  const files = new Map<string, Uint8Array>();

  beforeAll(async () => {
    redis = await RedisServer.start();
    origin = await new TestServer({ latencyMs: 15 }).start();
    for (let i = 0; i < 6; i++) {
      // Sizes from under one block to ~40 blocks, not multiples of the block size.
      const b = bytes(1000 + i * 180_000, i + 1);
      files.set(`f${i}.fits`, b);
      origin.put(`f${i}.fits`, b);
    }
  });
  afterAll(async () => {
    await origin?.close();
    await redis?.stop();
  });

  const shaOf = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

  it('4 processes reading the same files at once fetch each byte from the origin once', async () => {
    origin.reset();
    const urls = [...files.keys()].map((p) => origin.url(p));
    const job: ChildJob = { urls, mode: 'read', parallel: 3 };
    const results = await runChildren([job, job, job, job], { FITSFLOW_CACHE: `${redis.url}/0` });
    for (const r of results) {
      expect(r.results).toHaveLength(files.size);
      for (const { url, sha } of r.results) expect(sha).toBe(shaOf(files.get(url.split('/').pop()!)!));
    }
    for (const [path, b] of files) {
      const cov = coverage(origin, path, b.length);
      const counts = [0, 0, 0, 0, 0, 0];
      for (const c of cov) counts[Math.min(c, 5)]!++;
      // counts[k]: bytes the origin sent k times. Every byte once: all of them in counts[1].
      expect(counts, path).toEqual([0, b.length, 0, 0, 0, 0]);
    }
    // The waiting happened: some blocks came from another process's fetch.
    const waited = results.reduce((a, r) => a + (r.counters?.waited ?? 0), 0);
    const leased = results.reduce((a, r) => a + (r.counters?.leased ?? 0), 0);
    expect(leased).toBe([...files.values()].reduce((a, b) => a + Math.ceil(b.length / 23040), 0));
    expect(waited).toBeGreaterThan(0);
  });

  it('the same run without a shared cache fetches every file once per process (what the cache saves)', async () => {
    origin.reset();
    const urls = [...files.keys()].map((p) => origin.url(p));
    const job: ChildJob = { urls, mode: 'read', parallel: 3 };
    await runChildren([job, job, job, job], { FITSFLOW_CACHE: '' });
    const total = [...files.values()].reduce((a, b) => a + b.length, 0);
    expect(origin.bytesSent()).toBeGreaterThanOrEqual(4 * total);
  });

  describe('a 4-process x 200-file FitsDataset over an origin with 10 ms latency', () => {
    let slow: TestServer;
    let urls: string[];
    let total = 0;
    const shas = new Map<string, string>();
    beforeAll(async () => {
      slow = await new TestServer({ latencyMs: 10 }).start();
      for (let i = 0; i < 200; i++) {
        const b = smallImage(i, 64, 64);
        slow.put(`d${i}.fits`, b);
        total += b.length;
        shas.set(slow.url(`d${i}.fits`), shaOf(b));
      }
      urls = [...shas.keys()];
    });
    afterAll(async () => {
      await slow?.close();
    });

    const flushRedis = async () => {
      const c = new Redis(redis.url);
      await c.flushdb();
      c.disconnect();
    };
    const check = (results: Awaited<ReturnType<typeof runChildren>>, perItem: number) => {
      const n = results.reduce((a, r) => a + r.results.length, 0);
      expect(n).toBe(perItem);
      for (const r of results) {
        expect(r.error).toBeUndefined();
        for (const it of r.results) expect(it.sha).toBe(shas.get(it.url));
      }
    };

    it('sharded (rank / worldSize 4), 3 epochs reshuffled: the origin sends the dataset once', async () => {
      await flushRedis();
      slow.reset();
      const jobs: ChildJob[] = [0, 1, 2, 3].map((rank) => ({ urls, mode: 'dataset', dataset: { rank, worldSize: 4, epochs: 3, seed: 11 } }));
      const results = await runChildren(jobs, { FITSFLOW_CACHE: redis.url, FITSFLOW_CACHE_MAX_AGE: '600' });
      check(results, 3 * 200);
      // Every file in every epoch, over the 4 ranks.
      for (let e = 0; e < 3; e++) expect(new Set(results.flatMap((r) => r.results.filter((x) => x.epoch === e).map((x) => x.index))).size).toBe(200);
      expect(slow.bytesSent()).toBe(total);
    });

    it('every process reading all 200 files at once: still once (single flight), where per-process caches fetch it 4 times', async () => {
      await flushRedis();
      slow.reset();
      // Independent runs (worldSize 1): two in the same order, two in others.
      const job = (r: number): ChildJob => ({ urls, mode: 'dataset', dataset: { rank: 0, worldSize: 1, epochs: 1, seed: [5, 5, 6, 7][r]! } });
      check(await runChildren([0, 1, 2, 3].map(job), { FITSFLOW_CACHE: redis.url, FITSFLOW_CACHE_MAX_AGE: '600' }), 4 * 200);
      expect(slow.bytesSent()).toBe(total);
      slow.reset();
      const dirs = [0, 1, 2, 3].map((r) => mkdtempSync(join(tmpdir(), `fitsflow-ds-folder-${r}-`)));
      try {
        check(await runChildren([0, 1, 2, 3].map((r) => ({ ...job(r), dir: dirs[r] })), {}), 4 * 200);
        expect(slow.bytesSent()).toBe(4 * total);
      } finally {
        for (const d of dirs) rmSync(d, { recursive: true, force: true });
      }
    });
  });
});
