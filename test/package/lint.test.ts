/**
 * The packed tarball passes the package linters:
 * - Are The Types Wrong (`attw`, @arethetypeswrong/cli) with `--profile
 *   esm-only`: the package is ESM-only (`"type": "module"`, `import`
 *   conditions only), so CommonJS `require` (node16-cjs) and the pre-exports
 *   `node10` resolution are out of scope and ignored; every entry point,
 *   `fitsflow/decode-worker` included, must resolve to ESM with types under
 *   node16 (from ESM) and bundler resolution;
 * - publint, strict (warnings are errors).
 * Both run on the same tarball as every other package test (what `attw
 * --pack` and `publint` would pack themselves).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { bin, packedTarball, run } from './helpers.js';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { exports: Record<string, unknown> };

interface AttwProblem {
  kind: string;
  entrypoint?: string;
  resolutionKind?: string;
}

describe('package linters on the packed tarball', () => {
  it('attw --profile esm-only: no problems for ESM consumers', async () => {
    const tarball = await packedTarball();
    const r = await run(bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'json']);
    let report: { problems: AttwProblem[] | Record<string, AttwProblem[]>; analysis: { entrypoints: Record<string, unknown> } };
    try {
      report = JSON.parse(r.stdout);
    } catch {
      throw new Error(`attw printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    }
    const problems = Array.isArray(report.problems) ? report.problems : Object.values(report.problems).flat();
    // What esm-only ignores: CommonJS require and node10 (no `exports`) resolution.
    const relevant = problems.filter((p) => p.resolutionKind !== 'node10' && p.resolutionKind !== 'node16-cjs');
    expect(relevant, JSON.stringify(relevant, null, 2)).toEqual([]);
    expect(r.code, `attw exited with ${r.code}:\n${r.stderr}`).toBe(0);
    expect(Object.keys(report.analysis.entrypoints).sort()).toEqual(Object.keys(packageJson.exports).sort());
  });

  it('publint --strict: all good', async () => {
    const tarball = await packedTarball();
    const r = await run(bin('publint'), ['run', tarball, '--strict']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('All good!');
  });
});
