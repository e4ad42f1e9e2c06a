/**
 * The pools in other runtimes: worker_threads under Bun, Web Workers under
 * Deno (npm packages `bun`, `deno`). A bundle of the sources and both worker
 * scripts (built like dist/) decodes a compressed corpus image with workers
 * and compares with inline decoding.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'tsup';
import { corpusPath, repoRoot } from '../helpers/corpus.js';

const bin = (name: string) => join(repoRoot, 'node_modules/.bin', name);
let dir: string;

const script = (pool: 'node' | 'web') => `
import * as ff from './entry.js';
const file = await ff.open(${JSON.stringify(corpusPath('compressed/astropy/rice_f32_dither1.fits'))});
const hdu = await file.hdu(1);
const pool = ff.${pool === 'node' ? 'createNodeWorkerPool' : 'createWebWorkerPool'}({ size: 2 });
const a = await hdu.readImage({ workers: pool });
const stats = { ...ff.lastDecodeStats };
const b = await hdu.readImage({ workers: false });
const x = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
const y = new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength);
const same = x.length === y.length && x.every((v, i) => v === y[i]);
console.log(JSON.stringify({ same, shared: a.data.buffer instanceof SharedArrayBuffer, workers: stats.workers, fallback: stats.fallback }));
await pool.close();
await file.close();
`;

beforeAll(async () => {
  mkdirSync(join(repoRoot, 'tmp'), { recursive: true });
  dir = mkdtempSync(join(repoRoot, 'tmp', 'runtimes-'));
  await build({
    entry: {
      entry: join(repoRoot, 'test/decompress/pool-runtimes.entry.ts'),
      'decode-worker-node': join(repoRoot, 'src/node/decode-worker.ts'),
      'decode-worker': join(repoRoot, 'src/web/decode-worker.ts'),
    },
    outDir: dir, format: ['esm'], platform: 'node', target: 'es2022', splitting: true, dts: false, silent: true, config: false, clean: true,
  });
  writeFileSync(join(dir, 'node-pool.mjs'), script('node'));
  writeFileSync(join(dir, 'web-pool.mjs'), script('web'));
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const expected = { same: true, shared: true, workers: 2, fallback: false };

describe('worker pools in other runtimes', () => {
  it.runIf(existsSync(bin('bun')))('Bun: worker_threads pool', () => {
    const out = execFileSync(bin('bun'), [join(dir, 'node-pool.mjs')], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual(expected);
  });
  it.runIf(existsSync(bin('deno')))('Deno: Web Worker pool', () => {
    const out = execFileSync(bin('deno'), ['run', '--allow-read', '--allow-env', join(dir, 'web-pool.mjs')], {
      cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
    });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual(expected);
  });
  it.runIf(existsSync(bin('deno')))('Deno: worker_threads pool (node compatibility)', () => {
    const out = execFileSync(bin('deno'), ['run', '--allow-read', '--allow-env', join(dir, 'node-pool.mjs')], {
      cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
    });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual(expected);
  });
});
