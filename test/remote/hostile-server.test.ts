/**
 * Lying and hostile servers (issue #20, items 6, 7, 13, 14): s3:// URL shapes
 * that would send a signed request elsewhere or to another object, credentials
 * following a redirect to another origin, redirects to file:, a server
 * trickling bytes, and a server that ignores Range on a file too large for
 * memory. Every server is on 127.0.0.1, started here.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HttpSource, fetchTransport, isFitsError, undiciTransport, type HttpSourceOptions, type HttpTransport } from '../helpers/fitsflow.js';
import { openRemote } from '../../src/remote/open-remote.js';
import { parseS3Url, s3BucketProblem, s3HttpUrl } from '../../src/remote/s3.js';
import { rawUrlParts } from '../../src/remote/raw-url.js';
import { tempSpillFactory } from '../../src/node/spill-file.js';
import { urlWithoutCredentials } from '../../src/cache/url-credentials.js';
import { TestServer } from './server.js';

const FAST: HttpSourceOptions = { retryDelay: 5, maxRetryDelay: 20, timeout: 2000, stallTimeout: 2000, retries: 2, probe: 'head' };
const DATA = new Uint8Array(20_000).map((_, i) => (i * 7 + 3) & 0xff);

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/** A raw server: serves DATA (HEAD, single ranges) unless `handle` answers first; records each request as received. */
async function rawServer(handle?: (req: Seen, res: import('node:http').ServerResponse) => boolean): Promise<{ origin: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers };
    seen.push(s);
    if (handle?.(s, res)) return;
    const m = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
    const headers = { 'accept-ranges': 'bytes', etag: '"e1"' };
    if (req.method === 'HEAD') {
      res.writeHead(200, { ...headers, 'content-length': DATA.length });
      return res.end();
    }
    if (m) {
      const a = Number(m[1]);
      const b = Math.min(m[2] ? Number(m[2]) : DATA.length - 1, DATA.length - 1);
      res.writeHead(206, { ...headers, 'content-length': b - a + 1, 'content-range': `bytes ${a}-${b}/${DATA.length}` });
      return res.end(DATA.subarray(a, b + 1));
    }
    res.writeHead(200, { ...headers, 'content-length': DATA.length });
    res.end(DATA);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (isFitsError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  return { code: 'ok', message: '' };
}

const CREDS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', sessionToken: 'SESSION-TOKEN-123' };
const transports: [string, () => HttpTransport][] = [
  ['undici', () => undiciTransport()],
  ['fetch', () => fetchTransport()],
];

