/**
 * What the folder cache finds in its folder by accident or from an older
 * version (issue #20, items 9–12): entry names that do not fit the object, a
 * FIFO in place of an entry, a symbolic link in place of an object's folder,
 * permissions, and presigned URLs written down.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { FsCache, entryNameProblem } from '../../src/node/fs-cache/fs-cache.js';
import type { CachedObject } from '../../src/cache/store.js';

const B = 2880;
let tmp: string;
let n = 0;
const freshDir = () => join(tmp, `c${++n}`);

function obj(k: number, size = 10 * B, url = `https://example.invalid/${k}.fits`): CachedObject {
  return { id: createHash('sha256').update(`hostile ${k}`).digest('hex'), url, etag: `"${k}"`, lastModified: null, size, blockSize: B };
}
function content(o: CachedObject, first: number, count: number): Uint8Array {
  const start = first * B;
  const end = Math.min(o.size, (first + count) * B);
  const out = new Uint8Array(end - start);
  for (let i = 0; i < out.length; i++) out[i] = ((start + i) * 3 + o.id.charCodeAt(0)) & 0xff;
  return out;
}
const objectDir = (dir: string, o: CachedObject) => join(dir, 'v1', 'objects', o.id.slice(0, 2), o.id);

/** Every path below `dir` (not following links), with lstat. */
function walk(dir: string): { path: string; st: Stats }[] {
  const out: { path: string; st: Stats }[] = [];
  const go = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st: Stats = lstatSync(p);
      out.push({ path: p, st });
      if (st.isDirectory()) go(p);
    }
  };
  go(dir);
  return out;
}

function cacheWithWarnings(dir: string): { cache: FsCache; warnings: string[] } {
  const warnings: string[] = [];
  return { cache: new FsCache(dir, { onWarning: (m) => warnings.push(m) }), warnings };
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'fitsflow-hostile-cache-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('entry names must fit the object (item 9)', () => {
  it('a stray 0-20000000.blk is removed with a warning, and the cache still serves', async () => {
    const dir = freshDir();
    const o = obj(1);
    await new FsCache(dir).putBlocks(o, 0, content(o, 0, 10));
    writeFileSync(join(objectDir(dir, o), '0-20000000.blk'), 'stray');
    const { cache, warnings } = cacheWithWarnings(dir);
    const got = await cache.getBlocks(o, [0, 9]);
    expect(Buffer.compare(got.get(9)!, content(o, 9, 1))).toBe(0);
    expect(existsSync(join(objectDir(dir, o), '0-20000000.blk'))).toBe(false);
    expect(warnings.join('\n')).toMatch(/0-20000000\.blk was removed: its name is wrong/);
  });

  it('entryNameProblem accepts exactly the canonical names inside the object', () => {
    fc.assert(
      fc.property(fc.nat(40), fc.nat(40), fc.integer({ min: 0, max: 30 * B }), fc.constantFrom('', '0', '+', ' '), (first, count, size, pad) => {
        const name = `${pad}${first}-${count}.blk`;
        const blocks = Math.ceil(size / B);
        const ok = pad === '' && count >= 1 && first + count <= blocks;
        expect(entryNameProblem(name, size, B) === null).toBe(ok);
      }),
      { numRuns: 300 },
    );
  });

  it('any names in an object folder: reads give the right bytes or a miss, never throw', async () => {
    const dir = freshDir();
    const o = obj(2);
    await new FsCache(dir).putBlocks(o, 2, content(o, 2, 3));
    const name = fc.oneof(
      fc.tuple(fc.nat(12), fc.nat(12)).map(([a, c]) => `${a}-${c}.blk`),
      fc.tuple(fc.nat(2 ** 31), fc.nat(2 ** 31)).map(([a, c]) => `${a}-${c}.blk`),
      fc.tuple(fc.nat(5), fc.nat(5)).map(([a, c]) => `0${a}-${c}.blk`),
    );
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(name, { maxLength: 4 }), async (names) => {
        for (const nm of names) if (nm !== '2-3.blk') writeFileSync(join(objectDir(dir, o), nm), 'junk');
        const cache = new FsCache(dir, { onWarning: () => {} });
        const got = await cache.getBlocks(o, [0, 1, 2, 3, 4, 5, 9]);
        for (const [b, bytes] of got) expect(Buffer.compare(bytes, content(o, b, 1)), `block ${b}`).toBe(0);
        for (const nm of readdirSync(objectDir(dir, o))) if (nm.endsWith('.blk')) expect(entryNameProblem(nm, o.size, B), nm).toBeNull();
        // the good entry survives unless a junk file overlapping it was read first (then it is only a miss)
        for (const nm of readdirSync(objectDir(dir, o))) if (nm !== '2-3.blk' && nm.endsWith('.blk')) unlinkSync(join(objectDir(dir, o), nm));
        if (!existsSync(join(objectDir(dir, o), '2-3.blk'))) await new FsCache(dir).putBlocks(o, 2, content(o, 2, 3));
      }),
      { numRuns: 25 },
    );
  });
});

