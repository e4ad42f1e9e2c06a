/**
 * The pool from a real build (tsup.config.ts, without d.ts): the worker
 * scripts are emitted next to the modules that load them, and a read through
 * dist/node.js (the Node entry, whose runtime starts the pool) uses real workers.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'tsup';
import { corpusPath, repoRoot } from '../helpers/corpus.js';

let dir: string;

beforeAll(async () => {
  mkdirSync(join(repoRoot, 'tmp'), { recursive: true });
  dir = mkdtempSync(join(repoRoot, 'tmp', 'dist-test-'));
  await build({ config: join(repoRoot, 'tsup.config.ts'), outDir: dir, dts: false, silent: true, sourcemap: false, clean: true });
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run an ES module script (written into the build directory) with node. */
function runScript(name: string, script: string) {
  const file = join(dir, name);
  writeFileSync(file, script);
  return spawnSync(process.execPath, [file], { encoding: 'utf8', cwd: dir });
}

describe('worker scripts in the build', () => {
  it('decode-worker-node.js is emitted beside the code that loads it; decode-worker.js is one self-contained file', () => {
    expect(existsSync(join(dir, 'decode-worker-node.js'))).toBe(true);
    const js = readdirSync(dir).filter((f) => f.endsWith('.js'));
    const loaders = js.filter((f) => readFileSync(join(dir, f), 'utf8').includes('new URL("./decode-worker-node.js", import.meta.url)'));
    expect(loaders.length).toBeGreaterThan(0);
    // The Web Worker script (`fitsflow/decode-worker`) imports nothing: no Node built-ins, no chunks.
    const web = readFileSync(join(dir, 'decode-worker.js'), 'utf8');
    expect(web).not.toMatch(/^import /m);
    expect(web).toContain('onmessage');
    // The per-module build for bundlers (npm test builds dist/ first) finds its worker beside the web pool.
    const pool = readFileSync(join(repoRoot, 'dist/esm/web/worker-pool.js'), 'utf8');
    expect(pool).toContain("new URL('./decode-worker.js', import.meta.url)");
    expect(existsSync(join(repoRoot, 'dist/esm/web/decode-worker.js'))).toBe(true);
  });

  it('the built Node worker answers a ping', () => {
    const script = `
      import { Worker } from 'node:worker_threads';
      const w = new Worker(new URL('./decode-worker-node.js', 'file://${dir}/'));
      w.on('message', (m) => { console.log(JSON.stringify(m)); w.terminate(); });
      w.on('error', (e) => { console.error(e); process.exit(1); });
      w.postMessage({ id: 7, task: { type: 'ping' } });`;
    const r = runScript('ping.mjs', script);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ id: 7, reply: { ok: true, result: 'pong' } });
  });

  it('node.js decodes with real workers and gives the inline result', () => {
    const script = `
      const { open } = await import('${join(dir, 'node.js')}');
      const file = await open('${corpusPath('compressed/astropy/rice_f32_dither1.fits')}');
      const hdu = await file.hdu(1);
      const a = await hdu.readImage({ workers: 1 });
      const b = await hdu.readImage({ workers: false });
      const same = Buffer.compare(Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength), Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength)) === 0;
      console.log(JSON.stringify({ shared: a.data.buffer instanceof SharedArrayBuffer, same }));
      await file.close();
      process.exit(0);`;
    const r = runScript('e2e.mjs', script);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ shared: true, same: true });
  });
});
