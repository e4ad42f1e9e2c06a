/**
 * Every corpus file read over HTTP (and S3) gives the same digest as the
 * manifest — or, where the local reader does not support a file yet, the same
 * error code. Modes: no cache, memory cache, persistent cache cold / warm /
 * corrupted on disk, a server injecting faults, a server ignoring ranges, and
 * s3:// (public and SigV4-signed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { digestFile, isFitsError, MemoryBlockCache, open, FsCache, type OpenOptions } from '../helpers/fitsflow.js';
import { fsCacheFor } from '../../src/node/fs-cache/fs-cache.js';
import { compareDigest } from '../helpers/compare-digest.js';
import { corpusDir, TestServer, type Fault } from './server.js';
import { cacheEntryFiles } from '../helpers/cache-files.js';

type Json = Parameters<typeof compareDigest>[0];
type Outcome = { ok: true; digest: Json } | { ok: false; code: string; message: string };

const CORPUS = corpusDir();
const manifest = JSON.parse(readFileSync(join(CORPUS, 'manifest.json'), 'utf8')) as { files: { path: string; digest: Json | null }[] };
const FILES = manifest.files.filter((f) => f.digest !== null);
const FAST = { retryDelay: 2, maxRetryDelay: 20, timeout: 2000, stallTimeout: 250, retries: 6 };

async function outcome(input: string, opts?: OpenOptions): Promise<Outcome> {
  let f: Awaited<ReturnType<typeof open>> | null = null;
  try {
    f = await open(input, opts);
    return { ok: true, digest: JSON.parse(JSON.stringify(await digestFile(f))) as Json };
  } catch (e) {
    if (isFitsError(e)) return { ok: false, code: e.code, message: e.message };
    throw e;
  } finally {
    await f?.close();
  }
}

const local = new Map<string, Outcome>();
const localMatchesManifest = new Set<string>();

/** What the remote outcome must be: the manifest digest when the local reader gets it, else the local outcome. */
function check(path: string, got: Outcome): string | null {
  const want = local.get(path)!;
  const ref = FILES.find((f) => f.path === path)!.digest!;
  if (localMatchesManifest.has(path)) {
    if (!got.ok) return `${path}: ${got.code} ${got.message}`;
    const d = compareDigest(got.digest, ref);
    return d.length ? `${path}: ${d.slice(0, 3).join('; ')}` : null;
  }
  if (!want.ok) {
    if (got.ok) return `${path}: local ${want.code}, remote ok`;
    return got.code === want.code ? null : `${path}: local ${want.code}, remote ${got.code} (${got.message})`;
  }
  if (!got.ok) return `${path}: local ok, remote ${got.code} ${got.message}`;
  const d = compareDigest(got.digest, want.digest);
  return d.length ? `${path}: differs from local: ${d.slice(0, 3).join('; ')}` : null;
}

async function runAll(url: (path: string) => string, opts: () => OpenOptions): Promise<string[]> {
  const problems: string[] = [];
  for (const f of FILES) {
    const p = check(f.path, await outcome(url(f.path), opts()));
    if (p) problems.push(p);
  }
  return problems;
}

let srv: TestServer;
let tmp: string;

beforeAll(async () => {
  srv = await new TestServer({ root: CORPUS }).start();
  tmp = mkdtempSync(join(tmpdir(), 'fitsflow-corpus-cache-'));
  for (const f of FILES) {
    const o = await outcome(join(CORPUS, f.path));
    local.set(f.path, o);
    if (o.ok && compareDigest(o.digest, f.digest!).length === 0) localMatchesManifest.add(f.path);
  }
}, 120_000);

