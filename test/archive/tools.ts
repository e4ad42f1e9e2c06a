/**
 * The real compressors the archive tests check against (gzip, bzip2, xz, zip,
 * and `compress` from ncompress). A missing tool skips its tests with a warning
 * locally and fails them under CI, where every tool is installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Tool = 'gzip' | 'bzip2' | 'xz' | 'zip' | 'compress';

export function hasTool(tool: Tool): boolean {
  const r = spawnSync('sh', ['-c', `command -v ${tool}`]);
  if (r.status === 0) return true;
  if (process.env.CI) throw new Error(`${tool} is not installed; CI must install it (apt-get install -y ncompress bzip2 xz-utils zip).`);
  console.warn(`[archive tests] ${tool} is not installed: its tests are skipped (apt-get install -y ncompress bzip2 xz-utils zip).`);
  return false;
}

/** Compress `bytes` with the real tool; returns the archive's bytes. */
export function compressWith(tool: Tool, bytes: Uint8Array, args: string[] = []): Uint8Array {
  if (tool === 'zip') {
    const dir = mkdtempSync(join(tmpdir(), 'ff-zip-'));
    try {
      writeFileSync(join(dir, 'file.fits'), bytes);
      execFileSync('zip', ['-q', ...args, 'out.zip', 'file.fits'], { cwd: dir });
      return new Uint8Array(readFileSync(join(dir, 'out.zip')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  // compress refuses to write output that is larger than the input unless forced (-f).
  const flags = tool === 'compress' ? ['-c', '-f', ...args] : ['-c', ...args];
  return new Uint8Array(execFileSync(tool, flags, { input: bytes, maxBuffer: 1 << 30 }));
}

/** Decompress with the real tool (the reference for what a stream holds). */
export function decompressWith(tool: Exclude<Tool, 'zip'>, bytes: Uint8Array): { ok: boolean; out: Uint8Array } {
  const r = spawnSync(tool, ['-d', '-c'], { input: bytes, maxBuffer: 1 << 30 });
  return { ok: r.status === 0, out: new Uint8Array(r.stdout ?? []) };
}