describe('only regular files are opened (item 10)', () => {
  it('a FIFO in place of an entry is a miss (removed with a warning), not a blocked read', async () => {
    const dir = freshDir();
    const o = obj(3);
    await new FsCache(dir).putBlocks(o, 0, content(o, 0, 10));
    const entry = join(objectDir(dir, o), '0-10.blk');
    unlinkSync(entry);
    execFileSync('mkfifo', [entry]);
    // Were the open to block, a writer arriving later would unblock it (so that this test fails instead of hanging).
    const writer = spawn('sh', ['-c', `sleep 3; [ -p '${entry}' ] && echo x > '${entry}'`], { stdio: 'ignore' });
    try {
      const { cache, warnings } = cacheWithWarnings(dir);
      const got = await cache.getBlocks(o, [0, 1]);
      expect(got.size).toBe(0);
      expect(warnings.join('\n')).toMatch(/was a FIFO, not a file; it was removed/);
      expect(existsSync(entry)).toBe(false);
      await cache.putBlocks(o, 0, content(o, 0, 10));
      const again = await cache.getBlocks(o, [5]);
      expect(Buffer.compare(again.get(5)!, content(o, 5, 1))).toBe(0);
    } finally {
      writer.kill();
    }
  }, 15_000);

  it('verify and stats skip a FIFO or link among entries (removed), never block on it', async () => {
    const dir = freshDir();
    const o = obj(4);
    await new FsCache(dir).putBlocks(o, 0, content(o, 0, 10));
    execFileSync('mkfifo', [join(objectDir(dir, o), '3-1.blk')]);
    const { cache, warnings } = cacheWithWarnings(dir);
    const report = await cache.verify();
    expect(report).toMatchObject({ entries: 1, ok: 1, corrupt: 0 });
    expect(warnings.join('\n')).toMatch(/a FIFO/);
  }, 15_000);
});

describe('any file type in place of an entry (items 10, 11)', () => {
  const kinds = ['fifo', 'link-to-file', 'link-to-folder', 'dangling-link', 'folder', 'empty-file'] as const;
  it('reads are a miss, verify and stats go on, nothing outside the cache changes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...kinds), fc.constantFrom('0-10.blk', '3-2.blk'), fc.boolean(), async (kind, name, small) => {
        const dir = freshDir();
        const o = obj(20);
        await new FsCache(dir).putBlocks(o, 0, content(o, 0, 10));
        const entry = join(objectDir(dir, o), name);
        if (existsSync(entry)) unlinkSync(entry);
        const outside = join(tmp, `out-${n}`);
        mkdirSync(outside);
        writeFileSync(join(outside, 'f'), 'outside');
        if (kind === 'fifo') execFileSync('mkfifo', [entry]);
        else if (kind === 'link-to-file') symlinkSync(join(outside, 'f'), entry);
        else if (kind === 'link-to-folder') symlinkSync(outside, entry);
        else if (kind === 'dangling-link') symlinkSync(join(outside, 'nothing'), entry);
        else if (kind === 'folder') mkdirSync(entry);
        else writeFileSync(entry, '');
        // Were an open to block on the FIFO, this writer would end it (the test fails instead of hanging).
        const writer = kind === 'fifo' ? spawn('sh', ['-c', `sleep 5; [ -p '${entry}' ] && echo x > '${entry}'`], { stdio: 'ignore' }) : null;
        try {
          const cache = new FsCache(dir, { onWarning: () => {} });
          if (small) {
            const got = await cache.getBlocks(o, [3, 4]);
            if (name === '0-10.blk') expect(got.size).toBe(0); // the only entry holding them (3-2.blk sits beside 0-10.blk)
            for (const [b, bytes] of got) expect(Buffer.compare(bytes, content(o, b, 1))).toBe(0);
          } else {
            const dest = new Uint8Array(2 * B);
            const r = await cache.readBlocksInto!(o, 3, 2, dest);
            if (name === '0-10.blk') expect(r.missing).toEqual([3, 4]);
            if (!r.missing.length) expect(Buffer.compare(dest, content(o, 3, 2))).toBe(0);
          }
          await cache.verify();
          await cache.stats();
          expect(readdirSync(outside)).toEqual(['f']);
          expect(readFileSync(join(outside, 'f'), 'utf8')).toBe('outside');
          const left = existsSync(entry) || lstatSync(entry, { throwIfNoEntry: false }) !== undefined;
          if (kind !== 'empty-file') expect(left, `${kind} left in place`).toBe(false);
        } finally {
          writer?.kill();
        }
      }),
      { numRuns: 20 },
    );
  }, 30_000);
});