afterAll(async () => {
  await srv.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('corpus over HTTP', () => {
  it('local outcomes are known (sanity)', () => {
    expect(local.size).toBe(FILES.length);
    expect(localMatchesManifest.size).toBeGreaterThan(0);
    const unsupported = [...local].filter(([, o]) => !o.ok).map(([p, o]) => `${p}: ${(o as { code: string }).code}`);
    console.log(`${localMatchesManifest.size}/${FILES.length} files match the manifest locally; not readable locally yet: ${unsupported.length}`);
  });

  it('without cache', async () => {
    expect(await runAll((p) => srv.url(p), () => ({ http: FAST, cache: false }))).toEqual([]);
  }, 90_000);

  it('with a memory cache (and again, from memory)', async () => {
    const memory = new MemoryBlockCache({ maxBytes: 256 << 20 });
    expect(await runAll((p) => srv.url(p), () => ({ http: FAST, cache: { memory } }))).toEqual([]);
    srv.reset();
    expect(await runAll((p) => srv.url(p), () => ({ http: FAST, cache: { memory } }))).toEqual([]);
    expect(srv.requests(undefined, 'GET').length).toBe(0);
  }, 90_000);

  it('with a persistent cache: cold, warm (no GETs), then every entry corrupted on disk (detected, refetched, never served)', async () => {
    const dir = join(tmp, 'persist');
    const opts = () => ({ http: FAST, cache: { dir, memory: new MemoryBlockCache({ maxBytes: 256 << 20 }) } });
    expect(await runAll((p) => srv.url(p), opts)).toEqual([]);
    srv.reset();
    expect(await runAll((p) => srv.url(p), opts)).toEqual([]);
    expect(srv.requests(undefined, 'GET').length).toBe(0);
    // Corrupt every entry: flip one payload byte (or truncate) in each .blk file.
    const blks = cacheEntryFiles(dir);
    expect(blks.length).toBeGreaterThan(FILES.length);
    blks.forEach((p, i) => {
      const b = readFileSync(p);
      if (i % 3 === 2) writeFileSync(p, b.subarray(0, b.length - 1));
      else {
        b[68 + ((i * 7919) % (b.length - 68))]! ^= 1 << i % 8;
        writeFileSync(p, b);
      }
    });
    const store = fsCacheFor(dir);
    const corruptBefore = store.counters.corrupt;
    srv.reset();
    expect(await runAll((p) => srv.url(p), opts)).toEqual([]);
    expect(store.counters.corrupt - corruptBefore).toBe(blks.length);
    expect(srv.requests(undefined, 'GET').length).toBeGreaterThan(0);
    // Repaired: warm again, and `verify` finds nothing wrong.
    srv.reset();
    expect(await runAll((p) => srv.url(p), opts)).toEqual([]);
    expect(srv.requests(undefined, 'GET').length).toBe(0);
    const report = await new FsCache(dir).verify();
    expect(report.corrupt).toBe(0);
    expect(report.ok).toBe(report.entries);
  }, 120_000);

  it('through a server injecting faults (resets, 503, 429, truncation, wrong ranges, stalls)', async () => {
    let n = 0;
    const kinds: Fault[] = [
      { kind: 'reset', after: 100 },
      { kind: 'status', status: 503 },
      { kind: 'truncate', after: 1 },
      { kind: 'wrong-range', shift: 2880 },
      { kind: 'status', status: 429, retryAfter: '0' },
      { kind: 'stall', after: 10 },
      { kind: 'short-range', after: 1000 },
    ];
    // Every third GET is hit by the next fault in turn.
    srv.chaos = ({ method }) => (method === 'GET' && ++n % 3 === 0 ? kinds[(n / 3) % kinds.length]! : null);
    const problems = await runAll((p) => srv.url(p), () => ({ http: FAST, cache: false }));
    srv.chaos = null;
    expect(problems).toEqual([]);
    expect(srv.log.filter((l) => l.fault).length).toBeGreaterThan(20);
  }, 120_000);

  it('from a server that ignores Range', async () => {
    const alt = await new TestServer({ root: CORPUS, ignoreRange: true }).start();
    try {
      expect(await runAll((p) => alt.url(p), () => ({ http: FAST, cache: false }))).toEqual([]);
      // One whole-file GET per file (plus the probe).
      expect(alt.requests(undefined, 'GET').length).toBe(FILES.length);
    } finally {
      await alt.close();
    }
  }, 90_000);

  it('as s3:// objects, public (unsigned) and with SigV4 credentials', async () => {
    const bucket = basename(CORPUS);
    const pub = await new TestServer({ root: dirname(CORPUS) }).start();
    const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret/KEY+test' };
    const priv = await new TestServer({ root: dirname(CORPUS), s3Credentials: { ...credentials, region: 'eu-north-1' } }).start();
    try {
      expect(await runAll((p) => `s3://${bucket}/${p}`, () => ({ http: FAST, cache: false, s3: { endpoint: pub.origin } }))).toEqual([]);
      expect(await runAll((p) => `s3://${bucket}/${p}`, () => ({ http: FAST, s3: { endpoint: priv.origin, region: 'eu-north-1', credentials } }))).toEqual([]);
      expect(priv.log.every((l) => l.status !== 403)).toBe(true);
      // Unsigned or wrongly signed requests are refused by the emulated S3.
      const denied = await outcome(`s3://${bucket}/${FILES[0]!.path}`, { http: FAST, s3: { endpoint: priv.origin } });
      expect(denied.ok ? 'ok' : denied.code).toBe('IO');
      const wrong = await outcome(`s3://${bucket}/${FILES[0]!.path}`, { http: FAST, s3: { endpoint: priv.origin, region: 'eu-north-1', credentials: { ...credentials, secretAccessKey: 'nope' } } });
      expect(wrong.ok ? 'ok' : wrong.code).toBe('IO');
    } finally {
      await pub.close();
      await priv.close();
    }
  }, 120_000);
});
