/**
 * Whole-image reads of a remote file large enough for the persistent cache's
 * direct path (reads of at least one ~1 MiB entry go from the folder straight
 * into the output array): cold, warm (no GET, exact pixels), every entry
 * damaged on disk (detected, refetched, never served), then warm again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryBlockCache, open, FsCache, type OpenOptions } from '../helpers/fitsflow.js';
import { TestServer } from './server.js';
import { smallImage, smallImagePixels } from './fits-bytes.js';
import { cacheEntryFiles } from '../helpers/cache-files.js';

const W = 1024;
const H = 1500; // 3 MB of int16 pixels: a few ~1 MiB entries
let srv: TestServer;
let tmp: string;

beforeAll(async () => {
  srv = await new TestServer().start();
  srv.put('big.fits', smallImage(5, W, H));
  tmp = mkdtempSync(join(tmpdir(), 'fitsflow-disk-large-'));
});
afterAll(async () => {
  await srv.close();
  rmSync(tmp, { recursive: true, force: true });
});

const entries = cacheEntryFiles;

describe('persistent cache, large reads', () => {
  it('cold, warm from disk straight into the output (no GET), then every entry damaged: detected, refetched, never served', async () => {
    const dir = join(tmp, 'c');
    const store = new FsCache(dir);
    const want = smallImagePixels(5, W, H);
    const read = async (into?: Int16Array) => {
      const f = await open(srv.url('big.fits'), { cache: { persistent: store, memory: new MemoryBlockCache() } } as OpenOptions);
      try {
        return (await (await f.hdu(0)).readImage(into ? { into } : {})).data as Int16Array;
      } finally {
        await f.close();
      }
    };
    const same = (got: Int16Array) => expect(Buffer.compare(Buffer.from(got.buffer, got.byteOffset, got.byteLength), Buffer.from(want.buffer))).toBe(0);

    same(await read());
    expect(entries(dir).length).toBeGreaterThanOrEqual(3);
    srv.reset();
    const hitsBefore = store.counters.hits;
    same(await read());
    same(await read(new Int16Array(W * H).fill(-1)));
    expect(srv.requests(undefined, 'GET')).toEqual([]);
    expect(store.counters.hits - hitsBefore).toBeGreaterThanOrEqual(2 * Math.floor((W * H * 2) / 23040)); // ~all blocks, twice

    const files = entries(dir);
    files.forEach((p, i) => {
      const b = readFileSync(p);
      if (i % 2) writeFileSync(p, b.subarray(0, b.length - 100));
      else {
        b[68 + ((i * 104_729) % (b.length - 68))]! ^= 0x08;
        writeFileSync(p, b);
      }
    });
    const corruptBefore = store.counters.corrupt;
    srv.reset();
    same(await read(new Int16Array(W * H).fill(-1)));
    expect(store.counters.corrupt - corruptBefore).toBe(files.length);
    expect(srv.requests(undefined, 'GET').length).toBeGreaterThan(0);

    srv.reset();
    same(await read());
    expect(srv.requests(undefined, 'GET')).toEqual([]);
    expect((await new FsCache(dir).verify()).corrupt).toBe(0);
  });
});
