/**
 * `fitsflow/redis` (Node, Bun, Deno): RedisStore, a persistent block cache on a
 * Redis server shared by every process and host, and the FITSFLOW_CACHE /
 * FITSFLOW_CACHE_MAX_AGE environment settings. Only this entry loads the Redis
 * client (ioredis).
 * @example
 * const file = await open(url, { cache: { persistent: new RedisStore({ url: 'redis://127.0.0.1:6379' }) } });
 * @packageDocumentation
 * @module fitsflow/redis
 */
export { RedisStore, type RedisStoreOptions, type RedisStoreStats, type RedisCounters } from '../node/redis/redis-store.js';
export { cacheOptionsFromEnv, persistentStoreFromEnv, parseCacheTarget, parseMaxAge, type CacheEnv, type CacheTarget } from '../node/cache-env.js';
