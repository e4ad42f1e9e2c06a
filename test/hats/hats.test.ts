/**
 * HATS import and cone search, checked with independent tools: DuckDB reads
 * every partition (hive paths Norder/Dir/Npix), healpy computes the reference
 * _healpix_29 and the skymap counts, astropy reads skymap.fits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parquetMetadata } from 'hyparquet';
import { makeHatsTable } from '../../bench/make-hats-table.js';
import { importHats, HEALPIX_COLUMN } from '../../src/hats/import.js';
import { nodeHatsIo, openHatsNode } from '../../src/node/hats.js';
import { coneSearch, partitionsInDisc } from '../../src/hats/cone.js';
import { parsePartitionInfo, parseProperties, partitionPath, type HatsPixel } from '../../src/hats/layout.js';
import { adaptivePartitions } from '../../src/hats/partition.js';
import { angularDistance } from '../../src/entries/convert.js';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/command.js';
import { open } from '../helpers/fitsflow.js';
import { itWithPython, python, readInt64, tempDir, writeFloat64 } from '../healpix/python-ref.js';
import { duckdb, sqlString } from '../convert/helpers.js';

const ROWS = 60_000;
const MAX_ROWS = 4_000;
let dir: string;
let input: string;
let catalog: string;
let spilledCatalog: string;
let spilledPieces = 0;

/** Input rows (ID, RA, DEC) in ID order. */
let ids: bigint[] = [];
let ras: Float64Array;
let decs: Float64Array;

beforeAll(async () => {
  dir = tempDir('fitsflow-hats-');
  input = join(dir, 'input.fits');
  await makeHatsTable(input, ROWS, 7);
  const f = await open(input);
  const t = await (await f.hdu(1)).readTable({ columns: ['ID', 'RA', 'DEC'] });
  await f.close();
  ids = Array.from(t.column('ID').data as BigInt64Array);
  ras = t.column('RA').data as Float64Array;
  decs = t.column('DEC').data as Float64Array;
  catalog = join(dir, 'cat');
  await importHats([input], catalog, nodeHatsIo(), { ra: 'RA', dec: 'DEC', maxRows: MAX_ROWS, catalogName: 'mock' });
  // The same import with a tiny memory budget: pieces spill to temporary files.
  spilledCatalog = join(dir, 'cat-spilled');
  const r = await importHats([input], spilledCatalog, nodeHatsIo({ spillDir: dir }), { ra: 'RA', dec: 'DEC', maxRows: MAX_ROWS, memoryBytes: 200_000, batchRows: 5000 });
  spilledPieces = r.spilledPieces;
}, 120_000);

function files(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(root, p));
    }
  };
  walk(root);
  return out.sort();
}

