/**
 * HttpSource against a loopback server with injected faults: resets, 5xx
 * bursts, 429 + Retry-After, stalls, truncated bodies, wrong and ignored
 * ranges, files changing mid-read.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpSource, open, isFitsError, fetchTransport, MemoryBlockCache, type HttpSourceOptions, type HttpTransport } from '../helpers/fitsflow.js';
import { TestServer } from './server.js';

// Most tests probe with HEAD, so that every read below goes to the network (the default probe keeps the first 23 040 bytes).
const BASE: HttpSourceOptions = { retryDelay: 5, maxRetryDelay: 40, timeout: 1500, stallTimeout: 300, maxRetryAfter: 3000, retries: 4, probe: 'head' };
let FAST: HttpSourceOptions = BASE;
const SIZE = 300_000;

function pattern(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const DATA = pattern(SIZE);
let srv: TestServer;
const opened: HttpSource[] = [];

async function src(path = 'data.bin', opts: HttpSourceOptions = {}): Promise<HttpSource> {
  const s = await HttpSource.open(srv.url(path), { ...FAST, ...opts });
  opened.push(s);
  return s;
}

/** Compare bytes quickly (vitest's deep equality is slow on big typed arrays). */
function expectBytes(got: Uint8Array, want: Uint8Array): void {
  if (got.length === want.length && Buffer.compare(got, want) === 0) return;
  let i = 0;
  while (i < Math.min(got.length, want.length) && got[i] === want[i]) i++;
  expect.fail(`bytes differ: lengths ${got.length} / ${want.length}, first difference at ${i}`);
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (isFitsError(e)) return e.code;
    throw e;
  }
}

beforeAll(async () => {
  srv = await new TestServer().start();
});
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
  srv.put('data.bin', DATA);
  srv.reset();
});
afterAll(async () => {
  await srv.close();
});

describe('HttpSource: normal operation', () => {
  it('probes size and validators with HEAD, reads exact ranges', async () => {
    srv.put('data.bin', DATA);
    const s = await src();
    expect(s.size).toBe(SIZE);
    expect(s.etag).toMatch(/^".+"$/);
    expect(s.lastModified).toBeTruthy();
    expectBytes(await s.read(1000, 10), DATA.subarray(1000, 1010));
    expectBytes(await s.read(SIZE - 5, 100), DATA.subarray(SIZE - 5));
    expect((await s.read(SIZE + 10, 5)).length).toBe(0);
    const into = new Uint8Array(20);
    const got = await s.read(7, 20, into);
    expect(got.buffer).toBe(into.buffer);
    expect(got).toEqual(DATA.subarray(7, 27));
    expect(srv.requests(undefined, 'HEAD').length).toBe(1);
  }, 20_000);

  it('by default probes with a GET of the first 23 040 bytes, and serves them without another request', async () => {
    srv.put('data.bin', DATA);
    const s = await src('data.bin', { probe: undefined });
    expect(s.size).toBe(SIZE);
    expect(srv.log.map((l) => `${l.method} ${l.range}`)).toEqual(['GET bytes=0-23039']);
    expectBytes(await s.read(0, 23_040), DATA.subarray(0, 23_040));
    expectBytes(await s.read(100, 2880), DATA.subarray(100, 2980));
    expect(srv.log.length).toBe(1);
    expectBytes(await s.read(23_000, 100), DATA.subarray(23_000, 23_100));
    expect(srv.log.length).toBe(2);
    // Faults during the probe are retried like any other request; small files come whole with the probe.
    srv.reset();
    srv.faults.push({ kind: 'reset', after: 100 }, { kind: 'status', status: 503 });
    const t = await src('data.bin', { probe: undefined });
    expectBytes(await t.read(0, 20_000), DATA.subarray(0, 20_000));
    expect(srv.log.length).toBe(3);
    srv.put('small.bin', DATA.subarray(0, 5760));
    const u = await src('small.bin', { probe: undefined });
    expectBytes(await u.read(0, 5760), DATA.subarray(0, 5760));
    srv.put('empty.bin', new Uint8Array(0));
    expect((await src('empty.bin', { probe: undefined })).size).toBe(0);
  }, 20_000);

  it('coalesces reads issued together (gap) and sends conditional requests', async () => {
    srv.put('data.bin', DATA);
    const s = await src('data.bin', { coalesceGap: 4096 });
    srv.reset();
    const offs = Array.from({ length: 40 }, (_, i) => i * 3000);
    const res = await Promise.all(offs.map((o) => s.read(o, 100)));
    res.forEach((r, i) => expect(r).toEqual(DATA.subarray(offs[i]!, offs[i]! + 100)));
    expect(srv.requests(undefined, 'GET').length).toBe(1);
    // Far apart: one request each, but never more than `concurrency` at once.
    const far = await src('data.bin', { coalesceGap: 0, concurrency: 2 });
    srv.reset();
    const many = await Promise.all(Array.from({ length: 12 }, (_, i) => far.read(i * 20_000, 10)));
    many.forEach((r, i) => expect(r).toEqual(DATA.subarray(i * 20_000, i * 20_000 + 10)));
    expect(srv.requests(undefined, 'GET').length).toBe(12);
    expect(srv.maxInFlight).toBeLessThanOrEqual(2);
  }, 20_000);

  it('splits long reads into parallel pieces', async () => {
    srv.put('data.bin', DATA);
    const s = await src('data.bin', { maxRangeBytes: 64 * 1024 });
    srv.reset();
    expectBytes(await s.read(0, SIZE), DATA);
    expect(srv.requests(undefined, 'GET').length).toBe(Math.ceil(SIZE / 65536));
  }, 20_000);

  it('falls back to a one-byte GET when HEAD is refused', async () => {
    const alt = await new TestServer({ noHead: true }).start();
    try {
      alt.put('x.bin', DATA);
      const s = await HttpSource.open(alt.url('x.bin'), FAST);
      expect(s.size).toBe(SIZE);
      expectBytes(await s.read(5, 5), DATA.subarray(5, 10));
      expect(alt.requests(undefined, 'GET')[0]!.range).toBe('bytes=0-0');
      await s.close();
    } finally {
      await alt.close();
    }
  }, 20_000);

  it('cache maxAge: a warm re-open within maxAge sends no request; changes still surface on network reads', async () => {
    const v1 = pattern(120_000, 11);
    srv.put('fresh.bin', v1);
    const cache = { memory: new MemoryBlockCache({ maxBytes: 16 << 20 }), maxAge: 60_000 };
    const a = await open(srv.url('fresh.bin'), { http: BASE, cache });
    expectBytes(await a.source.read(0, 50_000), v1.subarray(0, 50_000));
    await a.close();
    srv.reset();
    const b = await open(srv.url('fresh.bin'), { http: BASE, cache });
    expectBytes(await b.source.read(0, 50_000), v1.subarray(0, 50_000));
    expect(srv.log.length).toBe(0);
    // Without maxAge, every open revalidates (one HEAD here, the bytes being cached).
    const c = await open(srv.url('fresh.bin'), { http: BASE, cache: { memory: cache.memory } });
    expectBytes(await c.source.read(0, 50_000), v1.subarray(0, 50_000));
    await c.close();
    expect(srv.log.map((l) => l.method)).toEqual(['HEAD']);
    srv.put('fresh.bin', pattern(120_000, 12));
    expect(await codeOf(b.source.read(100_000, 10))).toBe('CHANGED');
    await b.close();
  }, 20_000);

  it('reports a missing file as NOT_FOUND', async () => {
    expect(await codeOf(HttpSource.open(srv.url('nope.fits'), FAST))).toBe('NOT_FOUND');
  }, 20_000);
});

