/** FITSFLOW_CACHE / FITSFLOW_CACHE_MAX_AGE → open()'s cache options. */
import { describe, expect, it } from 'vitest';
import { isFitsError } from '../helpers/fitsflow.js';
import { cacheOptionsFromEnv, parseCacheTarget, parseMaxAge, persistentStoreFromEnv } from '../../src/node/cache-env.js';
import { RedisStore } from '../../src/node/redis/redis-store.js';

const fitsError = (f: () => unknown, re: RegExp) => {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(isFitsError(err, 'BAD_ARGUMENT')).toBe(true);
  expect((err as Error).message).toMatch(re);
};

describe('env-config', () => {
  it('parses FITSFLOW_CACHE', () => {
    expect(parseCacheTarget(undefined)).toEqual({ kind: 'none' });
    expect(parseCacheTarget('  ')).toEqual({ kind: 'none' });
    expect(parseCacheTarget('redis://cache.example:6380/2')).toEqual({ kind: 'redis', url: 'redis://cache.example:6380/2' });
    expect(parseCacheTarget('redis://127.0.0.1:6379')).toEqual({ kind: 'redis', url: 'redis://127.0.0.1:6379' });
    expect(parseCacheTarget('rediss://u:p@h:1/0')).toEqual({ kind: 'redis', url: 'rediss://u:p@h:1/0' });
    expect(parseCacheTarget('/var/cache/fitsflow')).toEqual({ kind: 'folder', dir: '/var/cache/fitsflow' });
    fitsError(() => parseCacheTarget('redis://h:6379/x'), /numeric port and database/);
    fitsError(() => parseCacheTarget('redis://'), /redis:\/\/host:port/);
    fitsError(() => parseCacheTarget('memcached://h:1'), /neither a redis:\/\/ URL nor an absolute folder/);
    fitsError(() => parseCacheTarget('relative/dir'), /neither/);
  });

  it('parses FITSFLOW_CACHE_MAX_AGE (seconds → ms)', () => {
    expect(parseMaxAge(undefined)).toBeUndefined();
    expect(parseMaxAge('600')).toBe(600_000);
    expect(parseMaxAge('0.5')).toBe(500);
    expect(parseMaxAge('0')).toBe(0);
    for (const bad of ['-1', 'ten', 'Infinity', '1e400']) fitsError(() => parseMaxAge(bad), /number of seconds/);
  });

  it('builds open() cache options (a RedisStore only when FITSFLOW_CACHE names Redis; it connects on first use)', async () => {
    expect(await cacheOptionsFromEnv({})).toBeUndefined();
    expect(await cacheOptionsFromEnv({}, { maxAge: 5 })).toEqual({ maxAge: 5 });
    expect(await cacheOptionsFromEnv({ FITSFLOW_CACHE_MAX_AGE: '60' })).toEqual({ maxAge: 60_000 });
    expect(await cacheOptionsFromEnv({ FITSFLOW_CACHE: '/tmp/x', FITSFLOW_CACHE_MAX_AGE: '1' }, { memory: false })).toEqual({ memory: false, dir: '/tmp/x', maxAge: 1000 });
    const o = await cacheOptionsFromEnv({ FITSFLOW_CACHE: 'redis://127.0.0.1:1/3', FITSFLOW_CACHE_MAX_AGE: '30' });
    expect(o?.persistent).toBeInstanceOf(RedisStore);
    expect((o!.persistent as RedisStore).location).toBe('redis://127.0.0.1:1/3');
    expect(o?.maxAge).toBe(30_000);
    await (o!.persistent as RedisStore).close();
    expect(await persistentStoreFromEnv({ FITSFLOW_CACHE: '/tmp/x' })).toBeNull();
    // The password is not shown.
    const s = (await persistentStoreFromEnv({ FITSFLOW_CACHE: 'redis://user:secret@h:1' })) as RedisStore;
    expect(s.location).not.toMatch(/secret/);
    await s.close();
  });
});