describe('HATS import', () => {
  it('writes the HATS layout: properties, partition_info.csv, skymap, _metadata, one file per partition', () => {
    const props = parseProperties(readFileSync(join(catalog, 'hats.properties'), 'utf8'));
    expect(props.get('obs_collection')).toBe('mock');
    expect(props.get('dataproduct_type')).toBe('object');
    expect(props.get('hats_nrows')).toBe(String(ROWS));
    expect(props.get('hats_col_ra')).toBe('RA');
    expect(props.get('hats_col_dec')).toBe('DEC');
    expect(props.get('hats_col_healpix')).toBe(HEALPIX_COLUMN);
    expect(props.get('hats_col_healpix_order')).toBe('29');
    expect(props.get('hats_max_rows')).toBe(String(MAX_ROWS));
    expect(props.get('hats_version')).toBe('v1.0');
    expect(props.get('hats_skymap_order')).toBe('10');
    expect(readFileSync(join(catalog, 'properties'), 'utf8')).toBe(readFileSync(join(catalog, 'hats.properties'), 'utf8'));
    const parts = parsePartitionInfo(readFileSync(join(catalog, 'partition_info.csv'), 'utf8'));
    expect(new Set(parts.map((p) => p.order)).size, 'adaptive: several orders').toBeGreaterThan(1);
    expect(Number(props.get('hats_order'))).toBe(Math.max(...parts.map((p) => p.order)));
    const leafFiles = files(join(catalog, 'dataset')).filter((f) => f.endsWith('.parquet'));
    expect(leafFiles).toEqual(parts.map((p) => partitionPath(p)).sort());
    for (const p of parts) expect(partitionPath(p)).toBe(`Norder=${p.order}/Dir=${Math.floor(p.pixel / 10000) * 10000}/Npix=${p.pixel}.parquet`);
    expect(existsSync(join(catalog, 'skymap.fits'))).toBe(true);
    // _metadata: every partition's row group, with its file path; _common_metadata: the schema only.
    const md = parquetMetadata(bufferOf(join(catalog, 'dataset/_metadata')));
    expect(Number(md.num_rows)).toBe(ROWS);
    expect(md.row_groups.map((g) => g.columns[0]!.file_path).sort()).toEqual(leafFiles);
    expect(md.schema[1]!.name).toBe(HEALPIX_COLUMN);
    const common = parquetMetadata(bufferOf(join(catalog, 'dataset/_common_metadata')));
    expect(common.row_groups.length).toBe(0);
    expect(common.schema).toEqual(md.schema);
  });

  it('puts every row in exactly one partition, at most max-rows each, sorted by _healpix_29 (read by DuckDB)', async () => {
    const db = await duckdb();
    const glob = sqlString(join(catalog, 'dataset/**/*.parquet'));
    const rows = (await db.all(`select "ID"::varchar as id, ${HEALPIX_COLUMN}::varchar as h, "Norder" as o, regexp_extract(filename, 'Npix=(\\d+)', 1)::bigint as p, "Dir" as d from read_parquet(${glob}, hive_partitioning = true, file_row_number = true) order by filename, file_row_number`)) as { id: string; h: string; o: number; p: number; d: number }[];
    expect(rows.length).toBe(ROWS);
    expect(new Set(rows.map((r) => r.id)).size).toBe(ROWS);
    expect([...new Set(rows.map((r) => r.id))].sort()).toEqual(ids.map(String).sort());
    const perPartition = new Map<string, bigint[]>();
    for (const r of rows) {
      const h = BigInt(r.h);
      expect(h >> BigInt(2 * (29 - Number(r.o))), `row ${r.id} in Norder=${r.o}/Npix=${r.p}`).toBe(BigInt(r.p));
      expect(Number(r.d)).toBe(Math.floor(Number(r.p) / 10000) * 10000);
      const k = `${r.o}/${r.p}`;
      if (!perPartition.has(k)) perPartition.set(k, []);
      perPartition.get(k)!.push(h);
    }
    for (const [k, hs] of perPartition) {
      expect(hs.length, k).toBeLessThanOrEqual(MAX_ROWS);
      for (let i = 1; i < hs.length; i++) expect(hs[i]! >= hs[i - 1]!, `${k} sorted`).toBe(true);
    }
  });

  itWithPython(['healpy', 'numpy', 'astropy'], '_healpix_29 equals healpy and skymap.fits holds healpy counts at order 10', async () => {
    const db = await duckdb();
    const glob = sqlString(join(catalog, 'dataset/**/*.parquet'));
    const rows = (await db.all(`select "RA" as ra, "DEC" as dec, ${HEALPIX_COLUMN}::varchar as h from read_parquet(${glob}) order by "ID"`)) as { ra: number; dec: number; h: string }[];
    const d = tempDir('fitsflow-hats-ref-');
    writeFloat64(d, { ra: Float64Array.from(rows, (r) => r.ra), dec: Float64Array.from(rows, (r) => r.dec) });
    const out = python(`
import sys, json, numpy as np, healpy as hp
from astropy.io import fits
d, sky = sys.argv[1], sys.argv[2]
ra = np.fromfile(d + '/ra.f64'); dec = np.fromfile(d + '/dec.f64')
hp.ang2pix(2**29, ra, dec, nest=True, lonlat=True).astype(np.int64).tofile(d + '/h29.i64')
counts = np.bincount(hp.ang2pix(2**10, ra, dec, nest=True, lonlat=True), minlength=12 * 4**10)
h = fits.open(sky)[1]
if h.header['INDXSCHM'] == 'EXPLICIT':
    m = np.zeros(12 * 4**10, dtype=np.int64); m[h.data['PIXEL']] = h.data['VALUE']
else:
    m = h.data['VALUE']
print(json.dumps({'same': bool((m == counts).all()), 'scheme': h.header['INDXSCHM'], 'nside': h.header['NSIDE'], 'ordering': h.header['ORDERING'], 'total': int(m.sum())}))
`, d, join(catalog, 'skymap.fits'));
    const ref = readInt64(join(d, 'h29.i64'));
    let bad = 0;
    rows.forEach((r, i) => {
      if (BigInt(r.h) !== ref[i]) bad++;
    });
    expect(bad).toBe(0);
    const sky = JSON.parse(out) as { same: boolean; scheme: string; nside: number; ordering: string; total: number };
    expect(sky).toEqual({ same: true, scheme: 'EXPLICIT', nside: 1024, ordering: 'NESTED', total: ROWS });
  });

  it('spilling to temporary files gives the same catalog', async () => {
    expect(spilledPieces).toBeGreaterThan(0);
    expect(files(spilledCatalog).filter((f) => !f.includes('properties'))).toEqual(files(catalog).filter((f) => !f.includes('properties')));
    for (const f of files(catalog).filter((x) => x.endsWith('.parquet'))) {
      expect(readFileSync(join(spilledCatalog, f)).equals(readFileSync(join(catalog, f))), f).toBe(true);
    }
  });

  it('a fixed order makes every partition at that order; many inputs work as one', async () => {
    const out = join(dir, 'cat-order2');
    const half = join(dir, 'half.parquet');
    // A second input in another format with the same columns: the input converted to Parquet.
    expect(await main(['convert', input, half], silentIo())).toBe(0);
    const r = await importHats([input, half], out, nodeHatsIo(), { ra: 'RA', dec: 'DEC', order: 2 });
    expect(r.rows).toBe(2 * ROWS);
    const parts = parsePartitionInfo(readFileSync(join(out, 'partition_info.csv'), 'utf8'));
    expect(parts.every((p) => p.order === 2)).toBe(true);
    expect(parts.length).toBe(r.partitions.length);
    const db = await duckdb();
    const [{ n }] = (await db.all(`select count(*)::bigint as n from read_parquet(${sqlString(join(out, 'dataset/**/*.parquet'))})`)) as { n: string }[];
    expect(Number(n)).toBe(2 * ROWS);
  });

  it('plans partitions as hats does (histogram sums, threshold, deepest order)', () => {
    const h = new Float64Array(12 * 4 ** 2);
    h[0] = 5; h[1] = 5; h[2] = 1; // pixel 0 at order 1 holds 11
    h[16 * 3] = 3; // face 3
    const plan = adaptivePartitions(h, 2, 10);
    expect(plan.partitions).toEqual([
      { order: 0, pixel: 3, rows: 3 },
      { order: 2, pixel: 0, rows: 5 },
      { order: 2, pixel: 1, rows: 5 },
      { order: 2, pixel: 2, rows: 1 },
    ]);
    expect(() => adaptivePartitions(h, 2, 4)).toThrow(/raise the histogram order/);
  });
});

