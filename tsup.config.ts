import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'index.node': 'src/index.node.ts', cli: 'src/cli.ts' },
  format: ['esm'],
  target: 'es2022',
  dts: { entry: { index: 'src/index.ts', 'index.node': 'src/index.node.ts' } },
  sourcemap: true,
  clean: true,
  splitting: true,
  external: ['webgpu', 'apache-arrow'],
});
