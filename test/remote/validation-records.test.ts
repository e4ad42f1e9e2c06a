/**
 * `maxAge` across processes: the folder cache records the identity a server
 * confirmed for a URL (and when), so a later process opening the URL within
 * `maxAge` sends no probe — with a warm cache, no request at all. Real child
 * processes against the loopback server; and the records' format: damaged or
 * foreign records are never believed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeValidation, encodeValidation, type Validation } from '../../src/cache/store.js';
import { crc32 } from '../../src/node/fs-cache/fs-entry.js';
import { TestServer } from './server.js';
import { buildChildScript } from '../helpers/child-script.js';
import { smallImage, smallImagePixels } from './fits-bytes.js';
import { filesUnder } from '../helpers/cache-files.js';

const here = dirname(fileURLToPath(import.meta.url));
let srv: TestServer;
let tmp: string;
let script: string;

beforeAll(async () => {
  srv = await new TestServer().start();
  tmp = mkdtempSync(join(tmpdir(), 'fitsflow-validation-'));
  script = join(tmp, 'child.mjs');
  // A child process: open the URL with a folder cache and `maxAge`, read the image, print its first pixels.
  await buildChildScript(
    `
        import { open } from ${JSON.stringify(resolve(here, '../../src/entries/node.ts'))};
        const [url, dir, maxAge] = process.argv.slice(2);
        const f = await open(url, { cache: { dir, maxAge: Number(maxAge) } });
        const img = await (await f.hdu(0)).readImage();
        await f.close();
        process.stdout.write(JSON.stringify(Array.from(img.data.subarray(0, 4))));
      `,
    here,
    script,
  );
});
afterAll(async () => {
  await srv.close();
  rmSync(tmp, { recursive: true, force: true });
});

const child = (url: string, dir: string, maxAge: number) =>
  new Promise<number[]>((res, rej) =>
    execFile(process.execPath, [script, url, dir, String(maxAge)], { timeout: 30_000, cwd: resolve(here, '../..') }, (err, out, errOut) => (err ? rej(new Error(`${err.message}\n${errOut}`)) : res(JSON.parse(out) as number[]))),
  );

/** The URL validation records of a folder cache. */
const recordFiles = (dir: string) => filesUnder(join(dir, 'v1', 'urls'));

describe('maxAge across processes (folder cache)', () => {
  it('a later process within maxAge sends no request; past it, or without it, it revalidates and sees a change', async () => {
    const dir = join(tmp, 'c1');
    srv.put('a.fits', smallImage(3, 64, 64));
    const url = srv.url('a.fits');
    const first = Array.from(smallImagePixels(3, 64, 64).subarray(0, 4));
    srv.reset();
    expect(await child(url, dir, 60_000)).toEqual(first);
    expect(srv.log.length).toBeGreaterThan(0);
    expect(recordFiles(dir).length).toBe(1);
    srv.reset();
    expect(await child(url, dir, 60_000)).toEqual(first);
    expect(srv.log).toEqual([]); // no probe, and every byte from the folder
    // The file changes on the server. Within maxAge a process still trusts what was confirmed (as an HTTP cache would)...
    srv.put('a.fits', smallImage(4, 64, 64));
    expect(await child(url, dir, 60_000)).toEqual(first);
    // ...but when bytes it lacks must be fetched, the server refuses the outdated version: CHANGED, never
    // mixed bytes; and the record is dropped, so the next process (same maxAge) asks and gets the new version.
    const second = Array.from(smallImagePixels(4, 64, 64).subarray(0, 4));
    rmSync(join(dir, 'v1', 'objects'), { recursive: true });
    await expect(child(url, dir, 60_000)).rejects.toThrow(/CHANGED|changed while it was being read/);
    expect(recordFiles(dir)).toEqual([]);
    expect(await child(url, dir, 60_000)).toEqual(second);
    // Without maxAge a process asks every time; and a record older than maxAge is not believed either.
    srv.reset();
    expect(await child(url, dir, 0)).toEqual(second);
    expect(srv.log.length).toBeGreaterThan(0);
    srv.put('a.fits', smallImage(5, 64, 64));
    await new Promise((r) => setTimeout(r, 50));
    srv.reset();
    expect(await child(url, dir, 20)).toEqual(Array.from(smallImagePixels(5, 64, 64).subarray(0, 4)));
    expect(srv.log.length).toBeGreaterThan(0);
  }, 60_000);

  it('a damaged record is not believed: the process probes', async () => {
    const dir = join(tmp, 'c2');
    srv.put('b.fits', smallImage(6, 64, 64));
    const url = srv.url('b.fits');
    await child(url, dir, 60_000);
    const [rec] = recordFiles(dir);
    const text = readFileSync(rec!, 'utf8');
    // An intact record is believed (no request)...
    srv.reset();
    await child(url, dir, 60_000);
    expect(srv.log).toEqual([]);
    // ...one naming another ETag (its CRC left as it was) is not.
    const forged = text.replace(/(\\\\\\")[^\\]*(\\\\\\")/, '$1forged$2');
    expect(forged).not.toBe(text);
    writeFileSync(rec!, forged);
    srv.reset();
    expect(await child(url, dir, 60_000)).toEqual(Array.from(smallImagePixels(6, 64, 64).subarray(0, 4)));
    expect(srv.log.length).toBeGreaterThan(0);
  }, 60_000);
});

describe('validation records', () => {
  const validation = fc.record({
    identity: fc.record({ url: fc.webUrl(), size: fc.nat(), etag: fc.option(fc.string()), lastModified: fc.option(fc.string()) }),
    at: fc.integer({ min: 0, max: 2 ** 45 }),
  });

  it('round trip; another URL is not answered', () => {
    fc.assert(
      fc.property(validation, (v) => {
        const bytes = encodeValidation(v as Validation, crc32);
        expect(decodeValidation(bytes, v.identity.url, crc32)).toEqual(v);
        expect(decodeValidation(bytes, `${v.identity.url}x`, crc32)).toBeNull();
      }),
    );
  });

  it('property: any changed or cut byte gives null or the same record, never another one', () => {
    fc.assert(
      fc.property(validation, fc.nat(), fc.integer({ min: 1, max: 255 }), fc.boolean(), (v, at, x, cut) => {
        const bytes = encodeValidation(v as Validation, crc32);
        const i = at % bytes.length;
        const bad = cut ? bytes.slice(0, i) : bytes.slice();
        if (!cut) bad[i] ^= x;
        const got = decodeValidation(bad, v.identity.url, crc32);
        if (got !== null) expect(got).toEqual(v);
      }),
      { numRuns: 500 },
    );
    expect(decodeValidation(null, 'u', crc32)).toBeNull();
    expect(decodeValidation(new Uint8Array(1 << 17), 'u', crc32)).toBeNull();
  });
});
