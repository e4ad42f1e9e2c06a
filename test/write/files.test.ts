/**
 * Files on disk: crash safety (a writer killed mid-write leaves the
 * destination untouched), updating headers in place and by rewriting,
 * replacing data, appending HDUs, and the write commands of the CLI.
 */
import { readTable } from '../../src/table/read/read-table.js';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { open } from '../helpers/fitsflow.js';
import { appendHdus, replaceImageData, updateHeader } from '../../src/node/update.js';
import { parseArgs, type CliIo } from '../../src/cli/command.js';
import { COMMANDS } from '../../src/cli/main.js';
import { repoRoot } from '../helpers/corpus.js';
import { corpusPath } from '../helpers/corpus.js';
import { compareDigest } from '../helpers/compare-digest.js';
import { fitsflowDigest, fitsverify, haveFitsverify, haveFpack, tempDir, writeFile } from './tools.js';

const dir = tempDir('fitsflow-files-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('crash safety', () => {
  it('a writer killed mid-write leaves the destination untouched', async () => {
    const dest = join(dir, 'crash.fits');
    writeFileSync(dest, 'previous content');
    const child = join(dir, 'child.mjs');
    const src = join(dir, 'child.ts');
    writeFileSync(src, `
import { createFitsWriter } from ${JSON.stringify(join(repoRoot, 'src/node/create-writer.ts'))};
const w = await createFitsWriter(process.argv[2]);
await w.addImageStream({ shape: [1000, 1000], dtype: 'float32' }, (async function* () {
  for (let i = 0; i < 1000; i++) {
    yield new Float32Array(1000).fill(i);
    if (i === 100) process.stdout.write('STARTED\\n');
    await new Promise((r) => setTimeout(r, 5));
  }
})());
await w.close();
process.stdout.write('DONE\\n');
`);
    buildSync({ entryPoints: [src], bundle: true, platform: 'node', format: 'esm', outfile: child, logLevel: 'error' });
    const p = spawn(process.execPath, [child, dest], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      p.stdout.on('data', (b: Buffer) => {
        if (b.toString().includes('STARTED')) p.kill('SIGKILL');
      });
      p.on('exit', () => resolve());
      p.on('error', reject);
    });
    expect(readFileSync(dest, 'utf8')).toBe('previous content');
    const temps = readdirSync(dir).filter((f) => f.startsWith('.crash.fits.'));
    expect(temps.length).toBe(1); // the killed writer's temporary file, never renamed
    for (const t of temps) rmSync(join(dir, t));
    // The same program left to finish publishes the file.
    const q = spawn(process.execPath, [child, dest], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((r) => q.on('exit', r));
    const f = await open(dest);
    expect((await f.hdu(0)).shape).toEqual([1000, 1000]);
    await f.close();
    expect(readdirSync(dir).filter((f) => f.startsWith('.crash.fits.'))).toEqual([]);
  });

  it('a failed write leaves nothing behind', async () => {
    const dest = join(dir, 'failed.fits');
    await expect(writeFile(dest, async (w) => {
      await w.addImage(new Float32Array(10));
      await w.addImageStream({ shape: [10], dtype: 'float32' }, [new Float32Array(3)]);
    })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
    expect(existsSync(dest)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('.failed.fits.'))).toEqual([]);
  });
});

