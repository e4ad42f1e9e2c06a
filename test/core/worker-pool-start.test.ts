/**
 * Starting the Node worker pool: workers must start whatever the main
 * script's options (`node --input-type=module -e …` killed every worker), a
 * pool whose workers cannot start is not started again on every read, and
 * `warm()` reports a started worker without the event loop turning.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { workerExecArgv, spawnNodeWorker } from '../../src/node/worker-pool.js';
import { BasicWorkerPool, LazyWorkerPool } from '../../src/workers/pool-core.js';

const dir = mkdtempSync(join(tmpdir(), 'fitsflow-pool-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('workerExecArgv', () => {
  it('drops the options about the main script and keeps the rest', () => {
    expect(workerExecArgv(['--input-type=module', '-e', 'import x from "y"', '--max-old-space-size=4096'])).toEqual(['--max-old-space-size=4096']);
    expect(workerExecArgv(['--input-type', 'module', '--eval', 'code', '--expose-gc'])).toEqual(['--expose-gc']);
    expect(workerExecArgv(['-p', '1 + 1', '--eval=code', '--enable-source-maps'])).toEqual(['--enable-source-maps']);
    expect(workerExecArgv([])).toEqual([]);
  });
});

describe('a pool whose workers cannot start', () => {
  it('is not started again on every get()', async () => {
    const broken = join(dir, 'broken-worker.mjs');
    writeFileSync(broken, 'throw new Error("this worker cannot load");\n');
    let starts = 0;
    const lazy = new LazyWorkerPool(1, (n) => {
      starts++;
      return new BasicWorkerPool(n, () => spawnNodeWorker(pathToFileURL(broken)));
    });
    const pool = lazy.get()!;
    await expect(pool.run({ type: 'ping' })).rejects.toThrow(/cannot load|failed/);
    expect(lazy.get()).toBeNull();
    expect(lazy.get()).toBeNull();
    expect(starts).toBe(1);
    await lazy.close();
  });
});

describe('warm()', () => {
  it('is false until a worker has received a request, then true without waiting for its reply', async () => {
    const script = join(dir, 'slow-worker.mjs');
    // Marks the flag as the real worker does (handleRequest), then replies only much later.
    writeFileSync(script, `import { parentPort } from 'node:worker_threads';
      parentPort.on('message', (m) => {
        if (m.started instanceof Int32Array) Atomics.store(m.started, 0, 1);
        setTimeout(() => parentPort.postMessage({ id: m.id, reply: { ok: true, result: 'pong' } }), 2000);
      });\n`);
    const pool = new BasicWorkerPool(1, () => spawnNodeWorker(pathToFileURL(script)));
    expect(pool.warm()).toBe(false); // sends a ping
    const t0 = Date.now();
    // Spin without yielding to the event loop, as a loop of synchronous reads does.
    while (!pool.warm() && Date.now() - t0 < 10_000) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    expect(pool.warm()).toBe(true);
    expect(Date.now() - t0).toBeLessThan(2000); // before any reply could have been seen
    await pool.close();
  });
});
