/**
 * The galaxy-classifier tutorial (docs/tutorial/galaxy-classifier.md,
 * examples/tutorial/): it trains on cutouts streamed from its faulty loopback
 * server and classifies the held-out cutouts well above chance; its files
 * type-check as Node's type stripping needs them; the page shows the
 * program's code as it is; the command line runs (under Bun, which runs
 * TypeScript as Node ≥ 22.18 does).
 *
 * The program imports `fitsflow` as a user's program does: the package
 * resolves itself to the build (dist/), so `npm run build` comes first (as
 * in `npm test`). Everything is seeded: the data, the fault schedule, the
 * shuffle and the weights; the faults change which requests are retried,
 * never the bytes delivered, so the accuracy is the same on every run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/corpus.js';

const dir = join(repoRoot, 'examples/tutorial');
const files = ['galaxies.ts', 'server.ts', 'model.ts', 'train.ts'];
const page = join(repoRoot, 'docs/tutorial/galaxy-classifier.md');
const bin = (name: string) => join(repoRoot, 'node_modules/.bin', name);

/** What train() returns (examples/tutorial/train.ts: TrainResult), as far as the test reads it. */
interface Result {
  accuracy: number;
  chance: number;
  tested: number;
  pValue: number;
  confusion: number[][];
  epochs: { loss: number; testAccuracy: number }[];
  server: { requests: number; errors500: number; dropped: number };
  skipped: number;
  bytesFromNetwork: number;
  bytesFromCache: number;
}

describe('tutorial: a galaxy classifier on remote FITS cutouts', () => {
  it('dist/ is built (the program imports fitsflow as a package)', () => {
    expect(existsSync(join(repoRoot, 'dist/remote-node.js')), 'run npm run build first').toBe(true);
  });

  it('trains through injected faults and classifies well above chance', async () => {
    // Not a static import: the lint's tsc would resolve `fitsflow` without the node condition.
    const { train } = (await import(pathToFileURL(join(dir, 'train.ts')).href)) as { train: (o: object) => Promise<Result> };
    const lines: string[] = [];
    const r = await train({ epochs: 4, trainPerClass: 100, testPerClass: 50, log: (l: string) => lines.push(l) });
    console.log(lines.join('\n'));
    expect(r.tested).toBe(150);
    expect(r.chance).toBeCloseTo(1 / 3);
    // Deterministic (seeded); the margin is for other engines' last-bit float differences.
    // Guessing reaches 0.6 on 150 cutouts with probability < 1e-11.
    expect(r.accuracy).toBeGreaterThan(0.6);
    expect(r.pValue).toBeLessThan(1e-9);
    expect(r.epochs).toHaveLength(4);
    expect(r.epochs.at(-1)!.loss).toBeLessThan(r.epochs[0]!.loss);
    // Every class is recognised more often than it is confused with any other.
    for (const [i, row] of r.confusion.entries()) {
      for (const [j, n] of row.entries()) if (i !== j) expect(row[i]!, `true ${i} predicted ${j}`).toBeGreaterThan(n);
    }
    // The faults happened, and the remote layer retried every one of them away.
    expect(r.server.errors500).toBeGreaterThan(0);
    expect(r.server.dropped).toBeGreaterThan(0);
    expect(r.skipped).toBe(0);
    // Later epochs and evaluations came from the dataset's cache.
    expect(r.bytesFromNetwork).toBeGreaterThan(0);
    expect(r.bytesFromCache).toBeGreaterThan(2 * r.bytesFromNetwork);
  });

  it('type-checks with the settings of Node type stripping (erasable syntax, .ts imports)', () => {
    const flags = ['--noEmit', '--strict', '--target', 'ES2022', '--module', 'NodeNext', '--moduleResolution', 'NodeNext'];
    const more = ['--allowImportingTsExtensions', '--verbatimModuleSyntax', '--erasableSyntaxOnly', '--types', 'node', '--skipLibCheck'];
    const out = (() => {
      try {
        return execFileSync(bin('tsc'), [...flags, ...more, ...files.map((f) => join(dir, f))], { cwd: repoRoot, encoding: 'utf8' });
      } catch (e) {
        return String((e as { stdout?: string }).stdout ?? e);
      }
    })();
    expect(out).toBe('');
  });

  it('the page shows the program as it is: each excerpt block is a piece of the file it names', () => {
    const md = readFileSync(page, 'utf8');
    const blocks = [...md.matchAll(/^```ts skip-run: excerpt of (examples\/tutorial\/[\w.-]+)[^\n]*\n([\s\S]*?)^```$/gm)];
    expect(blocks.length).toBeGreaterThan(5);
    const shown = new Set<string>();
    for (const [, file, code] of blocks) {
      const source = readFileSync(join(repoRoot, file!), 'utf8');
      expect(source.includes(code!), `${file}: this block is not in the file\n${code}`).toBe(true);
      shown.add(file!.replace('examples/tutorial/', ''));
    }
    expect([...shown].sort()).toEqual([...files].sort());
    // No other TypeScript block: the documentation's block runner would run it as a program.
    expect(md.match(/^```ts/gm)).toHaveLength(blocks.length);
  });

  it('runs from the command line, the convolutional network too (bun examples/tutorial/train.ts --model conv …)', () => {
    const args = ['examples/tutorial/train.ts', '--epochs', '1', '--train-per-class', '8', '--test-per-class', '4', '--faults', '0.2', '--model', 'conv', '--json'];
    const out = execFileSync(bin('bun'), args, { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
    const r = JSON.parse(out.trim().split('\n').at(-1)!) as Result;
    expect(r.tested).toBe(12);
    expect(r.epochs).toHaveLength(1);
    expect(r.skipped).toBe(0);
    expect(r.server.errors500 + r.server.dropped).toBeGreaterThan(0);
  });
});
