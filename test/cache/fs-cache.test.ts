/**
 * The folder cache: entry format and verification, corrupt / vanished
 * entries, LRU eviction within the size limit, stats, and several processes
 * sharing one folder (real child processes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildChildScript } from '../helpers/child-script.js';
import { FsCache } from '../../src/node/fs-cache/fs-cache.js';
import { parseEntry, entryHeader, crc32 } from '../../src/node/fs-cache/fs-entry.js';
import { bootId, encodeVerifiedRecord, parseVerifiedRecord } from '../../src/node/fs-cache/fs-verified.js';
import fc from 'fast-check';
import type { CachedObject } from '../../src/cache/store.js';
import { cacheEntryFiles } from '../helpers/cache-files.js';

const B = 2880;
const here = dirname(fileURLToPath(import.meta.url));
let tmp: string;

function obj(k: number, size = 10 * B): CachedObject {
  return { id: createHash('sha256').update(`object ${k}`).digest('hex'), url: `https://example.invalid/${k}.fits`, etag: `"${k}"`, lastModified: null, size, blockSize: B };
}
function content(o: CachedObject, first: number, count: number): Uint8Array {
  const start = first * B;
  const end = Math.min(o.size, (first + count) * B);
  const out = new Uint8Array(end - start);
  for (let i = 0; i < out.length; i++) out[i] = (start + i + o.id.charCodeAt(0)) & 0xff;
  return out;
}
const blkFiles = cacheEntryFiles;
let n = 0;
const freshDir = () => join(tmp, `c${++n}`);

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'fitsflow-fscache-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('entry format', () => {
  it('round-trips and detects every kind of damage', () => {
    const o = obj(1);
    const payload = content(o, 2, 3);
    const h = entryHeader(o.id, B, 2, payload);
    const buf = new Uint8Array(h.length + payload.length);
    buf.set(h);
    buf.set(payload, h.length);
    const p = parseEntry(buf);
    expect(typeof p).toBe('object');
    expect(p).toMatchObject({ id: o.id, blockSize: B, first: 2 });
    for (const at of [0, 9, 14, 20, 24, 33, 40, 68, buf.length - 1]) {
      const bad = buf.slice();
      bad[at]! ^= 0x10;
      expect(typeof parseEntry(bad)).toBe('string');
    }
    expect(typeof parseEntry(buf.subarray(0, buf.length - 1))).toBe('string');
    expect(typeof parseEntry(buf.subarray(0, 10))).toBe('string');
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});

describe('FsCache', () => {
  it('stores extents and finds their blocks, also from another instance (another process)', async () => {
    const dir = freshDir();
    const a = new FsCache(dir);
    const o = obj(1);
    await a.putBlocks(o, 0, content(o, 0, 4));
    await a.putBlocks(o, 8, content(o, 8, 2)); // the last extent: its last block is whole here (size 10 blocks)
    const b = new FsCache(dir);
    const got = await b.getBlocks(o, [1, 3, 5, 9]);
    expect([...got.keys()].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 8, 9]);
    expect(Buffer.compare(got.get(3)!, content(o, 3, 1))).toBe(0);
    expect(b.counters).toMatchObject({ hits: 3, misses: 1 });
    // A short last block.
    const s = obj(2, 3 * B + 100);
    await a.putBlocks(s, 2, content(s, 2, 2));
    expect((await b.getBlocks(s, [3])).get(3)!.length).toBe(100);
    await expect(a.putBlocks(s, 0, new Uint8Array(B + 1))).rejects.toThrow();
  });

  it('drops corrupt entries (flipped bits, truncation, foreign or renamed entries) and reports them as misses', async () => {
    const dir = freshDir();
    const c = new FsCache(dir);
    const o = obj(3);
    for (let f = 0; f < 10; f += 2) await c.putBlocks(o, f, content(o, f, 2));
    const files = blkFiles(dir).sort();
    expect(files.length).toBe(5);
    const [f0, f2, f4, f6] = files.filter((p) => /\/[0246]-2\.blk$/.test(p)).sort();
    const b0 = readFileSync(f0!);
    b0[100]! ^= 1;
    writeFileSync(f0!, b0);
    writeFileSync(f2!, readFileSync(f2!).subarray(0, 3000));
    const other = obj(4);
    await c.putBlocks(other, 4, content(other, 4, 2));
    copyFileSync(blkFiles(join(dir, 'v1', 'objects', other.id.slice(0, 2))).find((p) => p.includes(other.id))!, f4!);
    copyFileSync(f6!.replace('6-2', '8-2'), f6!); // an entry under another name
    const fresh = new FsCache(dir);
    const got = await fresh.getBlocks(o, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...got.keys()].sort((x, y) => x - y)).toEqual([8, 9]);
    expect(fresh.counters.corrupt).toBe(4);
    expect(blkFiles(join(dir, 'v1', 'objects', o.id.slice(0, 2), o.id)).length).toBe(1);
  });

  it('tolerates entries and folders vanishing', async () => {
    const dir = freshDir();
    const c = new FsCache(dir);
    const o = obj(5);
    await c.putBlocks(o, 0, content(o, 0, 2));
    expect((await c.getBlocks(o, [0])).size).toBe(2);
    for (const f of blkFiles(dir)) unlinkSync(f);
    expect((await c.getBlocks(o, [0, 1])).size).toBe(0);
    rmSync(join(dir, 'v1'), { recursive: true, force: true });
    expect((await c.getBlocks(o, [0])).size).toBe(0);
    await c.putBlocks(o, 0, content(o, 0, 1)); // recreates the folders
    expect((await c.getBlocks(o, [0])).size).toBe(1);
  });

  it('evicts least-recently-used entries beyond the size limit', async () => {
    const dir = freshDir();
    const entry = B + 68;
    const c = new FsCache(dir, { maxBytes: 10 * entry });
    const objs = Array.from({ length: 8 }, (_, i) => obj(100 + i));
    for (const o of objs) await c.putBlocks(o, 0, content(o, 0, 1));
    // Make objects 0..3 old (their entries and their info.json, whose mtime is the object's last use), then use object 0.
    const old = Date.now() / 1000 - 3600;
    blkFiles(dir).forEach((f) => {
      const i = objs.findIndex((o) => f.includes(o.id));
      if (i < 4) {
        utimesSync(f, old + i, old + i);
        utimesSync(join(dirname(f), 'info.json'), old + i, old + i);
      }
    });
    const f0 = blkFiles(dir).find((f) => f.includes(objs[0]!.id))!;
    const entryTimes = statSync(f0);
    expect((await new FsCache(dir).getBlocks(objs[0]!, [0])).size).toBe(1);
    expect(statSync(join(dirname(f0), 'info.json')).mtimeMs).toBeGreaterThan(Date.now() - 60_000); // the use, recorded
    expect(statSync(f0).ctimeMs).toBe(entryTimes.ctimeMs); // the entry itself untouched (its verification record stays valid)
    for (let i = 0; i < 4; i++) await c.putBlocks(objs[i + 4]!, 1, content(objs[i + 4]!, 1, 1));
    const left = blkFiles(dir);
    const total = left.reduce((a, f) => a + statSync(f).size, 0);
    expect(total).toBeLessThanOrEqual(10 * entry);
    expect(left.some((f) => f.includes(objs[0]!.id))).toBe(true); // recently used: kept
    expect(left.some((f) => f.includes(objs[1]!.id))).toBe(false); // oldest: gone
    expect(c.counters.evicted).toBeGreaterThan(0);
  });

  it('stats, flush (counters of all processes), clear and verify', async () => {
    const dir = freshDir();
    const a = new FsCache(dir);
    const b = new FsCache(dir);
    const o = obj(6);
    await a.putBlocks(o, 0, content(o, 0, 3));
    await b.getBlocks(o, [0, 5]);
    a.noteNetwork(1234);
    await a.flush();
    await b.flush();
    const s = await new FsCache(dir).stats();
    expect(s).toMatchObject({ entries: 1, objects: 1, hits: 1, misses: 1, bytesFromNetwork: 1234, bytesWritten: 3 * B });
    expect(s.bytes).toBe(3 * B + 68);
    const f = blkFiles(dir)[0]!;
    const buf = readFileSync(f);
    buf[500]! ^= 4;
    writeFileSync(f, buf);
    expect(await new FsCache(dir).verify()).toMatchObject({ entries: 1, ok: 0, corrupt: 1 });
    expect(blkFiles(dir).length).toBe(0);
    await a.putBlocks(o, 0, content(o, 0, 3));
    expect(await new FsCache(dir).clear()).toMatchObject({ entries: 1 });
    expect((await new FsCache(dir).stats()).entries).toBe(0);
  });

  it('several processes share one folder: concurrent writes, reads, evictions and clears never serve wrong bytes', async () => {
    const dir = freshDir();
    const script = join(tmp, 'worker.mjs');
    const fsCachePath = resolve(here, '../../src/node/fs-cache/fs-cache.ts');
    await buildChildScript(
      `
          import { FsCache } from ${JSON.stringify(fsCachePath)};
          import { createHash } from 'node:crypto';
          const [dir, role, seedText] = process.argv.slice(2);
          const B = 2880;
          let seed = Number(seedText);
          const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
          const obj = (k) => ({ id: createHash('sha256').update('object ' + k).digest('hex'), url: 'u' + k, etag: '"e"', lastModified: null, size: 20 * B - 7, blockSize: B });
          const content = (o, first, count) => { const s = first * B, e = Math.min(o.size, (first + count) * B); const out = new Uint8Array(e - s); for (let i = 0; i < out.length; i++) out[i] = (s + i + o.id.charCodeAt(0) * 3) & 255; return out; };
          const store = new FsCache(dir, { maxBytes: 40 * (B + 68) });
          const until = Date.now() + 1500;
          let bad = 0, hits = 0, puts = 0, ops = 0;
          while (Date.now() < until && ops < 5000) {
            ops++;
            const o = obj(Math.floor(rnd() * 6));
            const r = rnd();
            if (role === 'clearer' && r < 0.02) { await store.clear(); continue; }
            if (r < 0.5) {
              const first = Math.floor(rnd() * 18), count = 1 + Math.floor(rnd() * 3);
              const c = Math.min(count, 20 - first);
              await store.putBlocks(o, first, content(o, first, c)); puts++;
            } else {
              const blocks = [Math.floor(rnd() * 20), Math.floor(rnd() * 20)];
              const got = await store.getBlocks(o, blocks);
              for (const [b, bytes] of got) { hits++; const want = content(o, b, 1); if (bytes.length !== want.length || Buffer.compare(bytes, want) !== 0) bad++; }
            }
          }
          await store.flush();
          process.stdout.write(JSON.stringify({ bad, hits, puts, corrupt: store.counters.corrupt }));
        `,
      here,
      script,
    );
    const run = (role: string, seed: number) =>
      new Promise<{ bad: number; hits: number; puts: number; corrupt: number }>((res, rej) =>
        execFile(process.execPath, [script, dir, role, String(seed)], { timeout: 30_000 }, (err, out, errOut) => (err ? rej(new Error(`${err.message}\n${errOut}`)) : res(JSON.parse(out)))),
      );
    const settled = await Promise.allSettled([run('worker', 1), run('worker', 2), run('worker', 3), run('clearer', 4)]);
    const failed = settled.filter((s) => s.status === 'rejected').map((s) => String((s as PromiseRejectedResult).reason));
    expect(failed).toEqual([]);
    const results = settled.map((s) => (s as PromiseFulfilledResult<{ bad: number; hits: number; puts: number; corrupt: number }>).value);
    for (const r of results) {
      expect(r.bad).toBe(0);
      expect(r.corrupt).toBe(0);
    }
    console.log('processes:', JSON.stringify(results));
    expect(results.reduce((a, r) => a + r.hits, 0)).toBeGreaterThan(0);
    expect(results.reduce((a, r) => a + r.puts, 0)).toBeGreaterThan(0);
    const report = await new FsCache(dir).verify();
    expect(report.corrupt).toBe(0);
  }, 60_000);
});

describe('verification records (verified.json)', () => {
  const STATUS = /^\d+:\d+:\d+:\d+:\d+$/;
  const boot = 'this-boot';
  it('property: any bytes parse without throwing, to entry names and statuses of the right form only', () => {
    const name = fc.oneof(fc.string(), fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => `${a}-${b}.blk`));
    const status = fc.oneof(fc.string(), fc.array(fc.bigInt({ min: 0n, max: 2n ** 64n }), { minLength: 5, maxLength: 5 }).map((p) => p.join(':')));
    const entries = fc.dictionary(name, fc.oneof(status, fc.integer(), fc.constant(null)));
    const record = fc.record({ boot: fc.oneof(fc.constant(boot), fc.string()), entries: fc.oneof(entries, fc.constant(null), fc.array(status)) });
    fc.assert(
      fc.property(fc.oneof(record.map((r) => new TextEncoder().encode(JSON.stringify(r))), entries.map((r) => new TextEncoder().encode(JSON.stringify(r))), fc.uint8Array({ maxLength: 300 })), fc.nat(), (bytes, cut) => {
        for (const b of [bytes, bytes.subarray(0, cut % (bytes.length + 1))]) {
          const got = parseVerifiedRecord(b, boot);
          for (const [k, v] of got) {
            expect(k).toMatch(/^\d+-\d+\.blk$/);
            expect(v).toMatch(STATUS);
          }
        }
      }),
      { numRuns: 300 },
    );
    expect(parseVerifiedRecord(new Uint8Array((4 << 20) + 1), boot).size).toBe(0);
    const mixed = { '3-4.blk': '1:2:3:4:5', '../x': '1:2:3:4:5', '5-1.blk': '1:2' };
    expect([...parseVerifiedRecord(encodeVerifiedRecord(mixed, boot), boot)]).toEqual([['3-4.blk', '1:2:3:4:5']]);
    // Records of another boot (a crash could have lost data blocks of files whose status survived) are not believed.
    expect(parseVerifiedRecord(encodeVerifiedRecord(mixed, 'another-boot'), boot).size).toBe(0);
    expect(bootId()).toBe(bootId());
    expect(bootId().length).toBeGreaterThan(0);
  });
});
