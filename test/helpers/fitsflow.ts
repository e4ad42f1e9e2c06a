/**
 * The whole public API of the Node entries, from the sources, for tests:
 * `fitsflow`, `fitsflow/write`, `fitsflow/remote`, `fitsflow/gpu`,
 * `fitsflow/arrow`, `fitsflow/table`, `fitsflow/redis`, `fitsflow/render`, `fitsflow/convert`, `fitsflow/wcs` as Node resolves them. (Tests of the packed package
 * import the package itself: test/package/.)
 */
export * from '../../src/entries/node.js';
export * from '../../src/entries/write-node.js';
export * from '../../src/entries/remote-node.js';
export * from '../../src/entries/gpu.js';
export * from '../../src/entries/arrow.js';
export * from '../../src/entries/table.js';
export * from '../../src/entries/redis.js';
export * from '../../src/entries/render.js';
export * from '../../src/entries/convert-node.js';
export * from '../../src/entries/wcs.js';
