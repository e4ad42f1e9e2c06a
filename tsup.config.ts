import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

/**
 * The package is built twice (package.json `exports` picks per runtime):
 * - dist/*.js (here): Node, Bun and Deno load these bundles — a few files, so
 *   `import 'fitsflow'` is quick to load;
 * - dist/esm/ (tsc -p tsconfig.build.json): one module per source file, with
 *   the declarations, for browsers' and edge functions' bundlers, which then
 *   keep only the modules a page uses.
 * Both come from the same sources; one runtime loads one of them.
 */
export default defineConfig([
  {
    entry: {
      node: 'src/entries/node.ts',
      'write-node': 'src/entries/write-node.ts',
      'remote-node': 'src/entries/remote-node.ts',
      'table-node': 'src/entries/table.ts',
      'render-node': 'src/entries/render.ts',
      'wcs-node': 'src/entries/wcs.ts',
      // Tables as Parquet, Arrow IPC and CSV, HATS and HEALPix: only its users load hyparquet.
      'convert-node': 'src/entries/convert-node.ts',
      // The Redis cache: its own entry, so only its users load the Redis client (ioredis).
      redis: 'src/entries/redis.ts',
      'gpu-node': 'src/entries/gpu.ts',
      'arrow-node': 'src/entries/arrow.ts',
      cli: 'src/cli/bin.ts',
      // Worker scripts, found at run time next to the pool modules:
      // new URL('./decode-worker-node.js', import.meta.url) (worker_threads; src/node/worker-pool.ts),
      // new URL('./encode-worker-node.js', import.meta.url) (tile compression; src/node/encode-pool.ts).
      'decode-worker-node': 'src/node/decode-worker.ts',
      'encode-worker-node': 'src/node/encode-worker.ts',
    },
    format: ['esm'],
    target: 'es2022',
    platform: 'node',
    dts: false,
    sourcemap: false,
    clean: true,
    splitting: true,
    external: ['webgpu', 'apache-arrow'],
    define: { __FITSFLOW_VERSION__: JSON.stringify(version) },
    // esbuild's code splitting keeps module evaluation order with bare imports of
    // chunks (`import "./chunk-X.js";`). fitsflow's modules do nothing when
    // evaluated (no install-on-import), so those imports only cost Node a module
    // load each: drop them. Chunks whose bindings are used are still imported by name.
    onSuccess: async () => {
      for (const f of readdirSync('dist')) {
        if (!f.endsWith('.js')) continue;
        const path = `dist/${f}`;
        const text = readFileSync(path, 'utf8');
        const stripped = text.replace(/^import "\.\/chunk-[A-Z0-9]+\.js";\n/gm, '');
        if (stripped !== text) writeFileSync(path, stripped);
      }
    },
  },
  {
    // The Web Worker script as one self-contained file (`fitsflow/decode-worker`),
    // for bundlers and pages to load with `new Worker(url, { type: 'module' })`.
    entry: { 'decode-worker': 'src/web/decode-worker.ts' },
    format: ['esm'],
    target: 'es2022',
    platform: 'browser',
    dts: false,
    sourcemap: false,
    clean: false,
    splitting: false,
    noExternal: [/.*/],
  },
]);