describe('HATS cone search', () => {
  const cones = [
    { lon: 10, lat: 20, radius: 3 },
    { lon: 359.5, lat: -5, radius: 2 },
    { lon: 200, lat: 88, radius: 4 },
    { lon: 90, lat: 0, radius: 0.5 },
  ];

  function bruteForce(c: { lon: number; lat: number; radius: number }): string[] {
    const out: string[] = [];
    for (let i = 0; i < ROWS; i++) if (angularDistance(c.lon, c.lat, ras[i]!, decs[i]!) <= c.radius) out.push(String(ids[i]));
    return out.sort();
  }

  it('returns the rows within the radius, reading only partitions that may intersect (local)', async () => {
    const cat = await openHatsNode(catalog);
    for (const c of cones) {
      const read: HatsPixel[] = [];
      const { table, partitions } = await coneSearch(cat, c, { columns: ['ID', 'RA', 'DEC'], onPartition: (p) => read.push(p) });
      expect(Array.from(table.column('ID').data as BigInt64Array, String).sort()).toEqual(bruteForce(c));
      expect(read).toEqual(partitions);
      expect(partitions.length).toBeLessThan(cat.partitions.length);
    }
  });

  describe('over HTTP', () => {
    let server: Server;
    let base = '';
    const requests: string[] = [];
    beforeAll(async () => {
      server = createServer((req, res) => {
        const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname);
        requests.push(path);
        const file = join(catalog, path);
        if (!existsSync(file) || statSync(file).isDirectory()) {
          res.writeHead(404).end();
          return;
        }
        const body = readFileSync(file);
        const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
        if (range) {
          const a = Number(range[1]);
          const b = range[2] ? Math.min(Number(range[2]), body.length - 1) : body.length - 1;
          res.writeHead(206, { 'content-range': `bytes ${a}-${b}/${body.length}`, 'content-length': b - a + 1, 'accept-ranges': 'bytes' });
          res.end(body.subarray(a, b + 1));
        } else {
          res.writeHead(200, { 'content-length': body.length, 'accept-ranges': 'bytes' });
          res.end(req.method === 'HEAD' ? undefined : body);
        }
      });
      await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
      const addr = server.address() as { port: number };
      base = `http://127.0.0.1:${addr.port}`;
    });
    afterAll(async () => {
      const { closeHttpConnections } = await import('../helpers/fitsflow.js');
      await closeHttpConnections?.();
      await new Promise((ok) => server.close(ok));
    });

    it('touches only the partitions the cone may intersect', async () => {
      const cat = await openHatsNode(base);
      expect(cat.partitions.length).toBeGreaterThan(5);
      for (const c of cones) {
        requests.length = 0;
        const { table, partitions } = await coneSearch(cat, c, { columns: ['ID'] });
        expect(Array.from(table.column('ID').data as BigInt64Array, String).sort()).toEqual(bruteForce(c));
        const fetched = new Set(requests.filter((p) => p.endsWith('.parquet')).map((p) => p.replace(/^\/dataset\//, '')));
        expect([...fetched].sort()).toEqual(partitions.map((p) => partitionPath(p)).sort());
        expect(partitionsInDisc(cat, c)).toEqual(partitions);
      }
    });
  });
});

describe('hats CLI', () => {
  it('imports, cone-searches, and refuses bad usage with exit code 2', async () => {
    const out = join(dir, 'cli-cat');
    const io = silentIo();
    expect(await main(['hats', input, out, '--ra', 'RA', '--dec', 'DEC', '--max-rows', '8000'], io)).toBe(0);
    expect(io.lines.join('\n')).toMatch(/60000 rows in \d+ partitions/);
    const csv = join(dir, 'cone.csv');
    expect(await main(['hats', '--cone', '10,20,3', out, csv], io)).toBe(0);
    expect(readFileSync(csv, 'utf8').trim().split('\n').length - 1).toBe(bruteForce10());
    expect(await main(['hats', input, join(dir, 'cli-cat-2')], io)).toBe(2);
    // An existing catalog is kept unless --force, and replaced whole with it.
    expect(await main(['hats', input, out, '--ra', 'RA', '--dec', 'DEC'], io)).toBe(2);
    expect(io.lines.at(-1)).toMatch(/exists; pass --force/);
    expect(await main(['hats', input, out, '--ra', 'RA', '--dec', 'DEC', '--order', '1', '--force'], io)).toBe(0);
    expect(parsePartitionInfo(readFileSync(join(out, 'partition_info.csv'), 'utf8')).every((p) => p.order === 1)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.includes('.partial-'))).toEqual([]);
    expect(await main(['hats', input, out, '--ra', 'RA', '--dec', 'DEC', '--max-rows', '5', '--order', '3'], io)).toBe(2);
    expect(await main(['hats', input, join(dir, 'x'), '--ra', 'NOPE', '--dec', 'DEC'], io)).toBe(1);
    expect(await main(['hats', input, join(dir, 'y'), '--ra', 'RA', '--dec', 'DEC', '--max-rows', '10', '--histogram-order', '3'], io)).toBe(1);
  });

  function bruteForce10(): number {
    let n = 0;
    for (let i = 0; i < ROWS; i++) if (angularDistance(10, 20, ras[i]!, decs[i]!) <= 3) n++;
    return n;
  }
});

function bufferOf(path: string): ArrayBuffer {
  const b = readFileSync(path);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer;
}

function silentIo(): CliIo & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (t) => void lines.push(t), err: (t) => void lines.push(t), open: (p) => open(p) };
}
