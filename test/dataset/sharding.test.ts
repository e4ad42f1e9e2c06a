/**
 * FitsDataset across workers: rank / worldSize give disjoint shares of each
 * epoch's seeded order that together cover every file exactly once per epoch
 * (as PyTorch's DistributedSampler, without padding); the same on every run;
 * and an iteration saved mid-epoch resumes exactly where it stopped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FitsDataset, isFitsError, type DatasetState } from '../helpers/fitsflow.js';
import { epochOrder, shardLength, shardOf } from '../../src/dataset/shuffle.js';
import { TestServer } from '../remote/server.js';
import { smallImage } from '../remote/fits-bytes.js';

describe('shardOf', () => {
  it('splits any order into disjoint shares covering every item once, lengths differing by at most one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 17 }), fc.integer(), fc.integer({ min: 0, max: 5 }), (n, world, seed, epoch) => {
        const order = epochOrder(n, seed, epoch);
        const seen = new Uint8Array(n);
        const lengths: number[] = [];
        for (let r = 0; r < world; r++) {
          const share = shardOf(order, r, world);
          expect(share.length).toBe(shardLength(n, r, world));
          lengths.push(share.length);
          for (const i of share) seen[i]!++;
        }
        expect(seen.every((c) => c === 1)).toBe(true);
        expect(Math.max(...lengths) - Math.min(...lengths)).toBeLessThanOrEqual(1);
      }),
    );
  });
});

const N = 23;
let srv: TestServer;
let urls: string[];
const FAST = { retryDelay: 2, maxRetryDelay: 10, retries: 0, timeout: 3000 };

beforeAll(async () => {
  srv = await new TestServer().start();
  for (let i = 0; i < N; i++) srv.put(`s${i}.fits`, smallImage(i));
  urls = Array.from({ length: N }, (_, i) => srv.url(`s${i}.fits`));
});
afterAll(async () => {
  await srv.close();
});

/** The file indices a dataset delivers, per epoch. */
async function run(opts: ConstructorParameters<typeof FitsDataset<number>>[1], stopAfter = Infinity, ds?: FitsDataset<number>): Promise<{ items: [epoch: number, index: number][]; ds: FitsDataset<number> }> {
  const d = ds ?? new FitsDataset<number>(urls, { open: { http: FAST }, select: async (f) => Number((await f.hdu(0)).header.get('SEED')), ...opts });
  const items: [number, number][] = [];
  for await (const { value, info } of d.entries()) {
    expect(value).toBe(info.index); // the file delivered is the one the schedule names
    items.push([info.epoch, info.index]);
    if (items.length >= stopAfter) break;
  }
  return { items, ds: d };
}

describe('FitsDataset with rank / worldSize', () => {
  it('4 ranks: disjoint, every file exactly once per epoch, deterministic per seed and epoch, reshuffled across epochs', async () => {
    const world = 4;
    const epochs = 3;
    const shares = await Promise.all(Array.from({ length: world }, (_, rank) => run({ rank, worldSize: world, epochs, shuffle: 7 })));
    for (let e = 0; e < epochs; e++) {
      const all = shares.flatMap((s) => s.items.filter(([ep]) => ep === e).map(([, i]) => i));
      expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i));
    }
    // Each rank's share is its positions of the seeded epoch order.
    shares.forEach((s, rank) => {
      for (let e = 0; e < epochs; e++) expect(s.items.filter(([ep]) => ep === e).map(([, i]) => i)).toEqual(Array.from(shardOf(epochOrder(N, 7, e), rank, world)));
    });
    const again = await run({ rank: 2, worldSize: world, epochs, shuffle: 7 });
    expect(again.items).toEqual(shares[2]!.items);
    const e0 = shares[1]!.items.filter(([ep]) => ep === 0).map(([, i]) => i);
    const e1 = shares[1]!.items.filter(([ep]) => ep === 1).map(([, i]) => i);
    expect(e0).not.toEqual(e1);
    expect(shares[0]!.ds.order(1)).toEqual(Uint32Array.from(shares[0]!.items.filter(([ep]) => ep === 1).map(([, i]) => i)));
  });

  it('more ranks than files: some ranks get nothing, the rest one file each', async () => {
    const got = await Promise.all(Array.from({ length: 30 }, (_, rank) => run({ rank, worldSize: 30, shuffle: 1 })));
    expect(got.map((g) => g.items.length)).toEqual(Array.from({ length: 30 }, (_, r) => (r < N ? 1 : 0)));
  });

  it('refuses a bad rank or worldSize with a sentence', () => {
    for (const o of [{ rank: 4, worldSize: 4 }, { rank: -1, worldSize: 2 }, { rank: 0, worldSize: 0 }, { rank: 0.5, worldSize: 2 }]) {
      let err: unknown;
      try {
        new FitsDataset(urls, o);
      } catch (e) {
        err = e;
      }
      expect(isFitsError(err, 'BAD_ARGUMENT')).toBe(true);
      expect(String((err as Error).message)).toMatch(/rank|worldSize/);
    }
  });
});

describe('FitsDataset: save and resume mid-epoch', () => {
  it('stopping anywhere and resuming from state() delivers exactly the rest of the uninterrupted run', async () => {
    const opts = { rank: 1, worldSize: 3, epochs: 3, shuffle: 'abc' };
    const whole = (await run(opts)).items;
    expect(whole).toHaveLength(3 * 8); // ranks 0 and 1 get 8 of 23, rank 2 gets 7
    for (const stop of [1, 5, 8, 13, 23]) {
      const first = await run(opts, stop);
      const saved: DatasetState = JSON.parse(JSON.stringify(first.ds.state()));
      expect(saved.epoch * 8 + saved.position).toBe(stop);
      const rest = await run({ ...opts, resume: saved });
      expect([...first.items, ...rest.items]).toEqual(whole);
    }
    // At the very end: nothing left.
    const done = await run(opts);
    expect((await run({ ...opts, resume: done.ds.state() })).items).toEqual([]);
  });

  it('refuses a state saved by another run (other seed, rank, worldSize or files)', () => {
    const state = new FitsDataset(urls, { rank: 1, worldSize: 3, shuffle: 5 }).state();
    for (const o of [{ rank: 1, worldSize: 3, shuffle: 6 }, { rank: 0, worldSize: 3, shuffle: 5 }, { rank: 1, worldSize: 4, shuffle: 5 }]) {
      expect(() => new FitsDataset(urls, { ...o, resume: state })).toThrow(/another run/);
    }
    expect(() => new FitsDataset(urls.slice(1), { rank: 1, worldSize: 3, shuffle: 5, resume: state })).toThrow(/another run/);
    expect(() => new FitsDataset(urls, { rank: 1, worldSize: 3, shuffle: 5, resume: { ...state, position: 99 } })).toThrow(/invalid position/);
  });
});
