/**
 * Large reads served by the persistent store straight into the caller's
 * buffer (FsCache.readBlocksInto, CachedSource's direct path): exact bytes
 * for any read, corrupt / truncated / foreign / vanished / overlapping entries
 * detected and refetched (never served), stats, and what goes into memory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { appendFileSync, closeSync, copyFileSync, openSync, readSync, renameSync, writeSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { CachedSource, MemoryBlockCache, MemorySource, FsCache, type ByteSource, type SourceIdentity } from '../helpers/fitsflow.js';
import type { CachedObject } from '../../src/cache/store.js';
import { cacheEntryFiles, filesUnder } from '../helpers/cache-files.js';

const B = 2880;
/** Entries of 4 blocks: reads of 4 blocks or more take the direct path. */
const ENTRY_BLOCKS = 4;

function bytes(n: number, salt = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = ((i + salt) * 2654435761) >>> 24;
  return out;
}

/** A ByteSource with a remote identity that records what is asked of it. */
class Inner implements ByteSource {
  reads: [number, number][] = [];
  readonly size: number;
  readonly name = 'inner';
  private readonly mem: MemorySource;
  constructor(
    readonly data: Uint8Array,
    readonly identity: SourceIdentity,
  ) {
    this.mem = new MemorySource(data);
    this.size = data.length;
  }
  async read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
    this.reads.push([offset, length]);
    return this.mem.read(offset, length, into);
  }
  get bytesRead(): number {
    return this.reads.reduce((a, [, l]) => a + l, 0);
  }
}

let tmp: string;
let n = 0;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'fitsflow-direct-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

const entryFiles = cacheEntryFiles;

/** A folder cache holding all of `data` (written through a first CachedSource), and a way to open it warm. */
async function warmStore(data: Uint8Array, etag = '"v1"') {
  const dir = join(tmp, `s${++n}`);
  const id: SourceIdentity = { url: `https://example.invalid/${n}.fits`, size: data.length, etag, lastModified: null };
  const opts = (store: FsCache) => ({ persistent: store, memory: new MemoryBlockCache(), blockSize: B, maxEntryBlocks: ENTRY_BLOCKS });
  const first = await CachedSource.wrap(new Inner(data, id), opts(new FsCache(dir)));
  await first.read(0, data.length);
  await first.close();
  /** A cache as a new process sees it: fresh store instance, fresh memory. */
  const open = async (store = new FsCache(dir)) => {
    const inner = new Inner(data, id);
    const src = await CachedSource.wrap(inner, opts(store));
    return { src, inner, store };
  };
  return { dir, open };
}

/** warmStore, with its entries old enough to be trusted once verified (fs-verified.ts STABLE_MS). */
async function stableWarmStore(data: Uint8Array) {
  const store = await warmStore(data);
  await new Promise((r) => setTimeout(r, 2_200));
  return store;
}

const expectBytes = (got: Uint8Array, want: Uint8Array) => expect(Buffer.compare(got, want)).toBe(0);

