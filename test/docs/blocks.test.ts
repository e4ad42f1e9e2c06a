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
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { transform } from 'esbuild';
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, makeProject, repoRoot, repoVersion, run, startStaticServer, type Project, type StaticServer } from '../package/helpers.js';
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