const TRANSPORTS: [string, HttpTransport | undefined][] = [
  ['undici', undefined],
  ['fetch', fetchTransport()],
];
for (const [name, transport] of TRANSPORTS) {
  describe(`with the ${name} transport`, () => {
    beforeAll(() => {
      FAST = { ...BASE, transport };
    });
    afterAll(() => {
      FAST = BASE;
    });
    describe(`HttpSource (${name}): transient faults are retried`, () => {
      it('connection reset mid-body: resumes where the body stopped', async () => {
        srv.put('data.bin', DATA);
        const s = await src();
        srv.faults.push({ kind: 'reset', after: 10_000 });
        expectBytes(await s.read(0, 100_000), DATA.subarray(0, 100_000));
        const gets = srv.requests(undefined, 'GET');
        expect(gets[0]!.fault).toBe('reset');
        expect(gets[1]!.range).toBe('bytes=10000-99999');
      }, 20_000);

      it('503 bursts are retried; too many fail with IO', async () => {
        srv.put('data.bin', DATA);
        const s = await src();
        srv.faults.push({ kind: 'status', status: 503, times: 3 });
        expectBytes(await s.read(500, 10), DATA.subarray(500, 510));
        expect(s.stats.retries).toBe(3);
        srv.faults.push({ kind: 'status', status: 503, times: 50 });
        const t = performance.now();
        expect(await codeOf(s.read(600, 10))).toBe('IO');
        expect(performance.now() - t).toBeLessThan(5000);
        srv.faults.length = 0;
      }, 20_000);

      it('429 with Retry-After is honoured, and capped', async () => {
        srv.put('data.bin', DATA);
        const s = await src();
        srv.faults.push({ kind: 'status', status: 429, retryAfter: '1' });
        let t = performance.now();
        expectBytes(await s.read(0, 10), DATA.subarray(0, 10));
        expect(performance.now() - t).toBeGreaterThanOrEqual(900);
        const capped = await src('data.bin', { maxRetryAfter: 100 });
        srv.faults.push({ kind: 'status', status: 429, retryAfter: '3600' });
        t = performance.now();
        expectBytes(await capped.read(0, 10), DATA.subarray(0, 10));
        expect(performance.now() - t).toBeLessThan(2000);
        // An HTTP-date Retry-After works too.
        srv.faults.push({ kind: 'status', status: 503, retryAfter: new Date(Date.now() + 300).toUTCString() });
        expectBytes(await s.read(20, 10), DATA.subarray(20, 30));
      }, 20_000);

      it('a stalled body times out and is retried (resuming)', async () => {
        srv.put('data.bin', DATA);
        const s = await src();
        srv.faults.push({ kind: 'stall', after: 5000 });
        const t = performance.now();
        expectBytes(await s.read(1000, 50_000), DATA.subarray(1000, 51_000));
        expect(performance.now() - t).toBeGreaterThanOrEqual(250);
        expect(srv.requests(undefined, 'GET')[1]!.range).toBe('bytes=6000-50999');
      }, 20_000);

      it('slow response headers time out and are retried', async () => {
        srv.put('data.bin', DATA);
        const s = await src('data.bin', { timeout: 200 });
        srv.faults.push({ kind: 'delay', ms: 1500 });
        expectBytes(await s.read(0, 100), DATA.subarray(0, 100));
        expect(s.stats.retries).toBe(1);
      }, 20_000);

      it('truncated bodies (shorter than Content-Length) are detected and resumed; persistent truncation is TRUNCATED', async () => {
        srv.put('data.bin', DATA);
        const s = await src();
        srv.faults.push({ kind: 'truncate', after: 777 });
        expectBytes(await s.read(0, 20_000), DATA.subarray(0, 20_000));
        srv.faults.push({ kind: 'truncate', after: 0, times: 100 });
        expect(await codeOf(s.read(30_000, 1000))).toBe('TRUNCATED');
        srv.faults.length = 0;
      }, 20_000);

      it('wrong ranges are rejected and retried; never served as data', async () => {
        srv.put('data.bin', DATA);
        const s = await src();
        srv.faults.push({ kind: 'wrong-range', shift: 100 });
        expectBytes(await s.read(5000, 1000), DATA.subarray(5000, 6000));
        srv.faults.push({ kind: 'wrong-range', shift: 7, times: 100 });
        expect(await codeOf(s.read(9000, 10))).toBe('IO');
        srv.faults.length = 0;
      }, 20_000);

      it('a legally shorter range is continued with another request', async () => {
        srv.put('data.bin', DATA);
        const s = await src();
        srv.faults.push({ kind: 'short-range', after: 1000, times: 3 });
        expectBytes(await s.read(0, 10_000), DATA.subarray(0, 10_000));
        expect(srv.requests(undefined, 'GET').length).toBe(4);
        expect(s.stats.retries).toBe(3);
      }, 20_000);
    });

    describe(`HttpSource (${name}): servers that ignore Range`, () => {
      it('takes the slice from a 200, then serves everything from one download', async () => {
        srv.put('data.bin', DATA);
        const s = await src();
        srv.faults.push({ kind: 'ignore-range' });
        expectBytes(await s.read(123_456, 100), DATA.subarray(123_456, 123_556));
        expect(s.ignoresRanges).toBe(true);
        const before = srv.log.length;
        expectBytes(await s.read(7, 7), DATA.subarray(7, 14));
        expectBytes(await s.read(SIZE - 3, 3), DATA.subarray(SIZE - 3));
        expect(srv.log.length).toBe(before);
      }, 20_000);

      it('Accept-Ranges: none → one whole-file GET for all reads', async () => {
        const alt = await new TestServer({ ignoreRange: true }).start();
        try {
          alt.put('x.bin', DATA);
          const s = await HttpSource.open(alt.url('x.bin'), FAST);
          const parts = await Promise.all([s.read(0, 10), s.read(200_000, 10), s.read(150, 1)]);
          expect(parts[1]).toEqual(DATA.subarray(200_000, 200_010));
          expect(alt.requests(undefined, 'GET').length).toBe(1);
          await s.close();
        } finally {
          await alt.close();
        }
      }, 20_000);

      it('above the whole-file limit and with no spill file: refused, naming the server', async () => {
        const alt = await new TestServer({ ignoreRange: true }).start();
        try {
          alt.put('x.bin', DATA);
          const s = await HttpSource.open(alt.url('x.bin'), { ...FAST, wholeFileLimit: 1000 });
          const e = await s.read(250_000, 1000).catch((x: unknown) => x);
          expect(isFitsError(e) && e.code).toBe('IO');
          expect(String(e)).toMatch(/server ignores Range requests.*server's fault/);
          expect(await codeOf(s.read(10, 10))).toBe('IO');
          expect(alt.requests(undefined, 'GET').length).toBe(0); // the HEAD said Accept-Ranges: none; nothing streamed for nothing
          await s.close();
        } finally {
          await alt.close();
        }
      }, 20_000);
    });

    describe(`HttpSource (${name}): files that change while read`, () => {
      it('ETag change → CHANGED (412 from If-Match), and the source stays failed', async () => {
        srv.put('data.bin', DATA);
        const s = await src();
        expectBytes(await s.read(0, 10), DATA.subarray(0, 10));
        srv.faults.push({ kind: 'change' });
        expect(await codeOf(s.read(100, 10))).toBe('CHANGED');
        expect(await codeOf(s.read(0, 10))).toBe('CHANGED');
      }, 20_000);

      it('detects a changed ETag even without conditional requests, and with weak ETags', async () => {
        srv.put('data.bin', DATA);
        const s = await src('data.bin', { conditional: false });
        srv.faults.push({ kind: 'change' });
        expect(await codeOf(s.read(100, 10))).toBe('CHANGED');
        const weak = await new TestServer({ weakEtag: true }).start();
        try {
          weak.put('w.bin', DATA);
          const w = await HttpSource.open(weak.url('w.bin'), FAST);
          expectBytes(await w.read(0, 4), DATA.subarray(0, 4));
          expect(weak.requests(undefined, 'GET')[0]!.range).toBe('bytes=0-3');
          weak.faults.push({ kind: 'change' });
          expect(await codeOf(w.read(10, 4))).toBe('CHANGED');
          await w.close();
        } finally {
          await weak.close();
        }
      }, 20_000);

      it('Last-Modified only: a change is caught by If-Unmodified-Since / comparison', async () => {
        const alt = await new TestServer({ noEtag: true }).start();
        try {
          alt.put('x.bin', DATA);
          const s = await HttpSource.open(alt.url('x.bin'), FAST);
          expect(s.etag).toBeNull();
          expectBytes(await s.read(0, 4), DATA.subarray(0, 4));
          alt.faults.push({ kind: 'change' });
          expect(await codeOf(s.read(10, 4))).toBe('CHANGED');
          await s.close();
        } finally {
          await alt.close();
        }
      }, 20_000);

      it('a change of size after the probe → CHANGED, even when the server ignores ranges', async () => {
        srv.put('data.bin', DATA);
        const s = await src('data.bin', { conditional: false });
        srv.faults.push({ kind: 'change', content: DATA.subarray(0, 1000) });
        expect(await codeOf(s.read(0, 10))).toBe('CHANGED');
        srv.put('data.bin', DATA);
        const t = await src('data.bin', { conditional: false });
        srv.faults.push({ kind: 'change' });
        srv.faults.push({ kind: 'ignore-range' });
        expect(await codeOf(t.read(0, 10))).toBe('CHANGED');
      }, 20_000);

      it('through open() with a cache: CHANGED mid-read, and a fresh open sees the new version (no mixing)', async () => {
        const v1 = pattern(200_000, 7);
        const v2 = pattern(200_000, 8);
        srv.put('cached.bin', v1);
        const cacheOpts = { memory: { maxBytes: 64 << 20 } };
        const f = await open(srv.url('cached.bin'), { http: FAST, cache: cacheOpts });
        expectBytes(await f.source.read(0, 1000), v1.subarray(0, 1000));
        srv.put('cached.bin', v2);
        expect(await codeOf(f.source.read(150_000, 1000))).toBe('CHANGED');
        // Still-cached blocks of v1 are v1's: consistent with what was read before.
        expectBytes(await f.source.read(0, 1000), v1.subarray(0, 1000));
        await f.close();
        const g = await open(srv.url('cached.bin'), { http: FAST, cache: cacheOpts });
        expectBytes(await g.source.read(0, 200_000), v2);
        await g.close();
      }, 20_000);
    });

    describe(`HttpSource (${name}): closing and aborting`, () => {
      it('close() fails pending and later reads with IO; abort → ABORTED', async () => {
        srv.put('data.bin', DATA);
        const s = await src();
        srv.faults.push({ kind: 'delay', ms: 2000 });
        const p = s.read(0, 10);
        await new Promise((r) => setTimeout(r, 50));
        await s.close();
        expect(await codeOf(p)).toBe('IO');
        expect(await codeOf(s.read(0, 10))).toBe('IO');
        const ac = new AbortController();
        const a = await src('data.bin', { signal: ac.signal });
        srv.faults.push({ kind: 'delay', ms: 2000 });
        const q = a.read(0, 10);
        setTimeout(() => ac.abort(), 50);
        expect(await codeOf(q)).toBe('ABORTED');
      }, 20_000);
    });
  });
}
