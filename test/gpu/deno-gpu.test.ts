/**
 * Deno: navigator.gpu (Mesa lavapipe on machines without a GPU) decodes Rice, HCOMPRESS, GZIP and PLIO
 * files through the built package (dist/, built by `npm test`), bit for bit
 * as the CPU. Skips, saying why, only when Deno reports no adapter.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/corpus.js';

const deno = join(repoRoot, 'node_modules/.bin/deno');
const dist = process.env.FITSFLOW_DIST ?? join(repoRoot, 'dist');

describe('Deno + WebGPU', () => {
  it('decodes Rice, HCOMPRESS, GZIP and PLIO tiles on the GPU through dist/, equal to the CPU', (ctx) => {
    const env: Record<string, string | undefined> = { ...process.env, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' };
    // Let Deno's own Vulkan loader pick the system driver (lavapipe), not the SwiftShader ICD the Node tests use.
    delete env.VK_ICD_FILENAMES;
    const out = execFileSync(deno, ['run', '--allow-read', '--allow-env', 'test/gpu/deno-rice.mjs', `file://${dist}/`], {
      cwd: repoRoot,
      encoding: 'utf8',
      env,
      timeout: 300_000,
    });
    if (out.includes('deno gpu: no adapter')) {
      console.warn(`Deno GPU test skipped: ${out.trim()}`);
      ctx.skip();
    }
    expect(out).toContain('deno gpu ok');
    console.log(out.trim());
  });
});
