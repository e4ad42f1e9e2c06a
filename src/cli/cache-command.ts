/**
 * `fitsflow cache stats|clear|verify [--dir D]`: the persistent block cache
 * (default folder: $FITSFLOW_CACHE_DIR, $XDG_CACHE_HOME/fitsflow or
 * ~/.cache/fitsflow). Node-only (the folder cache).
 */
import { UsageError, flagValue, type Command } from './command.js';
import { defaultCacheDir, FsCache } from '../node/fs-cache/fs-cache.js';

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
  summary: 'The persistent cache of remote files: statistics, clear it, or verify every entry (corrupt ones are removed; exit 1 if any were).',
  usage: 'stats|clear|verify [--dir D]',
  options: [{ flag: 'dir', value: 'D', help: 'the cache folder (default $FITSFLOW_CACHE_DIR, else $XDG_CACHE_HOME/fitsflow or ~/.cache/fitsflow)' }],
  async run(args, io) {
    const [sub, ...rest] = args.positionals;
    if (!sub || rest.length || !['stats', 'clear', 'verify'].includes(sub)) throw new UsageError('expected one of: stats, clear, verify');
    const cache = new FsCache(flagValue(args, 'dir') ?? defaultCacheDir());
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
      io.out(`removed ${r.entries} entries (${human(r.bytes)}) from ${cache.location}`);
      return 0;
    }
    const r = await cache.verify();
    io.out(`verified ${r.entries} entries in ${cache.location}: ${r.ok} ok, ${r.corrupt} corrupt (removed)${r.vanished ? `, ${r.vanished} removed meanwhile` : ''}`);
    if (r.corrupt) {
      io.err(`${r.corrupt} corrupt cache entries were removed; their blocks will be fetched again`);
      return 1;
    }
    return 0;
  },
};