describe('s3:// URLs (item 6)', () => {
  it('refuses a host, port, user or fragment in place of the bucket, and malformed keys', () => {
    for (const url of ['s3://host:8080#/k.fits', 's3://host:8080/k.fits', 's3://user@bucket/k', 's3://bucket#x/k', 's3://b/k', 's3://Bucket/k', 's3://bucket/%zz', 's3://bucket/', 's3://bucket?x/k', 's3://127.0.0.1/k']) {
      let err: unknown;
      try {
        s3HttpUrl(url, { endpoint: 'http://127.0.0.1:9' });
      } catch (e) {
        err = e;
      }
      expect(isFitsError(err) && err.code, url).toBe('BAD_ARGUMENT');
    }
  });

  it('keeps `..`, `.` and %2E%2E in a key as written (never another object)', () => {
    expect(parseS3Url('s3://bucket/../other/x.fits').key).toBe('../other/x.fits');
    expect(parseS3Url('s3://bucket/%2E%2E/other/x.fits').key).toBe('../other/x.fits');
    expect(s3HttpUrl('s3://bucket/../other/x.fits', { endpoint: 'http://127.0.0.1:9000' })).toBe('http://127.0.0.1:9000/bucket/../other/x.fits');
    expect(s3HttpUrl('s3://bucket/a/./b', { region: 'eu-west-1' })).toBe('https://bucket.s3.eu-west-1.amazonaws.com/a/./b');
  });

  it('any s3:// string: a FitsError, or a request to the endpoint under /bucket/', () => {
    const piece = fc.string({ unit: fc.constantFrom(...'ab1.-_/:@#?%2Ez.. Ab'.split('')), maxLength: 20 });
    fc.assert(
      fc.property(piece, piece, fc.boolean(), (b, k, pathStyle) => {
        const url = `s3://${b}/${k}`;
        let out: string;
        try {
          out = s3HttpUrl(url, { endpoint: 'http://127.0.0.1:9000', forcePathStyle: pathStyle });
        } catch (e) {
          expect(isFitsError(e) && e.code).toBe('BAD_ARGUMENT');
          return;
        }
        const { bucket } = parseS3Url(url);
        expect(s3BucketProblem(bucket)).toBeNull();
        const parts = rawUrlParts(out);
        if (pathStyle) {
          expect(parts.host).toBe('127.0.0.1:9000');
          expect(parts.path.startsWith(`/${bucket}/`)).toBe(true);
        } else expect(parts.host).toBe(`${bucket}.127.0.0.1:9000`);
        expect(parts.search).toBe('');
      }),
      { numRuns: 500 },
    );
  });

  it('sends a key with `..` as written, signed, to the endpoint only (undici); fetch refuses it', async () => {
    const srv = await rawServer();
    try {
      const src = await openRemote('s3://bucket/../other/x.fits', 's3', { s3: { endpoint: srv.origin, credentials: CREDS }, cache: false, http: { ...FAST, transport: undiciTransport() } }, {});
      expect(Buffer.compare(await src.read(100, 10), DATA.subarray(100, 110))).toBe(0);
      await src.close?.();
      expect(srv.seen.length).toBeGreaterThan(0);
      for (const s of srv.seen) {
        expect(s.url).toBe('/bucket/../other/x.fits');
        expect(String(s.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 /);
      }
      const f = await failure(openRemote('s3://bucket/../other/x.fits', 's3', { s3: { endpoint: srv.origin, credentials: CREDS }, cache: false, http: { ...FAST, transport: fetchTransport() } }, {}));
      expect(f.code).toBe('BAD_ARGUMENT');
      expect(srv.seen.length).toBe(2);
    } finally {
      await srv.close();
    }
  });
});

for (const [name, transport] of transports) {
  describe(`redirects with the ${name} transport (item 7)`, () => {
    it('drops every credential on a redirect to another origin', async () => {
      const other = await rawServer();
      const first = await rawServer((req, res) => {
        res.writeHead(302, { location: `${other.origin}/elsewhere${req.url}` });
        res.end();
        return true;
      });
      try {
        const src = await openRemote('s3://bucket/k.fits', 's3', { s3: { endpoint: first.origin, credentials: CREDS }, cache: false, http: { ...FAST, transport: transport(), headers: { 'x-api-key': 'k1', cookie: 'c=1' } } }, {});
        expect(Buffer.compare(await src.read(5000, 100), DATA.subarray(5000, 5100))).toBe(0);
        await src.close?.();
        expect(first.seen.length).toBeGreaterThan(0);
        expect(first.seen[0]!.headers['x-amz-security-token']).toBe('SESSION-TOKEN-123');
        expect(other.seen.length).toBeGreaterThan(0);
        for (const s of other.seen) {
          for (const h of ['authorization', 'x-amz-security-token', 'x-amz-date', 'x-amz-content-sha256', 'x-api-key', 'cookie']) expect(s.headers[h], `${h} sent to ${other.origin}`).toBeUndefined();
        }
        expect(other.seen.some((s) => s.headers.range === 'bytes=5000-5099' || /^bytes=/.test(String(s.headers.range)))).toBe(true);
      } finally {
        await first.close();
        await other.close();
      }
    }, 15_000);

    it('keeps credentials on a redirect within the origin', async () => {
      const srv = await rawServer((req, res) => {
        if (req.url.startsWith('/moved')) return false;
        res.writeHead(307, { location: `/moved${req.url}` });
        res.end();
        return true;
      });
      try {
        const src = await HttpSource.open(`${srv.origin}/x`, { ...FAST, transport: transport(), headers: { 'x-api-key': 'k1' } });
        await src.read(0, 10);
        await src.close?.();
        const moved = srv.seen.filter((s) => s.url.startsWith('/moved'));
        expect(moved.length).toBeGreaterThan(0);
        for (const s of moved) expect(s.headers['x-api-key']).toBe('k1');
      } finally {
        await srv.close();
      }
    }, 15_000);

    it('fails at once on a redirect to file:', async () => {
      const srv = await rawServer((_req, res) => {
        res.writeHead(302, { location: 'file:///etc/passwd' });
        res.end();
        return true;
      });
      try {
        const f = await failure(HttpSource.open(`${srv.origin}/x`, { ...FAST, retries: 5, transport: transport() }));
        expect(f.code).toBe('IO');
        expect(f.message).toMatch(/only http: and https: redirects/);
        expect(srv.seen.length).toBe(1);
      } finally {
        await srv.close();
      }
    }, 15_000);
  });

  describe(`a server trickling bytes, ${name} transport (item 13)`, () => {
    it('ends the request at its deadline (requestTimeout), not never', async () => {
      const timers = new Set<NodeJS.Timeout>();
      const srv = await rawServer((req, res) => {
        if (req.method === 'HEAD') return false;
        res.writeHead(206, { 'content-length': 1000, 'content-range': `bytes 0-999/${DATA.length}`, etag: '"e1"' });
        const t = setInterval(() => res.write(new Uint8Array(1)), 20);
        timers.add(t);
        res.on('close', () => clearInterval(t));
        return true;
      });
      try {
        const src = await HttpSource.open(`${srv.origin}/x`, { ...FAST, stallTimeout: 60_000, requestTimeout: 250, retries: 1, transport: transport() });
        const f = await failure(src.read(0, 1000));
        await src.close?.();
        expect(f.code).toBe('IO');
        expect(f.message).toMatch(/requestTimeout/);
      } finally {
        for (const t of timers) clearInterval(t);
        await srv.close();
      }
    }, 15_000);
  });
}

describe('a server that ignores Range, file above wholeFileLimit (item 14)', () => {
  const spillDir = mkdtempSync(join(tmpdir(), 'fitsflow-spill-test-'));
  afterAll(() => rmSync(spillDir, { recursive: true, force: true }));

  it('streams the file once into a spill file and serves every read from it', async () => {
    const size = 300_000;
    const data = new Uint8Array(size).map((_, i) => (i * 13 + (i >> 8)) & 0xff);
    const srv = await new TestServer({ ignoreRange: true }).start();
    try {
      srv.put('big.bin', data);
      const s = await HttpSource.open(srv.url('big.bin'), { ...FAST, wholeFileLimit: 1000, spill: tempSpillFactory(spillDir) });
      for (const [a, n] of [
        [250_000, 1000],
        [10, 10],
        [100_000, 5000],
        [299_990, 10],
      ] as const) {
        expect(Buffer.compare(await s.read(a, n), data.subarray(a, a + n)), `${a}+${n}`).toBe(0);
      }
      const both = await Promise.all([s.read(1, 2), s.read(200_000, 3)]);
      expect(Buffer.compare(both[1], data.subarray(200_000, 200_003))).toBe(0);
      expect(srv.bytesSent()).toBeLessThanOrEqual(size); // one copy, not one per read
      await s.close();
      expect(readdirSync(spillDir)).toEqual([]); // the temporary file is gone
    } finally {
      await srv.close();
    }
  }, 20_000);
});

describe('URLs in messages carry no credentials', () => {
  it('urlWithoutCredentials drops user:password and credential parameters, keeps the rest', () => {
    expect(urlWithoutCredentials('https://u:p@h.example/a.fits?X-Amz-Signature=s&x=1&X-Amz-Credential=c&X-Amz-Security-Token=t&sig=z&token=q#frag')).toBe('https://h.example/a.fits?x=1');
    expect(urlWithoutCredentials('https://h.example/a.fits?AWSAccessKeyId=A&Signature=S&Expires=1')).toBe('https://h.example/a.fits?Expires=1');
    expect(urlWithoutCredentials('https://h.example/a.fits?X-Goog-Signature=g&sv=1&se=2')).toBe('https://h.example/a.fits?sv=1&se=2');
  });

  it('a 404 for a presigned URL names it without its signature', async () => {
    const srv = await rawServer((_req, res) => {
      res.writeHead(404);
      res.end();
      return true;
    });
    try {
      const f = await failure(HttpSource.open(`${srv.origin}/k.fits?X-Amz-Credential=AKIDSECRET&X-Amz-Signature=deadbeef`, FAST));
      expect(f.code).toBe('NOT_FOUND');
      expect(f.message).toContain(`${srv.origin}/k.fits`);
      expect(f.message).not.toMatch(/deadbeef|AKIDSECRET/);
    } finally {
      await srv.close();
    }
  });
});
