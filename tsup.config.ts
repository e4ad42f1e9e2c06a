import { defineConfig } from 'tsup';

/** The package's entry points (package.json `exports` maps them per runtime). */
const libraryEntries = {
  index: 'src/entries/index.ts', // fitsflow (browsers, workers, edge functions)
  node: 'src/entries/node.ts', // fitsflow (Node, Bun, Deno)
  write: 'src/entries/write.ts',
  'write-node': 'src/entries/write-node.ts',
  remote: 'src/entries/remote.ts',
  'remote-node': 'src/entries/remote-node.ts',
  gpu: 'src/entries/gpu.ts',
  arrow: 'src/entries/arrow.ts',
};

/** The Web Worker script, kept out of the library build (see below). */
const webWorkerFiles = ['decode-worker.js', 'decode-worker.js.map'];

export default defineConfig([
  {
    entry: {
      ...libraryEntries,
      cli: 'src/cli/bin.ts',
      // Worker scripts, found at run time next to the pool modules:
      // new URL('./decode-worker-node.js', import.meta.url) (worker_threads),
      // new URL('./encode-worker-node.js', import.meta.url) (tile compression, src/node/encode-pool.ts).
      'decode-worker-node': 'src/node/decode-worker.ts',
      'encode-worker-node': 'src/node/encode-worker.ts',
    },
    format: ['esm'],
    target: 'es2022',
    // decode-worker too: a declaration (`export {}`) so that `fitsflow/decode-worker` resolves with types.
    dts: { entry: { ...libraryEntries, 'decode-worker': 'src/web/decode-worker.ts' } },
    sourcemap: true,
    clean: webWorkerFiles.map((f) => `!${f}`), // everything but what the second build writes
    splitting: true,
    external: ['webgpu', 'apache-arrow'],
  },
  {
    // The Web Worker script (fitsflow/decode-worker; found at run time as
    // new URL('./decode-worker.js', import.meta.url)) is one self-contained
    // file, pako included: bundlers copy or inline it as an asset (Vite turns
    // that `new URL` into a file or a data: URL of its own), where imports of
    // shared chunks or bare packages would not resolve.
    entry: { 'decode-worker': 'src/web/decode-worker.ts' },
    format: ['esm'],
    target: 'es2022',
    sourcemap: true,
    clean: false,
    splitting: false,
    noExternal: [/.*/],
  },
]);
