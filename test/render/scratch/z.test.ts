import { readFileSync } from 'node:fs';
import { it } from 'vitest';
import { zscaleLimits } from '../../../src/render/interval.js';
it('z', () => {
  const meta = JSON.parse(readFileSync('/tmp/render/arrs.json', 'utf8'));
  const buf = readFileSync('/tmp/render/arrs.bin');
  const all = new Float64Array(buf.buffer, buf.byteOffset, buf.length / 8);
  let off = 0, bad = 0;
  meta.forEach((m: any, i: number) => {
    const a = all.subarray(off, off + m.n); off += m.n;
    const r = zscaleLimits(a);
    const ok = Math.abs(r.min - m.min) <= 1e-9 * Math.abs(m.min) + 1e-12 && Math.abs(r.max - m.max) <= 1e-9 * Math.abs(m.max) + 1e-12;
    if (!ok) { bad++; if (bad < 10) console.log(i, m.n, r, m); }
  });
  console.log('bad', bad, 'of', meta.length, 'degenerate', (globalThis as any).__degen);
});
