/**
 * Every ```ts, ```js and ```sh block of README.md and docs/ runs, as a reader
 * would run it: each block is a complete program, in a folder of its own
 * inside a project that installed the packed package (`npm install
 * fitsflow.tgz`, as test/package does), with a copy of samples/ beside it.
 * TypeScript blocks of docs/ are type-checked (strict, NodeNext) in one tsc run;
 * README's are compiled by test/package/types.test.ts.
 *
 * What a block may rely on (the guides say so where they use it):
 * - `http://127.0.0.1:8080/…`: a static server with Range requests, serving the
 *   block's own folder (the test starts one on a free port and puts its origin in);
 * - `redis://127.0.0.1:6379`: a Redis server (started by the test on a free port);
 * - a WebGPU adapter for `fitsflow/gpu` (SwiftShader on machines without a GPU).
 * See test/docs/doc-blocks.ts for the fence flags (`skip-run: REASON`, `file=PATH`).
 *
 * The programs of examples/ run here too, in the same project: the Node script
 * on the sample, the Deno script on a path and on a URL (with narrowed
 * permissions), and the browser page bundled by esbuild and driven in Chromium
 * (a file chosen in its <input>). examples/edge has its own test
 * (test/package/edge.test.ts).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, transform } from 'esbuild';
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, CHROMIUM, launchChromium, makeProject, repoRoot, repoVersion, run, startStaticServer, type Project, type StaticServer } from '../package/helpers.js';
import { haveRedisServer, RedisServer } from '../redis/redis-server.js';
import { toolAvailable } from '../helpers/require-tool.js';
import { blockName, blocksOf, docFiles, type DocBlock } from './doc-blocks.js';

const blocks = docFiles(repoRoot).flatMap((f) => blocksOf(repoRoot, f));
const runnable = blocks.filter((b) => b.runner && !b.skip && !b.sameAs);
const HTTP_ORIGIN = 'http://127.0.0.1:8080';
const REDIS_URL = 'redis://127.0.0.1:6379';
const needsRedis = runnable.some((b) => b.code.includes(REDIS_URL));

let project: Project;
let redis: RedisServer | null = null;
/** Two blocks at a time (the machine has two cores). */
const limit = pLimit(2);

beforeAll(async () => {
  project = await makeProject('docs', {
    dependencies: [`apache-arrow@${repoVersion('apache-arrow')}`, `webgpu@${repoVersion('webgpu')}`, `@types/node@${repoVersion('@types/node')}`],
  });
  if (needsRedis && toolAvailable('redis-server', haveRedisServer, 'the Redis examples of the docs')) redis = await RedisServer.start();
}, 300_000);

afterAll(async () => {
  await redis?.kill();
  project?.cleanup();
});

/** The folder a block runs in: its own, with samples/ copied in. */
function blockDir(b: DocBlock): string {
  const dir = project.path(`blocks/${b.file.replace(/[^a-z0-9]+/gi, '-')}-${b.line}`);
  mkdirSync(join(dir, 'samples'), { recursive: true });
  copyFileSync(join(repoRoot, 'samples/sample.fits'), join(dir, 'samples/sample.fits'));
  return dir;
}