describe('direct reads from the folder cache', () => {
  it('property: any reads of a warm cache return exactly the bytes, with no inner read', async () => {
    const data = bytes(40 * B + 1234);
    const { open } = await warmStore(data);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ offset: fc.integer({ min: -5, max: data.length + 5 }), length: fc.nat(data.length), into: fc.boolean() }), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        async (reads, concurrent) => {
          const { src, inner } = await open();
          const one = (r: (typeof reads)[number]) => src.read(r.offset, r.length, r.into ? new Uint8Array(r.length + 7).fill(0xee) : undefined);
          const got = concurrent ? await Promise.all(reads.map(one)) : await reads.reduce<Promise<Uint8Array[]>>(async (acc, r) => [...(await acc), await one(r)], Promise.resolve([]));
          reads.forEach((r, i) => {
            const start = Math.min(Math.max(0, r.offset), data.length);
            expectBytes(got[i]!, data.subarray(start, Math.min(data.length, start + r.length)));
          });
          expect(inner.reads).toEqual([]);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('reads whole blocks straight into the destination, keeps only the entries’ other blocks in memory, counts stats', async () => {
    const data = bytes(40 * B + 100);
    const { open } = await warmStore(data);
    const { src, inner, store } = await open();
    const memory = (src as unknown as { memory: MemoryBlockCache }).memory;
    // From the middle of block 5 to the middle of block 30: blocks 6..29 whole (24), 5 and 30 partly.
    const start = 5 * B + 1000;
    const end = 30 * B + 500;
    const dest = new Uint8Array(end - start);
    expectBytes(await src.read(start, end - start, dest), data.subarray(start, end));
    expect(inner.reads).toEqual([]);
    // Entries are blocks 4k..4k+3: those read are 4-7 … 28-31; blocks 4, 5 and 30, 31 came with them.
    for (const b of [4, 5, 30, 31]) expect(memory.has(src.tag, b)).toBe(true);
    for (let b = 6; b < 30; b++) expect(memory.has(src.tag, b)).toBe(false);
    // 24 whole blocks + blocks 5 and 30, loaded whole with their entries.
    expect(src.stats).toMatchObject({ hits: 26, misses: 0, bytesFromNetwork: 0, innerReads: 0, bytesFromDisk: 26 * B, bytesFromCache: 26 * B });
    // The store counts the blocks it was asked for.
    expect(store.counters).toMatchObject({ hits: 24, misses: 0, corrupt: 0, bytesFromCache: 24 * B });
    // A small read stays on the memory path and fills memory.
    await src.read(33 * B, 2 * B);
    expect(memory.has(src.tag, 33)).toBe(true);
  });

  it('every kind of damaged entry is detected on the direct path, refetched and never served; then warm again', async () => {
    const data = bytes(48 * B - 77, 3);
    const { dir, open } = await warmStore(data);
    const files = entryFiles(dir); // entry k holds blocks 4k..4k+3
    expect(files.length).toBe(12);
    const flip = (p: string, at: number, bit = 1) => {
      const b = readFileSync(p);
      b[at]! ^= bit;
      writeFileSync(p, b);
    };
    flip(files[1]!, 68 + 17); // block 4: before the asked run, read into a buffer of its own
    flip(files[2]!, 68 + 2 * B + 17, 0x20); // block 10: inside the destination
    writeFileSync(files[3]!, readFileSync(files[3]!).subarray(0, 68 + 3 * B)); // truncated
    appendFileSync(files[4]!, new Uint8Array([0])); // one byte longer
    flip(files[5]!, 30, 0x40); // the header (its first-block field)
    writeFileSync(files[6]!, new Uint8Array(10)); // shorter than a header
    copyFileSync(files[9]!, files[7]!); // another entry under this name
    unlinkSync(files[8]!); // vanished
    flip(files[11]!, 68 + 2 * B + 3); // block 46: after the asked run
    // Blocks 5 and 45 are partly asked for; 6..44 make the direct run.
    const start = 5 * B + 5;
    const end = 45 * B + 10;
    const { src, inner, store } = await open();
    expectBytes(await src.read(start, end - start), data.subarray(start, end));
    expect(store.counters.corrupt).toBe(8); // the vanished one is a miss, not corrupt
    expect(store.counters.misses).toBe(33);
    // Only blocks of damaged entries were fetched again (5..35, 44, 45), each once.
    expect(inner.bytesRead).toBe(33 * B);
    expect(src.stats).toMatchObject({ misses: 33, bytesFromNetwork: 33 * B });
    await src.close();
    // Repaired (with entries now cut differently, overlapping the old ones): a new reader finds it all on disk.
    const again = await open();
    expectBytes(await again.src.read(start, end - start), data.subarray(start, end));
    expectBytes(await again.src.read(start + 3, end - start - 3), data.subarray(start + 3, end));
    expect(again.inner.reads).toEqual([]);
    expect((await new FsCache(dir).verify()).corrupt).toBe(0);
  });

  it('an entry verified once is trusted while its file is unchanged; a write to it, even just after, is caught', async () => {
    const data = bytes(40 * B + 100);
    const { dir, open } = await warmStore(data);
    const { src, inner, store } = await open();
    const verified = (store as unknown as { verified: Map<string, string> }).verified;
    // Entries written just now: their ctime is too recent to be trusted without a checksum.
    expectBytes(await src.read(0, data.length), data);
    expect(verified.size).toBe(0);
    await new Promise((r) => setTimeout(r, 2_200));
    expectBytes(await src.read(0, data.length), data);
    expect(verified.size).toBe(entryFiles(dir).length);
    expectBytes(await src.read(0, data.length), data); // the status-equal path
    expect(inner.reads).toEqual([]);
    // Flip one byte in place (same inode, same size, immediately after a verified read).
    const victim = entryFiles(dir)[3]!;
    const fd = openSync(victim, 'r+');
    const one = new Uint8Array(1);
    readSync(fd, one, 0, 1, 5000);
    one[0] ^= 0x10;
    writeSync(fd, one, 0, 1, 5000);
    closeSync(fd);
    expectBytes(await src.read(0, data.length), data);
    expect(store.counters.corrupt).toBe(1);
    expect(inner.bytesRead).toBeGreaterThan(0);
  }, 20_000);

  it('overlapping entries: each block comes from one entry, so a corrupt later entry cannot spoil bytes an earlier one verified', async () => {
    const dir = join(tmp, `s${++n}`);
    const store = new FsCache(dir);
    const data = bytes(12 * B, 9);
    const obj: CachedObject = { id: createHash('sha256').update(`overlap ${n}`).digest('hex'), url: 'u', etag: '"e"', lastModified: null, size: data.length, blockSize: B };
    await store.putBlocks(obj, 0, data.subarray(0, 6 * B)); // blocks 0-5
    await store.putBlocks(obj, 2, data.subarray(2 * B, 8 * B)); // blocks 2-7, overlapping
    const p = entryFiles(dir).find((f) => f.endsWith('/2-6.blk'))!;
    const b = readFileSync(p);
    for (let i = 68; i < b.length; i++) b[i] = 0xff; // all of it wrong (its blocks 2-5 too)
    writeFileSync(p, b);
    const fresh = new FsCache(dir);
    const dest = new Uint8Array(8 * B);
    const r = await fresh.readBlocksInto(obj, 0, 8, dest);
    expect(r.missing).toEqual([6, 7]);
    expectBytes(dest.subarray(0, 6 * B), data.subarray(0, 6 * B));
    expect(fresh.counters.corrupt).toBe(1);
    // The asked run's blocks never come back as "others"; the blocks around it do.
    const s = await new FsCache(dir).readBlocksInto(obj, 1, 3, new Uint8Array(3 * B));
    expect(s.missing).toEqual([]);
    expect([...s.others.keys()].sort((x, y) => x - y)).toEqual([0, 4, 5]);
    expectBytes(s.others.get(5)!, data.subarray(5 * B, 6 * B));
    await expect(fresh.readBlocksInto(obj, 0, 2, new Uint8Array(B))).rejects.toThrow();
  });

  it('records the use of a stale object (its info.json mtime) without touching its entries, and leaves a recently used one alone', async () => {
    const data = bytes(16 * B);
    const a = await warmStore(data);
    const b = await warmStore(data);
    const info = (dir: string) => join(dirname(entryFiles(dir)[0]!), 'info.json');
    const hourAgo = Date.now() / 1000 - 3600;
    const recent = Date.now() / 1000 - 5;
    utimesSync(info(a.dir), hourAgo, hourAgo);
    utimesSync(info(b.dir), recent, recent);
    const before = entryFiles(a.dir).map((f) => statSync(f).ctimeMs);
    for (const s of [a, b]) expectBytes(await (await s.open()).src.read(0, data.length), data);
    expect(statSync(info(a.dir)).mtimeMs).toBeGreaterThan(Date.now() - 60_000);
    expect(Math.abs(statSync(info(b.dir)).mtimeMs - recent * 1000)).toBeLessThan(1000);
    expect(entryFiles(a.dir).map((f) => statSync(f).ctimeMs)).toEqual(before);
  });

  it('a cold read through the direct path looks the store up once and fetches everything', async () => {
    const dir = join(tmp, `s${++n}`);
    const data = bytes(20 * B + 3);
    const store = new FsCache(dir);
    const id: SourceIdentity = { url: 'https://example.invalid/cold.fits', size: data.length, etag: '"c"', lastModified: null };
    const inner = new Inner(data, id);
    const src = await CachedSource.wrap(inner, { persistent: store, memory: new MemoryBlockCache(), blockSize: B, maxEntryBlocks: ENTRY_BLOCKS });
    expectBytes(await src.read(0, data.length), data);
    expect(store.counters).toMatchObject({ hits: 0, misses: 21 });
    expect(src.stats).toMatchObject({ hits: 0, misses: 21, bytesFromNetwork: data.length });
    await src.close();
  });
});

describe('verified entries recorded for later store instances (processes)', () => {
  const recordFiles = (dir: string) => filesUnder(dir, (p) => basename(p) === 'verified.json');

  it('a new instance skips the checksum only of entries recorded with their current file status; any change is caught', async () => {
    const data = bytes(40 * B + 100, 3);
    const { dir, open } = await stableWarmStore(data);
    const readAll = async (store?: FsCache) => {
      const { src, inner, store: s } = await open(store);
      expectBytes(await src.read(0, data.length), data);
      await src.close();
      return { inner, counters: s.counters, store: s };
    };
    // The first instance checksums every entry, and records them (on flush; at exit otherwise).
    const first = await readAll();
    expect(first.counters.bytesChecksummed).toBe(data.length);
    expect(first.inner.reads).toEqual([]);
    expect(recordFiles(dir)).toEqual([]);
    await first.store.flush();
    expect(recordFiles(dir).length).toBe(1);
    // A new instance trusts them: no checksum, no network.
    const second = await readAll();
    expect(second.counters.bytesChecksummed).toBe(0);
    expect(second.inner.reads).toEqual([]);
    // verifyReads 'always' ignores the records.
    expect((await readAll(new FsCache(dir, { verifyReads: 'always' }))).counters.bytesChecksummed).toBe(data.length);

    // A byte flipped in place: that entry's status changed, so it is checksummed, found corrupt, refetched.
    const files = entryFiles(dir);
    const flip = (path: string, at: number) => {
      const fd = openSync(path, 'r+');
      const one = new Uint8Array(1);
      readSync(fd, one, 0, 1, at);
      one[0] ^= 0x04;
      writeSync(fd, one, 0, 1, at);
      closeSync(fd);
    };
    flip(files[2]!, 100);
    const third = await readAll();
    expect(third.counters.corrupt).toBe(1);
    expect(third.counters.bytesChecksummed).toBe(statSync(files[3]!).size - 68); // the damaged entry only (same size as its neighbours)
    expect(third.inner.bytesRead).toBeGreaterThan(0);

    // A damaged copy renamed over an entry (new inode and ctime; same size and mtime), its record left as it was.
    const victim = files[5]!;
    const st = statSync(victim);
    const copy = `${victim}.tmp`;
    copyFileSync(victim, copy);
    flip(copy, 1000);
    utimesSync(copy, st.atime, st.mtime);
    renameSync(copy, victim);
    const fourth = await readAll();
    expect(fourth.counters.corrupt).toBe(1);
    expect(fourth.inner.bytesRead).toBeGreaterThan(0);
  }, 30_000);

  it('an entry whose file changed but whose bytes are intact is checksummed, then recorded again', async () => {
    const data = bytes(12 * B + 11, 8);
    const { dir, open } = await stableWarmStore(data);
    const { src, store } = await open();
    const readAll = async () => {
      const before = store.counters.bytesChecksummed;
      expectBytes(await src.read(0, data.length), data);
      return store.counters.bytesChecksummed - before;
    };
    expect(await readAll()).toBe(data.length); // verified and recorded
    expect(await readAll()).toBe(0);
    const victim = entryFiles(dir)[1]!;
    const size = statSync(victim).size - 68;
    utimesSync(victim, new Date(), new Date()); // a new ctime, same bytes
    expect(await readAll()).toBe(size); // its record no longer matches: checksummed, the record dropped
    expect(await readAll()).toBe(size); // read with its status before and after; too recent to record
    await new Promise((r) => setTimeout(r, 2_200));
    expect(await readAll()).toBe(size); // recorded again
    expect(await readAll()).toBe(0);
    expect(store.counters.corrupt).toBe(0);
  }, 30_000);

  it('small reads (getBlocks) use the records too, and catch a changed entry', async () => {
    const dir = join(tmp, `s${++n}`);
    const data = bytes(12 * B, 4);
    const obj: CachedObject = { id: createHash('sha256').update(`small ${n}`).digest('hex'), url: 'u', etag: '"e"', lastModified: null, size: data.length, blockSize: B };
    await new FsCache(dir).putBlocks(obj, 0, data.subarray(0, 6 * B));
    await new FsCache(dir).putBlocks(obj, 6, data.subarray(6 * B));
    await new Promise((r) => setTimeout(r, 2_200));
    const blocksEqual = (got: Map<number, Uint8Array>) => [...got].every(([b, blk]) => Buffer.compare(blk, data.subarray(b * B, (b + 1) * B)) === 0);
    const first = new FsCache(dir);
    const got = await first.getBlocks(obj, [1, 7]);
    expect(got.size).toBe(12);
    expect(blocksEqual(got)).toBe(true);
    expect(first.counters.bytesChecksummed).toBe(data.length);
    await first.flush();
    const second = new FsCache(dir);
    expect(blocksEqual(await second.getBlocks(obj, [2, 8]))).toBe(true);
    expect(second.counters.bytesChecksummed).toBe(0);
    // One byte flipped in place in the second entry: checksummed again, found corrupt, not served.
    const victim = entryFiles(dir).find((f) => f.endsWith('/6-6.blk'))!;
    const fd = openSync(victim, 'r+');
    writeSync(fd, new Uint8Array([data[6 * B + 10]! ^ 1]), 0, 1, 68 + 10);
    closeSync(fd);
    const third = new FsCache(dir);
    const after = await third.getBlocks(obj, [0, 6]);
    expect([...after.keys()].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(blocksEqual(after)).toBe(true);
    expect(third.counters.corrupt).toBe(1);
    expect(third.counters.bytesChecksummed).toBe(6 * B);
  }, 30_000);

  it('damaged, foreign or mismatched records only cost a checksum', async () => {
    const data = bytes(24 * B + 7, 5);
    const { dir, open } = await stableWarmStore(data);
    const warm = await open();
    expectBytes(await warm.src.read(0, data.length), data);
    await warm.store.flush();
    const [record] = recordFiles(dir);
    const good = readFileSync(record!, 'utf8');
    const { boot, entries: recorded } = JSON.parse(good) as { boot: string; entries: Record<string, string> };
    expect(Object.keys(recorded).length).toBe(entryFiles(dir).length);
    const otherStatus = Object.fromEntries(Object.entries(recorded).map(([k, v]) => [k, v.replace(/:(\d+)$/, (_, ns: string) => `:${BigInt(ns) + 1n}`)]));
    const texts = ['', '{', 'null', '[]', '{"0-4.blk": 5}', JSON.stringify(recorded), JSON.stringify({ boot, entries: { '../x': Object.values(recorded)[0] } })];
    texts.push(JSON.stringify({ boot, entries: otherStatus }), JSON.stringify({ boot: `${boot}x`, entries: recorded }), good.replace(/\d/, 'x'));
    for (const text of texts) {
      writeFileSync(record!, text);
      const { src, store, inner } = await open();
      expectBytes(await src.read(0, data.length), data);
      expect(store.counters.bytesChecksummed).toBeGreaterThan(0);
      expect(inner.reads).toEqual([]);
    }
  }, 30_000);
});
