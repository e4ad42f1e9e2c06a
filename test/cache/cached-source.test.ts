import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CachedSource, MemoryBlockCache, MemorySource, FsCache, isFitsError, type ByteSource, type SourceIdentity } from '../helpers/fitsflow.js';

function bytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 2654435761) >>> 24;
  return out;
}

/** A ByteSource that counts reads, can fail on demand, and may claim a remote identity. */
class CountingSource implements ByteSource {
  reads: [number, number][] = [];
  failNext = 0;
  readonly size: number;
  readonly name = 'counting';
  private readonly mem: MemorySource;
  constructor(
    readonly data: Uint8Array,
    readonly identity?: SourceIdentity,
  ) {
    this.mem = new MemorySource(data);
    this.size = data.length;
  }
  async read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
    this.reads.push([offset, length]);
    await new Promise((r) => setTimeout(r, 1));
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('boom');
    }
    return this.mem.read(offset, length, into);
  }
}

describe('CachedSource', () => {
  it('property: returns exactly the inner bytes for any reads, in any block size', async () => {
    const data = bytes(50_000);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(2880, 5760, 63360),
        fc.array(fc.record({ offset: fc.integer({ min: -10, max: 51_000 }), length: fc.nat(20_000), into: fc.boolean() }), { minLength: 1, maxLength: 12 }),
        async (blockSize, reads) => {
          const inner = new CountingSource(data);
          const c = await CachedSource.wrap(inner, { blockSize, memory: new MemoryBlockCache({ maxBytes: 30_000 }) });
          const got = await Promise.all(reads.map((r) => c.read(r.offset, r.length, r.into ? new Uint8Array(r.length + 3) : undefined)));
          reads.forEach((r, i) => {
            const start = Math.min(Math.max(0, r.offset), data.length);
            const want = data.subarray(start, Math.min(data.length, start + r.length));
            expect(Buffer.compare(got[i]!, want)).toBe(0);
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('fetches each block once, batching concurrent misses into runs', async () => {
    const inner = new CountingSource(bytes(100_000));
    const c = await CachedSource.wrap(inner, { blockSize: 2880, memory: new MemoryBlockCache() });
    await Promise.all([c.read(0, 10), c.read(5, 10), c.read(2880, 100), c.read(3000, 3000), c.read(20_000, 10)]);
    // blocks 0,1,2 (one run) and block 6
    expect(inner.reads).toEqual([
      [0, 8640],
      [17280, 2880],
    ]);
    await c.read(0, 8640);
    expect(inner.reads.length).toBe(2);
    expect(c.stats.misses).toBe(4);
    expect(c.stats.hits).toBeGreaterThan(0);
  });

  it('propagates inner errors, and a later read retries', async () => {
    const inner = new CountingSource(bytes(10_000));
    const c = await CachedSource.wrap(inner, { blockSize: 2880, memory: new MemoryBlockCache() });
    inner.failNext = 1;
    await expect(c.read(0, 100)).rejects.toThrow('boom');
    expect(Buffer.compare(await c.read(0, 100), bytes(10_000).subarray(0, 100))).toBe(0);
  });

  it('rejects block sizes that are not multiples of 2880', async () => {
    const err = await CachedSource.wrap(new MemorySource(new Uint8Array(10)), { blockSize: 65536 }).catch((e) => e);
    expect(isFitsError(err, 'BAD_ARGUMENT')).toBe(true);
  });

  it('persists blocks of sources with an identity, keyed by URL + validators', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fitsflow-cs-'));
    try {
      const store = new FsCache(dir);
      const data = bytes(200_000);
      const id: SourceIdentity = { url: 'https://example.invalid/a.fits', size: data.length, etag: '"v1"', lastModified: null };
      const a = await CachedSource.wrap(new CountingSource(data, id), { persistent: store, memory: new MemoryBlockCache() });
      await a.read(0, 200_000);
      await a.close();
      const inner = new CountingSource(data, id);
      const b = await CachedSource.wrap(inner, { persistent: store, memory: new MemoryBlockCache() });
      expect(Buffer.compare(await b.read(1000, 150_000), data.subarray(1000, 151_000))).toBe(0);
      expect(inner.reads.length).toBe(0);
      expect(b.stats.bytesFromDisk).toBeGreaterThan(0);
      // Another version (ETag) of the same URL shares nothing.
      const other = new CountingSource(bytes(200_000).reverse(), { ...id, etag: '"v2"' });
      const c = await CachedSource.wrap(other, { persistent: store, memory: new MemoryBlockCache() });
      expect((await c.read(0, 10))[0]).toBe(other.data[0]);
      expect(other.reads.length).toBe(1);
      // A weak ETag alone is not persisted.
      const weak = await CachedSource.wrap(new CountingSource(data, { ...id, etag: 'W/"x"' }), { persistent: store });
      expect(weak.object).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
