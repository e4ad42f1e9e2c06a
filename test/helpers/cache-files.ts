/**
 * Files of a folder cache (src/node/fs-cache/fs-cache.ts), for tests that inspect or
 * damage them on disk.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

/** Every file below `dir` whose path `keep` accepts (none if `dir` does not exist), sorted by path. */
export function filesUnder(dir: string, keep: (path: string) => boolean = () => true): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (keep(p)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

const ENTRY = /^(\d+)-\d+\.blk$/;

/** The entry files (`<first>-<count>.blk`) below `dir`, in order of their first block (then path). */
export function cacheEntryFiles(dir: string): string[] {
  const first = (p: string) => Number(ENTRY.exec(basename(p))![1]);
  return filesUnder(dir, (p) => ENTRY.test(basename(p))).sort((a, b) => first(a) - first(b) || (a < b ? -1 : a > b ? 1 : 0));
}