describe('nothing in the cache is followed as a link (item 11)', () => {
  it('a symlinked object folder: reads never write into its target, verify never deletes there', async () => {
    const dir = freshDir();
    const o = obj(5);
    const outside = join(tmp, `outside-${n}`);
    mkdirSync(outside);
    writeFileSync(join(outside, '0-1.blk'), 'precious, not a cache entry');
    writeFileSync(join(outside, 'info.json'), '{"precious":true}');
    await new FsCache(dir).putBlocks(obj(99), 0, content(obj(99), 0, 1)); // the cache folder exists
    mkdirSync(join(dir, 'v1', 'objects', o.id.slice(0, 2)), { recursive: true });
    symlinkSync(outside, objectDir(dir, o));
    const { cache, warnings } = cacheWithWarnings(dir);
    const report = await cache.verify();
    expect(report.corrupt).toBe(0);
    expect(readFileSync(join(outside, '0-1.blk'), 'utf8')).toBe('precious, not a cache entry');
    symlinkSync(outside, objectDir(dir, o)); // verify removed the link: put it back for the reads
    const c2 = cacheWithWarnings(dir);
    expect((await c2.cache.getBlocks(o, [0])).size).toBe(0);
    await c2.cache.putBlocks(o, 0, content(o, 0, 10));
    expect(readdirSync(outside).sort()).toEqual(['0-1.blk', 'info.json']);
    expect(readFileSync(join(outside, 'info.json'), 'utf8')).toBe('{"precious":true}');
    expect(lstatSync(objectDir(dir, o)).isDirectory()).toBe(true); // a real folder now
    const got = await c2.cache.getBlocks(o, [4]);
    expect(Buffer.compare(got.get(4)!, content(o, 4, 1))).toBe(0);
    expect([...warnings, ...c2.warnings].join('\n')).toMatch(/symbolic link/);
  });

  it('a link in place of an entry or info.json is never read through', async () => {
    const dir = freshDir();
    const o = obj(6);
    await new FsCache(dir).putBlocks(o, 0, content(o, 0, 10));
    const target = join(tmp, `target-${n}`);
    writeFileSync(target, readFileSync(join(objectDir(dir, o), '0-10.blk')));
    unlinkSync(join(objectDir(dir, o), '0-10.blk'));
    symlinkSync(target, join(objectDir(dir, o), '0-10.blk'));
    const { cache, warnings } = cacheWithWarnings(dir);
    expect((await cache.getBlocks(o, [0])).size).toBe(0);
    expect(warnings.join('\n')).toMatch(/symbolic link/);
    expect(existsSync(target)).toBe(true);
  });
});

describe('a private cache, without credentials written down (item 12)', () => {
  it('folders 0700, files 0600; an older 0755 root is made private', async () => {
    const dir = freshDir();
    mkdirSync(join(dir, 'v1'), { recursive: true, mode: 0o755 });
    chmodSync(join(dir, 'v1'), 0o755);
    const o = obj(7);
    const cache = new FsCache(dir);
    await cache.putBlocks(o, 0, content(o, 0, 10));
    cache.noteValidated({ url: o.url, size: o.size, etag: o.etag, lastModified: null }, Date.now());
    expect(lstatSync(join(dir, 'v1')).mode & 0o777).toBe(0o700);
    const all = walk(join(dir, 'v1'));
    expect(all.filter((e) => e.st.isFile()).length).toBeGreaterThan(2);
    for (const e of all) expect((e.st.mode & 0o777).toString(8), e.path).toBe(e.st.isDirectory() ? '700' : '600');
  });

  it('stores a presigned URL without its signature, and still finds its validation record', async () => {
    const dir = freshDir();
    const url = 'https://bucket.s3.amazonaws.com/k.fits?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDSECRETCRED&X-Amz-Signature=deadbeefsig&X-Amz-Security-Token=TOKENSECRET&part=1';
    const o = obj(8, 10 * B, url);
    const cache = new FsCache(dir);
    await cache.putBlocks(o, 0, content(o, 0, 10));
    cache.noteValidated({ url, size: o.size, etag: o.etag, lastModified: null }, 1234);
    expect(cache.lastValidated(url)).toMatchObject({ identity: { url, size: o.size }, at: 1234 });
    const info = JSON.parse(readFileSync(join(objectDir(dir, o), 'info.json'), 'utf8')) as { url: string };
    expect(info.url).toBe('https://bucket.s3.amazonaws.com/k.fits?X-Amz-Algorithm=AWS4-HMAC-SHA256&part=1');
    for (const e of walk(dir)) {
      if (!e.st.isFile()) continue;
      const text = readFileSync(e.path).toString('latin1');
      for (const secret of ['deadbeefsig', 'AKIDSECRETCRED', 'TOKENSECRET']) expect(text.includes(secret), `${secret} in ${e.path}`).toBe(false);
    }
  });
});
