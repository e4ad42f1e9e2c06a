/** The built package runs unchanged under Deno and Bun (npm packages `deno`, `bun`). */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/corpus.js';

const bin = (name: string) => join(repoRoot, 'node_modules/.bin', name);
const built = existsSync(join(repoRoot, 'dist/node.js'));

describe('other runtimes', () => {
  it('dist/ is built (npm test builds it first)', () => {
    expect(built).toBe(true);
  });
  it('Deno', () => {
    const out = execFileSync(bin('deno'), ['run', '--allow-read', '--allow-write', '--allow-env', 'test/smoke/smoke.mjs'], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' }, timeout: 120_000 });
    expect(out).toContain('smoke ok deno');
  });
  it('Bun', () => {
    const out = execFileSync(bin('bun'), ['test/smoke/smoke.mjs'], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
    expect(out).toContain('smoke ok bun');
  });
});
