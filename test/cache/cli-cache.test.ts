import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheCommand } from '../../src/cli/cache-command.js';
import { parseArgs } from '../../src/cli/command.js';
import { FsCache } from '../../src/node/fs-cache/fs-cache.js';
import type { CliIo } from '../../src/cli/command.js';
import { cacheEntryFiles } from '../helpers/cache-files.js';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const x: CliIo = { out: (t) => void out.push(t), err: (t) => void err.push(t), open: () => Promise.reject(new Error('unused')) };
  return { x, out, err };
}
const run = async (argv: string[]) => {
  const i = io();
  const code = await cacheCommand.run(parseArgs(argv, cacheCommand.options), i.x);
  return { code, out: i.out.join('\n'), err: i.err.join('\n') };
};

describe('fitsflow cache stats|clear|verify', () => {
  it('reports, verifies (removing corrupt entries) and clears a cache folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fitsflow-cli-cache-'));
    try {
      const c = new FsCache(dir);
      const o = { id: createHash('sha256').update('x').digest('hex'), url: 'https://x.invalid/a', etag: '"1"', lastModified: null, size: 5 * 2880, blockSize: 2880 };
      await c.putBlocks(o, 0, new Uint8Array(2 * 2880).fill(1));
      await c.putBlocks(o, 2, new Uint8Array(3 * 2880).fill(2));
      await c.getBlocks(o, [0, 4]);
      c.noteNetwork(5 * 2880);
      await c.flush();
      let r = await run(['stats', '--dir', dir]);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/entries: 2 in 1 object/);
      expect(r.out).toMatch(/hits: 2 blocks, misses: 0 blocks/);
      expect(r.out).toMatch(/bytes from network: 14\.1 KiB \(14400 B\)/);
      r = await run(['verify', `--dir=${dir}`]);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/2 ok, 0 corrupt/);
      const files = cacheEntryFiles(dir);
      const b = readFileSync(files[0]!);
      b[b.length - 1]! ^= 0x80;
      writeFileSync(files[0]!, b);
      r = await run(['verify', '--dir', dir]);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/1 ok, 1 corrupt/);
      r = await run(['clear', '--dir', dir]);
      expect(r.out).toMatch(/removed 1 entries/);
      r = await run(['stats', '--dir', dir]);
      expect(r.out).toMatch(/entries: 0 in 0 object/);
      await expect(run(['frobnicate'])).rejects.toThrow(/expected one of/);
      expect(cacheCommand.usage).toBe('stats|clear|verify [--dir D]');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
