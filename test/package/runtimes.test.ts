/**
 * Deno and Bun (the npm packages `deno`, `bun`) reading through the packed
 * package installed in a fresh project: local files and the same files by
 * URL from a 127.0.0.1 server with Range support, digests equal to the
 * corpus references. Deno runs with `--allow-net --allow-read` and nothing
 * else; without `--allow-net` the read fails once, at once, with a FitsError
 * saying which permission is missing (not as a network error retried).
 */
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareDigest } from '../helpers/compare-digest.js';
import { bin, makeProject, repoRoot, run, startStaticServer, toolAvailable, type Project, type StaticServer } from './helpers.js';

const corpus = join(repoRoot, 'test/corpus');
const manifest = JSON.parse(readFileSync(join(corpus, 'manifest.json'), 'utf8')) as { files: { path: string; digest: unknown }[] };
/** Plain, scaled, tile-compressed (Rice, GZIP through the runtime's zlib, HCOMPRESS), tables (one big enough for parallel gathering), MEF. */
const FILES = [
  'images/bitpix16_2d.fits',
  'images/unsigned_uint64.fits',
  'compressed/fpack/rice_int16.fits.fz',
  'compressed/astropy/gzip2_f64_lossless.fits',
  'compressed/astropy/hcomp_int16_lossy_smooth.fits',
  'tables/bintable_vla.fits',
  'tables/bintable_big.fits',
  'mef/mixed_kinds.fits',
];

interface Line {
  input: string;
  runtime: string;
  digest?: unknown;
  error?: { name?: string; code?: string; message?: string };
}

let project: Project;
let server: StaticServer;

beforeAll(async () => {
  [project, server] = await Promise.all([makeProject('runtimes'), startStaticServer({ mounts: { '/corpus/': corpus } })]);
  copyFileSync(join(repoRoot, 'test/package/fixtures/runtimes/read.mjs'), project.path('read.mjs'));
}, 180_000);

afterAll(async () => {
  await server?.close();
  project?.cleanup();
});

const RUNTIMES = {
  deno: { cmd: bin('deno'), args: ['run', '--allow-net', '--allow-read', 'read.mjs'], env: { DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' } },
  bun: { cmd: bin('bun'), args: ['read.mjs'], env: {} },
} as const;

async function read(runtime: keyof typeof RUNTIMES, inputs: string[], args: readonly string[] = RUNTIMES[runtime].args): Promise<Line[]> {
  const r = await run(RUNTIMES[runtime].cmd, [...args, ...inputs], { cwd: project.dir, env: RUNTIMES[runtime].env });
  if (r.code !== 0) throw new Error(`${runtime} exited with ${r.code ?? r.signal}:\n${r.stdout}\n${r.stderr}`);
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);
  expect(lines.map((l) => l.input), `${runtime} printed:\n${r.stdout}\n${r.stderr}`).toEqual(inputs);
  return lines;
}

function expectDigests(lines: Line[], runtime: string): void {
  for (const [i, line] of lines.entries()) {
    expect(line.runtime).toBe(runtime);
    expect(line.error, `${FILES[i]} on ${runtime}`).toBeUndefined();
    const want = manifest.files.find((f) => f.path === FILES[i])!.digest;
    expect(compareDigest(line.digest as never, want as never), `${FILES[i]} on ${runtime}`).toEqual([]);
  }
}

describe.each(Object.keys(RUNTIMES) as (keyof typeof RUNTIMES)[])('%s, through the packed package', (runtime) => {
  const present = existsSync(RUNTIMES[runtime].cmd);
  const available = () => toolAvailable(runtime, present, `npm install: it is a dev dependency`);

  it('local files: digests equal the references', async () => {
    if (!available()) return;
    expectDigests(await read(runtime, FILES.map((f) => join(corpus, f))), runtime);
  });

  it('the same files by URL, read with Range requests: digests equal the references', async () => {
    if (!available()) return;
    const first = server.requests.length;
    expectDigests(await read(runtime, FILES.map((f) => `${server.origin}/corpus/${f}`)), runtime);
    const gets = server.requests.slice(first).filter((r) => r.method === 'GET');
    expect(gets.length).toBeGreaterThan(0);
    expect(gets.filter((r) => r.status !== 206), 'every GET a range read answered with 206').toEqual([]);
  });
});

describe('Deno without --allow-net', () => {
  it('a remote read fails once with a FitsError naming the missing permission', async () => {
    if (!toolAvailable('deno', existsSync(RUNTIMES.deno.cmd), 'npm install: it is a dev dependency')) return;
    const url = `${server.origin}/corpus/${FILES[0]}`;
    const first = server.requests.length;
    const [line] = await read('deno', [url], ['run', '--allow-read', 'read.mjs']);
    expect(line!.error, JSON.stringify(line)).toMatchObject({ name: 'FitsError', code: 'PERMISSION' });
    expect(line!.error!.message).toContain('--allow-net');
    expect(line!.error!.message, 'not retried as a network error').not.toMatch(/attempts|network error/);
    expect(server.requests.length - first, 'Deno sent no request').toBe(0);
  });
});
