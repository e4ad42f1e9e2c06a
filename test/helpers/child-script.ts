/**
 * Child-process tests (several processes sharing a cache folder, a later
 * process finding what an earlier one left): bundle a script written inline
 * into one ES module that `node` runs, importing the sources by path.
 */
import { build } from 'esbuild';

/** Bundle `contents` (TypeScript; imports resolved from `resolveDir`) into `outfile`. */
export async function buildChildScript(contents: string, resolveDir: string, outfile: string): Promise<void> {
  await build({
    stdin: { contents, resolveDir, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile,
    logLevel: 'silent',
    external: ['webgpu'],
    // Bundled CommonJS packages (undici) require node: built-ins: give the module a require.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
}
