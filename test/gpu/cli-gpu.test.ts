/**
 * `fitsflow digest --gpu`: the same digests as the reference for compressed
 * files, and exit code 3 when there is no WebGPU adapter.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { haveGpu, noGpuReason } from './gpu-setup.js';
import { useGpu } from '../../src/gpu/device.js';
import { corpusPath, loadManifest, repoRoot } from '../helpers/corpus.js';
import { compareDigest } from '../helpers/compare-digest.js';
import { runCli } from '../helpers/run-cli.js';

const run = (...argv: string[]) => runCli(argv);

const manifest = loadManifest();
const FILES = ['compressed/fpack/rice_f32_nan_dither1.fits.fz', 'compressed/astropy/plio_mask.fits', 'compressed/astropy/hcomp_f32.fits', 'mef/mixed_kinds.fits'];
const dist = process.env.FITSFLOW_DIST ?? join(repoRoot, 'dist');


describe.runIf(haveGpu)('fitsflow digest --gpu', () => {
  for (const path of FILES) {
    it(path, async () => {
      const r = await run('digest', corpusPath(path), '--gpu');
      expect(r.code, r.err).toBe(0);
      const want = manifest.files.find((f) => f.path === path)!.digest;
      expect(compareDigest(JSON.parse(r.out), want as never)).toEqual([]);
    });
  }

  it('exits 3 when there is no adapter (GPU disabled)', async () => {
    useGpu(null);
    try {
      const r = await run('digest', corpusPath('compressed/fpack/rice_int16.fits.fz'), '--gpu');
      expect(r.code).toBe(3);
      expect(r.err).toMatch(/GPU/);
    } finally {
      useGpu(undefined);
    }
  });

  it('the built CLI: --gpu digests equal --cpu; exit 3 without a Vulkan driver', () => {
    const file = corpusPath('compressed/fpack/rice_int32_tiles.fits.fz');
    const env = { ...process.env };
    const gpu = execFileSync(process.execPath, [join(dist, 'cli.js'), 'digest', file, '--gpu'], { env, encoding: 'utf8' });
    const cpu = execFileSync(process.execPath, [join(dist, 'cli.js'), 'digest', file, '--cpu'], { env, encoding: 'utf8' });
    expect(gpu).toBe(cpu);
    const none = spawnSync(process.execPath, [join(dist, 'cli.js'), 'digest', file, '--gpu'], { env: { ...env, VK_ICD_FILENAMES: '/nonexistent/icd.json' }, encoding: 'utf8' });
    expect(none.status).toBe(3);
  });
});

describe.skipIf(haveGpu)('fitsflow digest --gpu', () => {
  it(`skipped: ${noGpuReason}`, () => {});
});