async function runBlock(b: DocBlock): Promise<{ code: number | null; output: string }> {
  const dir = blockDir(b);
  let server: StaticServer | null = null;
  let code = b.code;
  if (code.includes(HTTP_ORIGIN)) {
    server = await startStaticServer({ mounts: { '/': dir } });
    code = code.replaceAll(HTTP_ORIGIN, server.origin);
  }
  if (code.includes(REDIS_URL)) {
    if (!redis) return { code: 0, output: 'SKIPPED: no redis-server' };
    code = code.replaceAll(REDIS_URL, redis.url);
  }
  const env = {
    PATH: `${project.path('node_modules/.bin')}:${join(repoRoot, 'node_modules/.bin')}:${process.env.PATH}`,
    FITSFLOW_CACHE_DIR: join(dir, '.cache/fitsflow'),
    XDG_CACHE_HOME: join(dir, '.cache'),
    VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? '/usr/lib/chromium/vk_swiftshader_icd.json',
    DENO_NO_UPDATE_CHECK: '1',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
  };
  try {
    let r: Awaited<ReturnType<typeof run>>;
    if (b.runner === 'bash') {
      writeFileSync(join(dir, 'block.sh'), `${code}\n`);
      r = await run('bash', ['-eo', 'pipefail', 'block.sh'], { cwd: dir, env, timeout: 90_000 });
    } else {
      const js = b.typescript ? (await transform(code, { loader: 'ts', format: 'esm', target: 'es2022' })).code : code;
      writeFileSync(join(dir, 'block.mjs'), js);
      r = await run(process.execPath, ['block.mjs'], { cwd: dir, env, timeout: 90_000 });
    }
    return { code: r.code, output: `${r.stdout}\n${r.stderr}`.trim() };
  } finally {
    await server?.close();
  }
}

