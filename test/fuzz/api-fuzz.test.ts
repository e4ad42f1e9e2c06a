/**
 * The API fuzz of issue #20, run by CI with a fresh seed each time: a few
 * hundred mutated corpus files (test/fuzz/mutate.ts), every read path
 * (test/fuzz/api-fuzz-child.ts) in a child process with a 2 GB heap limit.
 * Counts: no exception other than FitsError, no hang (a file that takes more
 * than 60 s), and the peak RSS grows by no more than a small multiple of the
 * file's declared sizes. Reproduce a failure with FITSFLOW_FUZZ_SEED (and
 * FITSFLOW_FUZZ_FILES); the seed is printed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { buildChildScript } from '../helpers/child-script.js';
import { corpusDir, loadManifest, repoRoot } from '../helpers/corpus.js';
import { toolAvailable } from '../helpers/require-tool.js';

const PYTHON = '/usr/bin/python3';
function haveFitsio(): boolean {
  try {
    return existsSync(PYTHON) && (execFileSync(PYTHON, ['-c', 'import fitsio'], { stdio: 'ignore' }), true);
  } catch {
    return false;
  }
}
/** CFITSIO's primary-image pixels (scaled; NaN as null, ±inf as strings) and BLANK positions of each file, or null where it refuses the file. */
const READ_WITH_CFITSIO = `
import sys, json, math, fitsio, numpy as np
out = []
for p in sys.argv[1:]:
    try:
        d = np.asarray(fitsio.read(p, ext=0)).ravel()
        vals = [None if isinstance(x, float) and math.isnan(x) else ('inf' if x > 0 else '-inf') if isinstance(x, float) and math.isinf(x) else x for x in d.tolist()]
        meta = json.load(open(p[:-5] + '.json'))
        blanks = []
        if meta['blank'] is not None and meta['bitpix'] > 0:
            # CFITSIO's null checking: the raw pixels equal to BLANK.
            o = fitsio.FITS(p)[0].get_offsets()
            dt = {8: 'u1', 16: '>i2', 32: '>i4', 64: '>i8'}[meta['bitpix']]
            raw = np.frombuffer(open(p, 'rb').read()[o['data_start']:], dtype=dt, count=len(vals))
            blanks = np.nonzero(raw == meta['blank'])[0].tolist()
        out.append({'values': vals, 'blanks': blanks})
    except Exception:
        out.append(None)
print(json.dumps(out))
`;

const seed = Number(process.env.FITSFLOW_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const files = Number(process.env.FITSFLOW_FUZZ_FILES ?? 300);
const STALL_MS = 60_000;
/** Peak RSS growth allowed for one file: this many times its bytes and declared sizes, plus a fixed slack. */
const RSS_FACTOR = 16;
const RSS_SLACK = 256 * 2 ** 20;

const dir = mkdtempSync(join(tmpdir(), 'fitsflow-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Line { i: number; file: string; outcome: string; message: string; grew: number; bytes: number; declared: number }

describe('API fuzz (#20)', () => {
  it(`${files} mutated corpus files, seed ${seed}: only FitsErrors, no hang, bounded memory`, async () => {
    console.log(`API fuzz: seed ${seed}, ${files} files (FITSFLOW_FUZZ_SEED=${seed} reproduces)`);
    const script = join(dir, 'child.mjs');
    await buildChildScript(readFileSync(join(repoRoot, 'test/fuzz/api-fuzz-child.ts'), 'utf8'), join(repoRoot, 'test/fuzz'), script);
    const list = loadManifest().files.map((f) => f.path).filter((p) => !p.includes('bintable_big'));
    const keep = join(dir, 'lenient');
    mkdirSync(keep);
    const child = spawn(process.execPath, ['--max-old-space-size=2048', script, String(seed), String(files), corpusDir, JSON.stringify(list), keep], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const lines: Line[] = [];
    let stalled = false;
    let timer = setTimeout(() => { stalled = true; child.kill('SIGKILL'); }, STALL_MS);
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    for await (const text of createInterface({ input: child.stdout })) {
      clearTimeout(timer);
      timer = setTimeout(() => { stalled = true; child.kill('SIGKILL'); }, STALL_MS);
      lines.push(JSON.parse(text) as Line);
    }
    clearTimeout(timer);
    const code = await exited;
    const outcomes: Record<string, number> = {};
    for (const l of lines) outcomes[l.outcome] = (outcomes[l.outcome] ?? 0) + 1;
    const maxGrew = Math.max(0, ...lines.map((l) => l.grew));
    console.log(`API fuzz: ${JSON.stringify(outcomes)}; largest peak-RSS growth for one file ${(maxGrew / 2 ** 20).toFixed(1)} MiB`);
    expect(stalled, `file ${lines.length} (seed ${seed}) took more than ${STALL_MS / 1000} s`).toBe(false);
    expect(code, `the child died after ${lines.length} files (seed ${seed}): ${stderr.slice(-2000)}`).toBe(0);
    expect(lines.length).toBe(files);
    const exceptions = lines.filter((l) => l.outcome === 'EXCEPTION');
    expect(exceptions.map((l) => `#${l.i} ${l.file}: ${l.message}`), `seed ${seed}`).toEqual([]);
    const greedy = lines.filter((l) => l.grew > RSS_FACTOR * (l.bytes + l.declared) + RSS_SLACK);
    // Where astropy refuses a card and CFITSIO reads it, fitsflow's pixels are CFITSIO's.
    const kept = readdirSync(keep).filter((n) => n.endsWith('.fits'));
    if (kept.length > 0 && toolAvailable('fitsio', haveFitsio(), 'the CFITSIO comparison of the fuzz')) {
      type Pixel = number | string | null;
      const ref = JSON.parse(execFileSync(PYTHON, ['-c', READ_WITH_CFITSIO, ...kept.map((n) => join(keep, n))], { encoding: 'utf8', maxBuffer: 1 << 28 })) as ({ values: Pixel[]; blanks: number[] } | null)[];
      const same = (a: Pixel, b: Pixel) => a === b || (typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)));
      const differ = kept.filter((n, k) => {
        const want = ref[k];
        if (!want) return false; // CFITSIO refuses it too
        const blanks = new Set(want.blanks);
        const got = (JSON.parse(readFileSync(join(keep, n.replace('.fits', '.json')), 'utf8')) as { values: Pixel[] }).values;
        // A null from fitsflow is a NaN or a BLANK pixel in CFITSIO; every other value is CFITSIO's.
        return got.length !== want.values.length || got.some((v, j) => !same(v, want.values[j]!) && !(v === null && blanks.has(j)));
      });
      console.log(`API fuzz: ${kept.length} files with values only CFITSIO reads; ${differ.length} differ from CFITSIO`);
      expect(differ.map((n) => `#${n} (seed ${seed})`)).toEqual([]);
    }
    expect(greedy.map((l) => `#${l.i} ${l.file}: peak RSS grew ${l.grew} bytes for ${l.bytes} bytes declaring ${l.declared}`), `seed ${seed}`).toEqual([]);
  }, 600_000);
});
