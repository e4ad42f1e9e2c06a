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
  it('decode-worker-node.js and decode-worker.js are emitted beside the code that loads them', () => {
    expect(existsSync(join(dir, 'decode-worker-node.js'))).toBe(true);
    expect(existsSync(join(dir, 'decode-worker.js'))).toBe(true);
    const js = readdirSync(dir).filter((f) => f.endsWith('.js'));
    const loaders = js.filter((f) => readFileSync(join(dir, f), 'utf8').includes("new URL(\"./decode-worker-node.js\", import.meta.url)"));
    const webLoaders = js.filter((f) => readFileSync(join(dir, f), 'utf8').includes("new URL(\"./decode-worker.js\", import.meta.url)"));
    expect(loaders.length).toBeGreaterThan(0);
    expect(webLoaders.length).toBeGreaterThan(0);
    for (const f of [...loaders, ...webLoaders]) expect(existsSync(join(dir, f))).toBe(true);
    // The Web worker must not pull in Node built-ins.
    const web = readFileSync(join(dir, 'decode-worker.js'), 'utf8');
    expect(web).not.toMatch(/from "(node:)?(worker_threads|zlib|fs)"/);
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