describe('documentation code blocks', () => {
  it('there are blocks to run, and every skipped block says why', () => {
    expect(runnable.length).toBeGreaterThan(20);
    for (const b of blocks.filter((x) => x.skip)) expect(b.skip!.length, blockName(b)).toBeGreaterThan(10);
  });

  it("README's setup blocks (not run here: they install and test the repository itself) are commands .ci/run runs", () => {
    const ci = readFileSync(join(repoRoot, '.ci/run'), 'utf8')
      .split('\n')
      .map((l) => l.replace(/#.*$/, '').trim())
      .filter(Boolean);
    const setup = blocks.filter((b) => b.file === 'README.md' && b.runner === 'bash' && b.skip);
    expect(setup.length).toBeGreaterThan(0);
    for (const b of setup) {
      expect(b.skip, blockName(b)).toMatch(/\.ci\/run/);
      const commands = b.code.split('\n').flatMap((l) => l.replace(/#.*$/, '').split('&&')).map((c) => c.trim()).filter(Boolean);
      for (const c of commands) expect(ci.some((l) => l === c || l.startsWith(`${c} `)), `${blockName(b)}: .ci/run does not run \`${c}\``).toBe(true);
    }
  });

  it('a block marked file=PATH is that file of the repository, which tests run', () => {
    for (const b of blocks.filter((x) => x.sameAs)) {
      const path = join(repoRoot, b.sameAs!);
      expect(existsSync(path), `${blockName(b)}: ${b.sameAs} does not exist`).toBe(true);
      expect(b.code.trim(), `${blockName(b)} differs from ${b.sameAs}: copy the file into the block`).toBe(readFileSync(path, 'utf8').trim());
    }
  });

  it('the TypeScript blocks of docs/ type-check (strict, NodeNext)', async () => {
    const ts = blocks.filter((b) => b.typescript && !b.skip && !b.sameAs && b.file !== 'README.md');
    const files = ts.map((b, i) => {
      const name = `check/${String(i).padStart(3, '0')}.ts`;
      project.write(name, `${b.code}\nexport {};\n`);
      return name;
    });
    project.write(
      'tsconfig.docs.json',
      JSON.stringify({
        compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', lib: ['ES2023', 'DOM'], types: ['node'], strict: true, skipLibCheck: true, noEmit: true },
        files,
      }),
    );
    const r = await run(bin('tsc'), ['-p', 'tsconfig.docs.json', '--pretty', 'false'], { cwd: project.dir });
    const errors = `${r.stdout}${r.stderr}`.replace(/^check\/(\d+)\.ts\((\d+),(\d+)\)/gm, (_, i: string, line: string, col: string) => {
      const b = ts[Number(i)]!;
      return `${b.file}:${b.line + Number(line)}:${col} (block under "${b.heading}")`;
    });
    expect(errors.trim()).toBe('');
  });

  describe.concurrent('each block runs and exits 0', () => {
    for (const b of runnable) {
      it(blockName(b), async () => {
        const r = await limit(() => runBlock(b));
        expect(r.code, `${blockName(b)} failed:\n${r.output.slice(-4000)}`).toBe(0);
      });
    }
  });
});

/** A folder of the project with the example's files and a copy of the sample. */
function exampleDir(name: string, files: string[]): string {
  const dir = project.path(`examples/${name}`);
  mkdirSync(join(dir, 'samples'), { recursive: true });
  copyFileSync(join(repoRoot, 'samples/sample.fits'), join(dir, 'samples/sample.fits'));
  for (const f of files) copyFileSync(join(repoRoot, 'examples', name, f), join(dir, f));
  return dir;
}

/** What every example prints of the sample's HDUs (its compressed image: digest in test/corpus, min 901, max 17383). */
const SAMPLE_IMAGE = /HDU 4:? (compressed-image )?CMP/;

describe('examples/', () => {
  it('node/quicklook.mjs lists the HDUs and writes a PNG of the first image', async () => {
    const dir = exampleDir('node', ['quicklook.mjs']);
    const r = await run(process.execPath, ['quicklook.mjs', 'samples/sample.fits', 'out.png'], { cwd: dir, timeout: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(SAMPLE_IMAGE);
    expect(r.stdout).toContain('out.png: HDU 0 as 512 × 410');
    expect([...readFileSync(join(dir, 'out.png')).subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  }, 120_000);

  const deno = bin('deno');
  it('deno/stats.ts prints statistics of each image, from a path and from a URL, with narrowed permissions', async () => {
    if (!toolAvailable('deno', existsSync(deno), 'npm install: it is a dev dependency')) return;
    const dir = exampleDir('deno', ['stats.ts']);
    const env = { DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' };
    const local = await run(deno, ['run', '--allow-read=samples', 'stats.ts', 'samples/sample.fits'], { cwd: dir, env, timeout: 90_000 });
    expect(local.code, local.stderr).toBe(0);
    expect(local.stdout).toContain('HDU 4 CMP int32 40×50: min 901 max 17383');
    const server = await startStaticServer({ mounts: { '/': join(dir, 'samples') } });
    try {
      const remote = await run(deno, ['run', '--allow-net=127.0.0.1', 'stats.ts', `${server.origin}/sample.fits`], { cwd: dir, env, timeout: 90_000 });
      expect(remote.code, remote.stderr).toBe(0);
      expect(remote.stdout).toBe(local.stdout);
    } finally {
      await server.close();
    }
  }, 120_000);

  it('browser/ (bundled by esbuild with the decode worker) lists and draws a file chosen in the page, in Chromium', async () => {
    if (!toolAvailable('Debian chromium', existsSync(CHROMIUM), 'apt-get install chromium')) return;
    const dir = exampleDir('browser', ['index.html', 'main.js']);
    await build({
      absWorkingDir: dir,
      entryPoints: ['main.js', 'fitsflow/decode-worker'],
      entryNames: '[name]',
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      outdir: 'public',
      logLevel: 'silent',
    });
    copyFileSync(join(dir, 'index.html'), join(dir, 'public/index.html'));
    const server = await startStaticServer({ mounts: { '/': join(dir, 'public') }, crossOriginIsolated: true });
    const { context, userDataDir } = await launchChromium();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${server.origin}/index.html`);
      await page.setInputFiles('input[type=file]', join(dir, 'samples/sample.fits'));
      await page.waitForFunction(() => /drawn:|Error/.test(document.querySelector('#hdus')?.textContent ?? ''), undefined, { timeout: 60_000 });
      const text = await page.textContent('#hdus');
      expect(errors).toEqual([]);
      expect(text).toMatch(SAMPLE_IMAGE);
      expect(text).toContain('drawn: HDU 0, 5 × 4');
      expect(await page.evaluate(() => [document.querySelector('canvas')!.width, document.querySelector('canvas')!.height])).toEqual([5, 4]);
    } finally {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
      await server.close();
    }
  }, 180_000);
});