describe('updating files', () => {
  async function sample(name: string, checksum: boolean): Promise<string> {
    const p = join(dir, name);
    await writeFile(p, async (w) => {
      await w.addImage(Int16Array.from({ length: 100 }, (_, i) => i), { shape: [10, 10], header: { OBJECT: 'first' } });
      await w.addTable({ x: Float64Array.from([1, 2, 3]) }, { extname: 'TAB' });
    }, checksum);
    return p;
  }

  it('edits a header in place when it fits, keeping checksums valid', async () => {
    const p = await sample('edit.fits', true);
    const size = readFileSync(p).length;
    expect((await updateHeader(p, 0, { set: { OBJECT: 'second', NEWKEY: [42, 'added'] }, append: [{ keyword: 'HISTORY', comment: 'edited', commentary: true }] })).inPlace).toBe(true);
    expect(readFileSync(p).length).toBe(size);
    const f = await open(p);
    const h = await f.hdu(0);
    expect(h.header.get('OBJECT')).toBe('second');
    expect(h.header.get('NEWKEY')).toBe(42);
    expect(await h.verifyChecksum()).toMatchObject({ checksum: 'ok', datasum: 'ok' });
    await f.close();
    if (haveFitsverify) expect(fitsverify(p).errors).toBe(0);
  });

  it('grows a header by whole blocks through a rewritten copy', async () => {
    const p = await sample('grow.fits', true);
    const before = await fitsflowDigest(p);
    const set: Record<string, string> = {};
    for (let i = 0; i < 60; i++) set[`KEY${i}`] = `value number ${i}`;
    expect((await updateHeader(p, 1, { set })).inPlace).toBe(false);
    const f = await open(p);
    const t = await f.hdu(1);
    expect(t.header.get('KEY59')).toBe('value number 59');
    expect(Array.from((await readTable(t)).columns[0]!.data as Float64Array)).toEqual([1, 2, 3]);
    expect(await t.verifyChecksum()).toMatchObject({ checksum: 'ok', datasum: 'ok' });
    await f.close();
    const after = (await fitsflowDigest(p)) as { hdus: { cards: unknown }[] };
    const b = before as { hdus: { cards: unknown }[] };
    expect(after.hdus[0]).toEqual(b.hdus[0]);
    if (haveFitsverify) expect(fitsverify(p).errors).toBe(0);
  });

  it('refuses to edit layout keywords', async () => {
    const p = await sample('layout.fits', false);
    await expect(updateHeader(p, 0, { set: { NAXIS1: 5 } })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
    await expect(updateHeader(p, 1, { delete: ['TFORM1'] })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
  });

  it('replaces image data of the same size in place', async () => {
    const p = await sample('replace.fits', true);
    await replaceImageData(p, 0, Int16Array.from({ length: 100 }, (_, i) => -i));
    const f = await open(p);
    const h = await f.hdu(0);
    expect((await h.readImage()).data[99]).toBe(-99);
    expect(await h.verifyChecksum()).toMatchObject({ checksum: 'ok', datasum: 'ok' });
    await f.close();
    await expect(replaceImageData(p, 0, new Int16Array(99))).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
  });

  it('appends HDUs, and truncates back on failure', async () => {
    const p = await sample('append.fits', false);
    const size = readFileSync(p).length;
    await appendHdus(p, async (w) => {
      await w.addImage(Float32Array.from([1, 2, 3]), { extname: 'MORE' });
    }, { checksum: true });
    const f = await open(p);
    expect((await f.hdus()).length).toBe(3);
    expect((await f.hdu('MORE')).kind).toBe('image');
    await f.close();
    const grown = readFileSync(p).length;
    expect(grown).toBeGreaterThan(size);
    await expect(appendHdus(p, async (w) => {
      await w.addImage(Float32Array.from([1]), { extname: 'BAD' });
      await w.addImageStream({ shape: [5], dtype: 'float32' }, [new Float32Array(2)]);
    })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
    expect(readFileSync(p).length).toBe(grown);
    if (haveFitsverify) expect(fitsverify(p).errors).toBe(0);
  });
});

describe('CLI write commands', () => {
  function io(): CliIo & { lines: string[] } {
    const lines: string[] = [];
    return { lines, out: (t) => lines.push(t), err: (t) => lines.push(t), open: (p) => open(p) };
  }
  async function run(name: string, argv: string[]): Promise<number> {
    const cmd = COMMANDS.find((c) => c.name === name)!;
    return cmd.run(parseArgs(argv, cmd.options), io());
  }

  it('copy gives the same digest', async () => {
    const src = corpusPath('mef/mixed_kinds.fits');
    const out = join(dir, 'copy.fits');
    expect(await run('copy', [src, out])).toBe(0);
    expect(compareDigest((await fitsflowDigest(out)) as never, (await fitsflowDigest(src)) as never)).toEqual([]);
  });

  it('compress --nocompress stores tiles as they are; decompress restores the image', async () => {
    const src = corpusPath('images/bitpix16_2d.fits');
    const fz = join(dir, 'cli-nocomp.fits');
    const back = join(dir, 'cli-nocomp-back.fits');
    expect(await run('compress', [src, fz, '--nocompress', '--checksum'])).toBe(0);
    if (haveFitsverify) expect(fitsverify(fz).errors).toBe(0);
    const f = await open(fz);
    expect((await f.hdu(1)).header.get('ZCMPTYPE')).toBe('NOCOMPRESS');
    await f.close();
    expect(await run('decompress', [fz, back])).toBe(0);
    const want = (await fitsflowDigest(src)) as { hdus: Record<string, unknown>[] };
    const got = (await fitsflowDigest(back)) as { hdus: Record<string, unknown>[] };
    // The primary image comes back as the primary (ZSIMPLE), as funpack restores it.
    expect(got.hdus.length).toBe(1);
    expect(got.hdus[0]!.sha256).toBe(want.hdus[0]!.sha256);
    await expect(run('compress', [src, join(dir, 'other.fits'), '--nocompress', '--rice'])).rejects.toThrow(/choose one/);
  });

  it('compress then decompress restores an integer image; funpack agrees', async () => {
    const src = corpusPath('images/bitpix16_2d.fits');
    const fz = join(dir, 'cli.fits.fz');
    const back = join(dir, 'cli-back.fits');
    expect(await run('compress', [src, fz, '--rice', '--tile', '120x10', '--checksum'])).toBe(0);
    if (haveFitsverify) expect(fitsverify(fz).errors).toBe(0);
    const f = await open(fz);
    const h = await f.hdu(1);
    expect(h.header.get('ZTILE1')).toBe(120);
    expect(h.header.get('ZTILE2')).toBe(10);
    await f.close();
    expect(await run('decompress', [fz, back])).toBe(0);
    const want = (await fitsflowDigest(src)) as { hdus: Record<string, unknown>[] };
    const got = (await fitsflowDigest(back)) as { hdus: Record<string, unknown>[] };
    expect(got.hdus.map((h) => h.kind)).toEqual(['image']);
    expect(got.hdus[0]!.sha256).toBe(want.hdus[0]!.sha256);
    if (haveFpack) {
      const { execFileSync } = await import('node:child_process');
      const fp = join(dir, 'cli-funpack.fits');
      execFileSync('funpack', ['-O', fp, fz]);
      const got = (await fitsflowDigest(fp)) as { hdus: Record<string, unknown>[] };
      expect(got.hdus.some((h) => h.sha256 === want.hdus[0]!.sha256)).toBe(true);
    }
  });

  it('header --set edits a file', async () => {
    const p = join(dir, 'hdr.fits');
    await writeFile(p, (w) => w.addImage(new Uint8Array(4)));
    expect(await run('header', [p, '--set', 'OBSERVER=Hubble', 'EXPTIME=12.5', "NOTE='a b'", 'FLAG=T'])).toBe(0);
    const f = await open(p);
    const h = (await f.hdu(0)).header;
    expect([h.get('OBSERVER'), h.get('EXPTIME'), h.get('NOTE'), h.get('FLAG')]).toEqual(['Hubble', 12.5, 'a b', true]);
    await f.close();
  });
});
