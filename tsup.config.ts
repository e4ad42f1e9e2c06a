import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'index.node': 'src/index.node.ts',
    cli: 'src/cli/bin.ts',
    // Worker scripts, found at run time next to the pool modules:
    // new URL('./decode-worker-node.js', import.meta.url) (worker_threads) and
    // new URL('./decode-worker.js', import.meta.url) (Web Workers).
    'decode-worker-node': 'src/node/decode-worker.ts',
    'decode-worker': 'src/web/decode-worker.ts',
    // Tile encoding for compressed writes (src/node/encode-pool.ts).
    'encode-worker-node': 'src/node/encode-worker.ts',
  },
  format: ['esm'],
  target: 'es2022',
  dts: { entry: { index: 'src/index.ts', 'index.node': 'src/index.node.ts' } },
  sourcemap: true,
  clean: true,
  splitting: true,
  external: ['webgpu', 'apache-arrow'],
});
