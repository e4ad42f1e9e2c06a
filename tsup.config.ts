import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'index.node': 'src/index.node.ts',
    cli: 'src/cli.ts',
    // The Redis cache: its own entry, so that only its users load the Redis client (ioredis).
    redis: 'src/cache/redis-store.ts',
    // Worker scripts, found at run time next to the pool modules:
    // new URL('./decode-worker-node.js', import.meta.url) (worker_threads) and
    // new URL('./decode-worker.js', import.meta.url) (Web Workers).
    'decode-worker-node': 'src/workers/decode-worker-node.ts',
    'decode-worker': 'src/workers/decode-worker-web.ts',
    // Tile encoding for compressed writes (src/write/encode-pool-node.ts).
    'encode-worker-node': 'src/write/encode-worker-node.ts',
  },
  format: ['esm'],
  target: 'es2022',
  dts: { entry: { index: 'src/index.ts', 'index.node': 'src/index.node.ts', redis: 'src/cache/redis-store.ts' } },
  sourcemap: true,
  clean: true,
  splitting: true,
  external: ['webgpu', 'apache-arrow'],
});
