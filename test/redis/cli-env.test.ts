/**
 * The outside contract of the Redis cache: `fitsflow digest URL` with
 * FITSFLOW_CACHE=redis://HOST:PORT[/DB] and FITSFLOW_CACHE_MAX_AGE=SECONDS —
 * the built CLI, a real redis-server, a loopback origin. The second process
 * is served from Redis without asking the origin; `cache stats` shows Redis.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusPath, repoRoot } from '../helpers/corpus.js';
import { TestServer } from '../remote/server.js';
import { haveRedisServer, RedisServer } from './redis-server.js';

const CLI = join(repoRoot, 'dist/cli.js');

/** Run the built CLI (asynchronously: the origin server runs in this process). */
function cli(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ status: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

describe.skipIf(!haveRedisServer)('FITSFLOW_CACHE=redis://… with fitsflow digest URL', () => {
  let redis: RedisServer;
  let origin: TestServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
    origin = await new TestServer().start();
    origin.put('img.fits', new Uint8Array(readFileSync(corpusPath('compressed/fpack/rice_int16.fits.fz'))));
  });
  afterAll(async () => {
    await origin?.close();
    await redis?.stop();
  });

  it('a second process is served from Redis within FITSFLOW_CACHE_MAX_AGE, with no request to the origin', async () => {
    const env = { FITSFLOW_CACHE: `redis://127.0.0.1:${redis.port}/2`, FITSFLOW_CACHE_MAX_AGE: '3600' };
    const local = await cli(['digest', corpusPath('compressed/fpack/rice_int16.fits.fz')], {});
    const first = await cli(['digest', origin.url('img.fits')], env);
    expect(first.status, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual(JSON.parse(local.stdout));
    const sent = origin.bytesSent('img.fits');
    expect(sent).toBeGreaterThan(0);
    origin.reset();
    const second = await cli(['digest', origin.url('img.fits')], env);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(origin.requests('img.fits')).toEqual([]);
    const stats = await cli(['cache', 'stats'], env);
    expect(stats.status, stats.stderr).toBe(0);
    expect(stats.stdout).toMatch(/^cache: redis:\/\/127\.0\.0\.1/m);
    expect(stats.stdout).toMatch(/hits: [1-9]\d* blocks/);
  });

  it('a malformed FITSFLOW_CACHE is refused with a sentence', async () => {
    const r = await cli(['digest', origin.url('img.fits')], { FITSFLOW_CACHE: 'redis://', FITSFLOW_CACHE_MAX_AGE: 'soon' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/FITSFLOW_CACHE/);
    expect(r.stderr).not.toMatch(/internal error/);
  });
});
