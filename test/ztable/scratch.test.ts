import { it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { writeFile, fitsflowDigest } from '../write/tools.js';
it('smoke', async () => {
  const n = 23;
  const vla = (k: number) => Array.from({ length: n }, (_, i) => new Int32Array(Array.from({ length: (i * 7) % 5 }, (_, j) => i * 100 + j * k)));
  const table = [
    { name: 'L', data: Array.from({ length: n }, (_, i) => i % 3 === 0) },
    { name: 'B', data: new Uint8Array(n).map((_, i) => i * 11) },
    { name: 'I', data: new Int16Array(n).map((_, i) => i * 1000 - 9000) },
    { name: 'J', data: new Int32Array(n).map((_, i) => i * 100000) },
    { name: 'K', data: new BigInt64Array(n).map((_, i) => BigInt(i) * 10000000000n) },
    { name: 'E', data: new Float32Array(n).map((_, i) => i / 3) },
    { name: 'D', data: new Float64Array(n).map((_, i) => i / 7) },
    { name: 'A', data: Array.from({ length: n }, (_, i) => `s${i}`) },
    { name: 'PJ', data: vla(3), format: '1PJ' },
  ];
  await writeFile('/tmp/ztw/plain.fits', (w) => w.addTable(table));
  await writeFile('/tmp/ztw/z.fits', (w) => w.addCompressedTable(table, { tileRows: 5 }));
  execFileSync('sh', ['-c', 'rm -f /tmp/ztw/out.fits; funpack -O /tmp/ztw/out.fits /tmp/ztw/z.fits']);
  const a = (await fitsflowDigest('/tmp/ztw/plain.fits')) as any;
  const b = (await fitsflowDigest('/tmp/ztw/z.fits')) as any;
  const c = (await fitsflowDigest('/tmp/ztw/out.fits')) as any;
  expect(b.hdus[1]).toEqual(a.hdus[1]);
  expect(c.hdus[1].columns).toEqual(a.hdus[1].columns);
});
