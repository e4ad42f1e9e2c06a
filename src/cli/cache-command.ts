/**
 * `fitsflow cache stats|clear|verify [--dir D]`: the persistent block cache —
 * the Redis server FITSFLOW_CACHE=redis://… names, else a folder (--dir, or
 * FITSFLOW_CACHE=DIR, $FITSFLOW_CACHE_DIR, $XDG_CACHE_HOME/fitsflow or
 * ~/.cache/fitsflow). Node-only.
 */
import { UsageError, flagValue, type CliIo, type Command } from './command.js';
import type { PersistentStore } from '../cache/store.js';
import { defaultCacheDir, FsCache } from '../node/fs-cache/fs-cache.js';
import { parseCacheTarget, persistentStoreFromEnv } from '../node/cache-env.js';

/** The store the command works on, and where it is. */
async function storeOf(dir: string | undefined): Promise<{ store: PersistentStore & { close?(): Promise<void> }; location: string }> {
  if (dir === undefined) {
    const target = parseCacheTarget(process.env.FITSFLOW_CACHE);
    if (target.kind === 'redis') return { store: (await persistentStoreFromEnv(process.env))!, location: target.url };
    if (target.kind === 'folder') dir = target.dir;
  }
  const cache = new FsCache(dir ?? defaultCacheDir());
  return { store: cache, location: cache.location };
}

function human(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let u = 0;
  let v = n;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]} (${n} B)`;
}

export const cacheCommand: Command = {
  name: 'cache',
  summary: 'The persistent cache of remote files (a folder, or Redis with FITSFLOW_CACHE=redis://HOST:PORT[/DB]): statistics, clear it, or verify every entry (corrupt ones are removed; exit 1 if any were).',
  usage: 'stats|clear|verify [--dir D]',
  options: [{ flag: 'dir', value: 'D', help: 'the cache folder (default: FITSFLOW_CACHE, $FITSFLOW_CACHE_DIR, $XDG_CACHE_HOME/fitsflow or ~/.cache/fitsflow)' }],
  async run(args, io) {
    const [sub, ...rest] = args.positionals;
    if (!sub || rest.length || !['stats', 'clear', 'verify'].includes(sub)) throw new UsageError('expected one of: stats, clear, verify');
    const { store: cache, location } = await storeOf(flagValue(args, 'dir'));
    try {
      return await runOn(cache, location, sub, io);
    } finally {
      await cache.close?.();
    }
  },
};

async function runOn(cache: PersistentStore, location: string, sub: string, io: CliIo): Promise<number> {
  if (sub === 'stats') {
    const s = await cache.stats();
    const lookups = s.hits + s.misses;
    io.out(
      [
        `cache: ${s.location}`,
        `entries: ${s.entries} in ${s.objects} object(s)`,
        `size: ${human(s.bytes)} of ${human(s.maxBytes)} limit`,
        `hits: ${s.hits} blocks, misses: ${s.misses} blocks${lookups ? ` (${((100 * s.hits) / lookups).toFixed(1)}% hit rate)` : ''}`,
        `bytes from cache: ${human(s.bytesFromCache)} (checksummed on reading: ${human(s.bytesChecksummed)})`,
        `bytes from network: ${human(s.bytesFromNetwork)}`,
        `bytes written: ${human(s.bytesWritten)}`,
        `corrupt entries dropped: ${s.corrupt}, evicted: ${s.evicted}`,
      ].join('\n'),
    );
    return 0;
  }
  if (sub === 'clear') {
    const r = await cache.clear();
    io.out(`removed ${r.entries} entries (${human(r.bytes)}) from ${location}`);
    return 0;
  }
  const r = await cache.verify();
  io.out(`verified ${r.entries} entries in ${location}: ${r.ok} ok, ${r.corrupt} corrupt (removed)${r.vanished ? `, ${r.vanished} removed meanwhile` : ''}`);
  if (r.corrupt) {
    io.err(`${r.corrupt} corrupt cache entries were removed; their blocks will be fetched again`);
    return 1;
  }
  return 0;
}
