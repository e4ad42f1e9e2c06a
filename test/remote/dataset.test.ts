/**
 * FitsDataset over a loopback server: order and seeded shuffles, prefetch and
 * concurrency, retries then skip / raise, progress, epochs served from the
 * cache, and cache eviction that keeps what the next epoch needs.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FitsDataset, isFitsError, MemoryBlockCache, type DatasetProgress, type ImageData } from '../helpers/fitsflow.js';
import { TestServer } from './server.js';
import { smallImage, smallImagePixels } from './fits-bytes.js';

const N = 24;
const FAST = { retryDelay: 2, maxRetryDelay: 10, retries: 0, timeout: 3000, stallTimeout: 1000 };
let srv: TestServer;
let urls: string[];

beforeAll(async () => {
  srv = await new TestServer().start();
  for (let i = 0; i < N; i++) srv.put(`f${i}.fits`, smallImage(i));
  urls = Array.from({ length: N }, (_, i) => srv.url(`f${i}.fits`));
});
afterEach(() => srv.reset());
afterAll(async () => {
  await srv.close();
});

const seedOf = (img: ImageData) => Math.round((img.data[0] as number) / 7);

describe('FitsDataset', () => {
  it('yields the primary images in order, one per file (default select)', async () => {
    const ds = new FitsDataset(urls, { open: { http: FAST } });
    const seen: number[] = [];
    for await (const img of ds) {
      expect(img.shape).toEqual([16, 16]);
      const s = seedOf(img);
      expect(Array.from(img.data as Int16Array)).toEqual(Array.from(smallImagePixels(s)));
      seen.push(s);
    }
    expect(seen).toEqual(Array.from({ length: N }, (_, i) => i));
  }, 30_000);

  it('shuffles deterministically per epoch from the seed', async () => {
    const run = async (seed: number) => {
      const out: number[] = [];
      const ds = new FitsDataset(urls, { shuffle: seed, epochs: 3, open: { http: FAST }, select: async (f) => Number((await f.hdu(0)).header.get('SEED')) });
      for await (const v of ds) out.push(v);
      return out;
    };
    const a = await run(42);
    const b = await run(42);
    const c = await run(43);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const epochs = [a.slice(0, N), a.slice(N, 2 * N), a.slice(2 * N)];
    for (const e of epochs) expect([...e].sort((x, y) => x - y)).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(epochs[0]).not.toEqual(epochs[1]);
    expect(new FitsDataset(urls, { shuffle: 42, epochs: 3 }).order(1)).toEqual(Uint32Array.from(epochs[1]!));
  }, 30_000);

  it('prefetches ahead with bounded concurrency; prefetch 0 loads one file at a time', async () => {
    const slow = await new TestServer({ latencyMs: 40 }).start();
    try {
      for (let i = 0; i < 12; i++) slow.put(`f${i}.fits`, smallImage(i));
      const u = Array.from({ length: 12 }, (_, i) => slow.url(`f${i}.fits`));
      const consume = async (prefetch: number, concurrency: number) => {
        slow.reset();
        const ds = new FitsDataset(u, { prefetch, concurrency, open: { http: FAST } });
        const t = performance.now();
        let n = 0;
        for await (const img of ds) n += img.data.length > 0 ? 1 : 0;
        expect(n).toBe(12);
        return { ms: performance.now() - t, maxInFlight: slow.maxInFlight };
      };
      const none = await consume(0, 4);
      const ahead = await consume(8, 3);
      expect(none.maxInFlight).toBe(1);
      expect(ahead.maxInFlight).toBeGreaterThan(1);
      expect(ahead.maxInFlight).toBeLessThanOrEqual(3);
      expect(ahead.ms).toBeLessThan(none.ms);
    } finally {
      await slow.close();
    }
  }, 30_000);

  it('retries failed files, then skips and reports them (or raises)', async () => {
    // f3: two 503s then fine (retried); f5: missing (skipped after its attempts)
    srv.faults.push({ kind: 'status', status: 503, times: 2, match: ({ path }) => path.endsWith('/f3.fits') });
    const list = [...urls.slice(0, 5), srv.url('missing.fits'), ...urls.slice(5, 8)];
    const progress: DatasetProgress[] = [];
    const skipped: string[] = [];
    const ds = new FitsDataset(list, { open: { http: FAST }, retries: 2, onError: (f) => void skipped.push(String(f.url)), onProgress: (p) => void progress.push(p) });
    const got: number[] = [];
    for await (const img of ds) got.push(seedOf(img));
    expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(skipped).toEqual([srv.url('missing.fits')]);
    expect(ds.failures.length).toBe(1);
    expect(isFitsError(ds.failures[0]!.error, 'NOT_FOUND')).toBe(true);
    expect(ds.failures[0]!.attempts).toBe(1); // NOT_FOUND is not transient: no retries
    expect(progress.length).toBe(9);
    expect(progress.at(-1)).toMatchObject({ done: 9, total: 9, delivered: 8, skipped: 1 });
    expect(srv.requests('/f3.fits').filter((r) => r.status === 503).length).toBe(2);

    srv.faults.push({ kind: 'status', status: 500, times: 100, match: ({ path }) => path.endsWith('/f2.fits') });
    const raising = new FitsDataset(urls.slice(0, 4), { open: { http: FAST }, retries: 1, onError: 'raise' });
    const seen: number[] = [];
    const err = await (async () => {
      for await (const img of raising) seen.push(seedOf(img));
    })().catch((e) => e);
    expect(isFitsError(err, 'IO')).toBe(true);
    expect(seen).toEqual([0, 1]);
    srv.faults.length = 0;
  }, 30_000);

  it('later epochs come from the cache: no requests at all when everything fits', async () => {
    let lastBytes: DatasetProgress | null = null;
    const ds = new FitsDataset(urls, { epochs: 3, shuffle: 7, open: { http: FAST }, onProgress: (p) => (lastBytes = p) });
    let i = 0;
    for await (const _ of ds) i++;
    expect(i).toBe(3 * N);
    expect(srv.log.length).toBe(N); // one GET per file (the probe brings the whole small file), in the first epoch only
    expect(lastBytes!.bytesFromCache).toBeGreaterThan(0);
    // Prefetch far into later epochs while the first loads are still running: still one request per file.
    srv.reset();
    const few = new FitsDataset(urls.slice(0, 3), { epochs: 4, shuffle: 3, prefetch: 12, concurrency: 6, open: { http: FAST } });
    let m = 0;
    for await (const _ of few) m++;
    expect(m).toBe(12);
    expect(srv.log.length).toBe(3);
  }, 30_000);

  it('over budget, keeps what the next epoch needs soonest (beats LRU on a cyclic order)', async () => {
    const fileBytes = smallImage(0).length; // one block per file
    const budget = 10 * fileBytes;
    const gets = async (cache: MemoryBlockCache, hinted: boolean) => {
      srv.reset();
      if (hinted) {
        const ds = new FitsDataset(urls, { epochs: 2, cache, prefetch: 0, open: { http: FAST } });
        for await (const _ of ds);
      } else {
        // The same access pattern without next-use hints: plain LRU.
        const { open } = await import('../helpers/fitsflow.js');
        for (let e = 0; e < 2; e++)
          for (const u of urls) {
            const f = await open(u, { http: FAST, cache: { memory: cache } });
            await (await f.hdu(0)).readImage();
            await f.close();
          }
      }
      return srv.requests(undefined, 'GET').length;
    };
    const lru = await gets(new MemoryBlockCache({ maxBytes: budget }), false);
    const belady = await gets(new MemoryBlockCache({ maxBytes: budget }), true);
    expect(lru).toBe(2 * N); // cyclic access larger than the cache: LRU misses everything
    expect(belady).toBeLessThanOrEqual(2 * N - 8); // epoch 2 finds ~9 files still cached
  }, 30_000);

  it('works on local paths and in-memory bytes too', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'fitsflow-ds-'));
    try {
      const paths = [0, 1, 2].map((i) => {
        const p = join(dir, `l${i}.fits`);
        writeFileSync(p, smallImage(100 + i));
        return p;
      });
      const got: number[] = [];
      for await (const img of new FitsDataset([...paths, smallImage(200)], { epochs: 2 })) got.push(seedOf(img));
      expect(got).toEqual([100, 101, 102, 200, 100, 101, 102, 200]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('stops when aborted, and when the consumer breaks out', async () => {
    const ac = new AbortController();
    const ds = new FitsDataset(urls, { open: { http: FAST }, signal: ac.signal, prefetch: 4 });
    let n = 0;
    const err = await (async () => {
      for await (const _ of ds) if (++n === 3) ac.abort();
    })().catch((e) => e);
    expect(isFitsError(err, 'ABORTED')).toBe(true);
    const ds2 = new FitsDataset(urls, { open: { http: FAST }, prefetch: 4 });
    let m = 0;
    for await (const _ of ds2) if (++m === 2) break;
    expect(m).toBe(2);
  }, 30_000);
});
