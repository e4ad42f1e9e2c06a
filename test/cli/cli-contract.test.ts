/**
 * The command line as a user meets it: `--help` and `--version`, unknown
 * flags, exit codes, output into a closed pipe, big tables, refusing to
 * overwrite, and compress → decompress restoring the primary image. Each
 * defect the package issue listed has a check here.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS, main, VERSION } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/command.js';
import { createFitsWriter, open } from '../helpers/fitsflow.js';
import { corpusPath, repoRoot } from '../helpers/corpus.js';

const CLI = join(repoRoot, 'dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'fitsflow-cli-'));
const big = join(dir, 'big.fits');
const ROWS = 200_000;

beforeAll(async () => {
  const w = await createFitsWriter(big);
  const id = new BigInt64Array(ROWS).map((_, i) => BigInt(i) * 100_000_000_007n);
  const mag = new Float32Array(ROWS).map((_, i) => 10 + (i % 1000) / 100);
  await w.addTable({ ID: id, MAG: mag, NAME: Array.from({ length: ROWS }, (_, i) => `src${i}`) }, { extname: 'CAT' });
  await w.close();
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => void out.push(t), err: (t) => void err.push(t), open: (p) => open(p) };
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** The built CLI in a shell pipeline; returns its exit status and stderr. */
function pipeline(command: string): { status: number | null; stderr: string; stdout: string } {
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', command], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, CLI } });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe('fitsflow --help, --version, usage', () => {
  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const r = pipeline('node "$CLI" --version');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
    expect((await run('--version')).out).toBe(VERSION);
  });

  it('--help lists every command; no arguments is a usage error (exit 2)', async () => {
    const h = await run('--help');
    expect(h.code).toBe(0);
    for (const c of COMMANDS) expect(h.out).toMatch(new RegExp(`^  ${c.name} `, 'm'));
    const none = await run();
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/usage: fitsflow COMMAND/);
  });

  for (const c of COMMANDS) {
    it(`${c.name} --help describes every option; an unknown flag exits 2`, async () => {
      const h = await run(c.name, '--help');
      expect(h.code).toBe(0);
      expect(h.out).toMatch(new RegExp(`^usage: fitsflow ${c.name} `));
      for (const o of c.options) {
        expect(h.out, `--${o.flag}`).toContain(`--${o.flag}${o.value ? ` ${o.value}` : ''}`);
        expect(o.help.length, `--${o.flag} has help`).toBeGreaterThan(10);
      }
      const bogus = await run(c.name, corpusPath('images/bitpix16_2d.fits'), '--bogus');
      expect(bogus.code).toBe(2);
      expect(bogus.err).toMatch(/unknown option --bogus/);
      expect(bogus.err).toMatch(new RegExp(`fitsflow ${c.name} --help`));
    });
  }

  it('info FILE --bogus is refused, not ignored', async () => {
    expect((await run('info', corpusPath('images/bitpix16_2d.fits'), '--bogus')).code).toBe(2);
  });
});

describe('fitsflow table', () => {
  it(`prints a ${ROWS}-row table as text (no call-stack overflow on wide data)`, async () => {
    const r = await run('table', big);
    expect(r.code, r.err).toBe(0);
    const lines = r.out.split('\n');
    expect(lines.length).toBe(ROWS + 2);
    expect(lines[2]!.trim()).toMatch(/^0\s+10\s+src0$/);
    expect(lines.at(-1)!.trim()).toMatch(/^19999900001399993\s+19\.99\s+src199999$/);
  });

  it('a bad --where is a usage error (exit 2), with the expression shown', async () => {
    const r = await run('table', big, '--where', 'MAG >');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/MAG >/);
    const t = await run('table', big, '--where', 'NAME + 1 > 2');
    expect(t.code).toBe(2);
  });

  it("--columns NOPE names the table's columns, not an empty list", async () => {
    const r = await run('table', big, '--columns', 'ID,NOPE');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no column named 'NOPE'; the table's columns: ID, MAG, NAME/);
    expect(r.err).not.toMatch(/\(none\)/);
  });

  it('JSON keeps 64-bit integers exact: beyond 2^53 as strings', async () => {
    const r = await run('table', big, '--format', 'json', '--where', 'ID > 9007199254740993', '--limit', '1');
    expect(r.code, r.err).toBe(0);
    const rows = JSON.parse(r.out) as { ID: unknown }[];
    const first = BigInt(rows[0]!.ID as string);
    expect(typeof rows[0]!.ID).toBe('string');
    expect(first > 9007199254740993n && first % 100_000_000_007n === 0n).toBe(true);
    const small = JSON.parse((await run('table', big, '--format', 'json', '--limit', '2')).out) as { ID: unknown }[];
    expect(small.map((x) => x.ID)).toEqual([0, 100_000_000_007]);
  });
});

describe('output into a closed pipe', () => {
  it('info | head -1: no stack trace, exit 0', () => {
    const r = pipeline(`node "$CLI" info "${corpusPath('mef/mef_images.fits')}" | head -1`);
    expect(r.stdout.trim()).toMatch(/^Filename:/);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('table --format csv | head -2 stops the command (exit 0, nothing on stderr)', () => {
    const r = pipeline(`node "$CLI" table "${big}" --format csv | head -2`);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual(['ID,MAG,NAME', '0,10,src0']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('commands that write', () => {
  it('compress refuses an existing OUT without --force, and replaces it with --force', async () => {
    const out = join(dir, 'exists.fits');
    writeFileSync(out, 'keep me');
    const r = await run('compress', corpusPath('images/bitpix16_2d.fits'), out);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/exists; pass --force/);
    expect(readFileSync(out, 'utf8')).toBe('keep me');
    expect((await run('compress', corpusPath('images/bitpix16_2d.fits'), out, '--force')).code).toBe(0);
    expect(statSync(out).size % 2880).toBe(0);
    for (const cmd of ['copy', 'decompress']) {
      const again = await run(cmd, corpusPath('images/bitpix16_2d.fits'), out);
      expect(again.code, cmd).toBe(2);
    }
  });

  it('compress then decompress gives back the primary image, as funpack does', async () => {
    const fz = join(dir, 'prim.fits.fz');
    const back = join(dir, 'prim-back.fits');
    expect((await run('compress', corpusPath('images/bitpix16_2d.fits'), fz)).code).toBe(0);
    expect((await run('decompress', fz, back)).code).toBe(0);
    const a = await open(corpusPath('images/bitpix16_2d.fits'));
    const b = await open(back);
    const [ha, hb] = [await a.hdus(), await b.hdus()];
    expect(hb.map((h) => h.kind)).toEqual(ha.map((h) => h.kind));
    expect(Buffer.compare(Buffer.from((await hb[0]!.readImage()).data.buffer), Buffer.from((await ha[0]!.readImage()).data.buffer))).toBe(0);
    await a.close();
    await b.close();
  });
});
