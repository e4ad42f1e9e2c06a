/**
 * Cache configuration from the environment, for CLIs and training workers:
 *
 *   FITSFLOW_CACHE=redis://host:port[/db]   the shared Redis cache (RedisStore); rediss:// for TLS.
 *                  /an/absolute/folder        the folder cache in that folder.
 *   FITSFLOW_CACHE_MAX_AGE=SECONDS            trust what the cache recorded from the origin for that
 *                                              long without asking it again (`cache: { maxAge }`).
 *
 * The environment is passed in (no global reads); RedisStore (and its client)
 * is loaded only when FITSFLOW_CACHE names a Redis server.
 */
import { FitsError } from '../core/errors.js';
import type { CacheOptions } from '../cache/cached-source.js';
import type { PersistentStore } from '../cache/store.js';

/** The environment variables read (any object with string values: `process.env`, `Deno.env.toObject()`). */
export type CacheEnv = Record<string, string | undefined>;

/** What FITSFLOW_CACHE asks for: nothing, a Redis server, or a folder. */
export type CacheTarget = { kind: 'none' } | { kind: 'redis'; url: string } | { kind: 'folder'; dir: string };

/** Parse FITSFLOW_CACHE (throws FitsError BAD_ARGUMENT with what to write instead). */
export function parseCacheTarget(value: string | undefined): CacheTarget {
  const v = value?.trim() ?? '';
  if (!v) return { kind: 'none' };
  if (/^rediss?:\/\//i.test(v)) {
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      throw new FitsError('BAD_ARGUMENT', `FITSFLOW_CACHE=${v} is not a valid URL; write redis://host:port[/db].`);
    }
    const db = u.pathname.replace(/^\/+/, '');
    if (!u.hostname || (u.port && !/^\d+$/.test(u.port)) || (db && !/^\d+$/.test(db))) {
      throw new FitsError('BAD_ARGUMENT', `FITSFLOW_CACHE=${v}: expected redis://host:port[/db] with a numeric port and database.`);
    }
    return { kind: 'redis', url: v };
  }
  if (v.startsWith('/') || /^[A-Za-z]:[\\/]/.test(v)) return { kind: 'folder', dir: v };
  throw new FitsError('BAD_ARGUMENT', `FITSFLOW_CACHE=${v} is neither a redis:// URL nor an absolute folder path; write redis://host:port[/db] or /path/to/folder.`);
}

/** Parse FITSFLOW_CACHE_MAX_AGE (seconds) into milliseconds; undefined when unset. */
export function parseMaxAge(value: string | undefined): number | undefined {
  const v = value?.trim() ?? '';
  if (!v) return undefined;
  const s = Number(v);
  if (!Number.isFinite(s) || s < 0) throw new FitsError('BAD_ARGUMENT', `FITSFLOW_CACHE_MAX_AGE=${v} must be a number of seconds (0 or more).`);
  return Math.round(s * 1000);
}

/**
 * The persistent store FITSFLOW_CACHE names (a new RedisStore, or the folder
 * cache through `cache: { dir }`: null here), or null. Whoever gets a
 * RedisStore closes it when done (or lets the process end: it holds no
 * process open while idle).
 */
export async function persistentStoreFromEnv(env: CacheEnv): Promise<PersistentStore | null> {
  const target = parseCacheTarget(env.FITSFLOW_CACHE);
  if (target.kind !== 'redis') return null;
  const { RedisStore } = await import('./redis/redis-store.js');
  return new RedisStore({ url: target.url });
}

/**
 * The `cache` options of `open()` that the environment asks for, merged over
 * `base`; `base` itself (or undefined) when neither variable is set.
 */
export async function cacheOptionsFromEnv(env: CacheEnv, base?: CacheOptions): Promise<CacheOptions | undefined> {
  const target = parseCacheTarget(env.FITSFLOW_CACHE);
  const maxAge = parseMaxAge(env.FITSFLOW_CACHE_MAX_AGE);
  if (target.kind === 'none' && maxAge === undefined) return base;
  const out: CacheOptions = { ...(base ?? {}) };
  if (target.kind === 'redis') out.persistent = (await persistentStoreFromEnv(env))!;
  else if (target.kind === 'folder') out.dir = target.dir;
  if (maxAge !== undefined) out.maxAge = maxAge;
  return out;
}
