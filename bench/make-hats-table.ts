/**
 * Writes the HATS bench table: N rows of a mock catalog — ID (K), RA, DEC (D),
 * MAG_G, MAG_R (E), CLASS (I), FLAGS (J) — positions uniform on the sphere
 * plus 30% of the rows in 20 dense clusters (so partitions split to several
 * orders). Streamed to the file with bounded memory.
 *
 *   node make-hats-table.mjs OUT.fits [ROWS] [SEED]
 */
import { createFitsWriter } from '../src/node/create-writer.js';

/** mulberry32 → uniform [0, 1) with 53 random bits (two draws); deterministic. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
  return () => (next() * 2097152 + (next() >>> 11)) / 9007199254740992;
}

/** Write `rows` rows to `path` (chunks of 1M rows). */
export async function makeHatsTable(path: string, rows: number, seed = 1): Promise<void> {
  const u = rng(seed);
  const clusters = Array.from({ length: 20 }, () => ({ ra: u() * 360, dec: (Math.asin(2 * u() - 1) * 180) / Math.PI, r: 0.2 + u() * 2 }));
  const w = await createFitsWriter(path, { fsync: false });
  const schema = [
    { name: 'ID', format: 'K' }, { name: 'RA', format: 'D', unit: 'deg' }, { name: 'DEC', format: 'D', unit: 'deg' },
    { name: 'MAG_G', format: 'E', unit: 'mag' }, { name: 'MAG_R', format: 'E', unit: 'mag' }, { name: 'CLASS', format: 'I' }, { name: 'FLAGS', format: 'J' },
  ];
  const CHUNK = 1 << 20;
  async function* chunks() {
    for (let start = 0; start < rows; start += CHUNK) {
      const n = Math.min(CHUNK, rows - start);
      const id = new BigInt64Array(n);
      const ra = new Float64Array(n);
      const dec = new Float64Array(n);
      const g = new Float32Array(n);
      const r = new Float32Array(n);
      const cls = new Int16Array(n);
      const flags = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        id[i] = BigInt(start + i) * 7919n + 1n;
        if (u() < 0.3) {
          const c = clusters[Math.floor(u() * clusters.length)]!;
          const rho = c.r * Math.sqrt(u());
          const az = u() * 2 * Math.PI;
          dec[i] = Math.max(-90, Math.min(90, c.dec + rho * Math.sin(az)));
          ra[i] = (((c.ra + (rho * Math.cos(az)) / Math.max(0.05, Math.cos((c.dec * Math.PI) / 180))) % 360) + 360) % 360;
        } else {
          ra[i] = u() * 360;
          dec[i] = (Math.asin(2 * u() - 1) * 180) / Math.PI;
        }
        g[i] = 14 + u() * 8;
        r[i] = g[i]! - 0.5 + u();
        cls[i] = Math.floor(u() * 5);
        flags[i] = Math.floor(u() * 1024);
      }
      yield { ID: id, RA: ra, DEC: dec, MAG_G: g, MAG_R: r, CLASS: cls, FLAGS: flags };
    }
  }
  await w.addTableStream(schema, chunks(), { extname: 'CATALOG' });
  await w.close();
}

if (process.argv[1] && /make-hats-table/.test(process.argv[1])) {
  const [out, rows = '10000000', seed = '1'] = process.argv.slice(2);
  if (!out) {
    console.error('usage: node make-hats-table.mjs OUT.fits [ROWS] [SEED]');
    process.exit(2);
  }
  const t0 = performance.now();
  await makeHatsTable(out, Number(rows), Number(seed));
  console.log(`${out}: ${rows} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
