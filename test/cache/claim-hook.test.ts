/**
 * CachedSource's side of the single-flight hook (PersistentStore.claimBlocks),
 * with a scripted in-memory store: what the store says is present is served,
 * its blocks are fetched, the others' are waited for, a failed fetch gives its
 * leases back, a failing store is bypassed, and no answer leaves a read
 * hanging. (The Redis implementation and its multi-process behaviour are
 * tested against a real redis-server in test/redis.)
 */
import { describe, expect, it } from 'vitest';
import { CachedSource, MemorySource, type ByteSource, type SourceIdentity } from '../helpers/fitsflow.js';
import { emptyCounters, type BlockClaim, type CachedObject, type PersistentStore, type StoreStats } from '../../src/cache/store.js';

const B = 2880;
const data = Uint8Array.from({ length: 10 * B + 100 }, (_, i) => (i * 2654435761) >>> 24);
const block = (b: number) => data.slice(b * B, Math.min((b + 1) * B, data.length));
const identity: SourceIdentity = { url: 'https://x.invalid/f.fits', size: data.length, etag: '"e"', lastModified: null };

class Inner implements ByteSource {
  readonly size = data.length;
  reads: [number, number][] = [];
  fail = false;
  readonly identity = identity;
  async read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
    this.reads.push([offset / B, Math.ceil(length / B)]);
    await new Promise((r) => setTimeout(r, 1));
    if (this.fail) throw new Error('origin down');
    return new MemorySource(data).read(offset, length, into);
  }
}

/** A store whose claim answers are scripted per block. */
class ScriptedStore implements PersistentStore {
  readonly location = 'scripted';
  readonly counters = emptyCounters();
  puts: number[] = [];
  released: number[] = [];
  claimed: number[][] = [];
  constructor(
    private readonly answer: (b: number) => 'present' | 'short' | 'mine' | 'theirs-arrive' | 'theirs-fetch',
    private readonly failClaim = false,
  ) {}
  async getBlocks(): Promise<Map<number, Uint8Array>> {
    throw new Error('not used when claimBlocks exists');
  }
  async putBlocks(_o: CachedObject, first: number, bytes: Uint8Array): Promise<void> {
    for (let k = 0; k * B < bytes.length; k++) this.puts.push(first + k);
  }
  async claimBlocks(_o: CachedObject, blocks: readonly number[]): Promise<BlockClaim> {
    if (this.failClaim) throw new Error('store down');
    this.claimed.push([...blocks]);
    const present = new Map<number, Uint8Array>();
    const mine: number[] = [];
    const theirs: number[] = [];
    for (const b of blocks) {
      const a = this.answer(b);
      if (a === 'present') present.set(b, block(b));
      else if (a === 'short') present.set(b, block(b).subarray(1));
      else if (a === 'mine') mine.push(b);
      else theirs.push(b);
    }
    return {
      present,
      mine,
      theirs,
      wait: async (onBlocks) => {
        await new Promise((r) => setTimeout(r, 5));
        const found = new Map<number, Uint8Array>();
        const here: number[] = [];
        for (const b of theirs) (this.answer(b) === 'theirs-arrive' ? found.set(b, block(b)) : here.push(b));
        onBlocks(found, here);
      },
      release: (bs) => void this.released.push(...bs),
    };
  }
  noteNetwork(): void {}
  async flush(): Promise<void> {}
  async stats(): Promise<StoreStats> {
    return { ...this.counters, location: '', entries: 0, objects: 0, bytes: 0, maxBytes: 0 };
  }
  async clear() {
    return { entries: 0, bytes: 0 };
  }
  async verify() {
    return { entries: 0, ok: 0, corrupt: 0, vanished: 0, bytes: 0 };
  }
}

const wrap = (inner: Inner, store: PersistentStore) => CachedSource.wrap(inner, { blockSize: B, memory: false, persistent: store });
const fetched = (inner: Inner) => inner.reads.flatMap(([f, n]) => Array.from({ length: n }, (_, k) => f + k)).sort((a, b) => a - b);

describe('CachedSource with a store that offers claimBlocks', () => {
  it('serves present blocks, fetches its own, waits for the others (which arrive or fall back to it)', async () => {
    const kinds = ['present', 'mine', 'theirs-arrive', 'theirs-fetch', 'short', 'mine', 'present', 'theirs-arrive', 'mine', 'theirs-fetch', 'present'] as const;
    const store = new ScriptedStore((b) => kinds[b]!);
    const inner = new Inner();
    const src = await wrap(inner, store);
    const got = await src.read(0, data.length);
    expect(Buffer.compare(got, data)).toBe(0);
    expect(store.claimed).toEqual([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]); // one claim, no getBlocks
    // Fetched here: its leases, the blocks the others gave up, and the present block of the wrong length.
    expect(fetched(inner)).toEqual([1, 3, 4, 5, 8, 9]);
    await src.close();
    expect(store.puts.sort((a, b) => a - b)).toEqual([1, 3, 4, 5, 8, 9]);
    expect(store.released).toEqual([]);
  });

  it('a failed fetch gives its leases back, and the read fails with the origin error', async () => {
    const store = new ScriptedStore(() => 'mine');
    const inner = new Inner();
    inner.fail = true;
    const src = await wrap(inner, store);
    await expect(src.read(0, 3 * B)).rejects.toThrow(/origin down/);
    expect(store.released.sort()).toEqual([0, 1, 2]);
    await src.close();
  });

  it('a store whose claim fails is bypassed: every block comes from the origin', async () => {
    const store = new ScriptedStore(() => 'mine', true);
    const inner = new Inner();
    const src = await wrap(inner, store);
    expect(Buffer.compare(await src.read(B, 4 * B), data.subarray(B, 5 * B))).toBe(0);
    expect(fetched(inner)).toEqual([1, 2, 3, 4]);
    await src.close();
  });
});
