/** Helpers for the table-reading tests: the corpus location and column slicing. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { cellSize, isValid, type Column } from '../../src/table/column.js';
import { corpusDir, sharedCorpusDir, type Manifest } from '../helpers/corpus.js';
import { loadManifest } from '../helpers/corpus.js';

/** The corpus: the repo's copy (test/corpus) if present, else ../shared/corpus. */
export const tableCorpusDir = existsSync(join(corpusDir, 'manifest.json')) ? corpusDir : sharedCorpusDir;
export const tableManifest: Manifest = loadManifest(tableCorpusDir);
export const tableCorpusPath = (rel: string): string => join(tableCorpusDir, rel);

/** Element range and rebased offsets of rows `start .. start + count - 1` of a column. */
function rowSpan(c: Column, start: number, count: number): { from: number; to: number; offsets?: number[] } {
  if (c.offsets) {
    const from = Number(c.offsets[start]);
    return { from, to: Number(c.offsets[start + count]), offsets: Array.from(c.offsets.slice(start, start + count + 1), (o) => Number(o) - from) };
  }
  const per = cellSize(c);
  return { from: start * per, to: (start + count) * per };
}

/** Expect `part` (a read of rows start..start+count-1) to equal those rows of `whole`. */
export function expectSameRows(part: Column, whole: Column, start: number, count: number): void {
  expect(part.name).toBe(whole.name);
  expect(part.dtype).toBe(whole.dtype);
  expect(part.cellShape).toEqual(whole.cellShape);
  expect(part.length).toBe(count);
  const a = rowSpan(part, 0, count);
  const b = rowSpan(whole, start, count);
  expect(a.offsets).toEqual(b.offsets);
  expect(a.to - a.from).toBe(b.to - b.from);
  const k = part.dtype === 'complex64' || part.dtype === 'complex128' ? 2 : 1;
  const x = part.data as ArrayLike<unknown>, y = whole.data as ArrayLike<unknown>;
  for (let i = 0; i < (a.to - a.from) * k; i++) {
    const u = x[a.from * k + i], v = y[b.from * k + i];
    if (!(Object.is(u, v) || (Number.isNaN(u) && Number.isNaN(v)))) expect(`${part.name}[${i}] = ${String(u)}`).toBe(`${part.name}[${i}] = ${String(v)}`);
  }
  if (part.validity || whole.validity) {
    for (let i = 0; i < a.to - a.from; i++) {
      if (isValid(part, a.from + i) !== isValid(whole, b.from + i)) expect(`${part.name} valid ${i}: ${isValid(part, a.from + i)}`).toBe(`${part.name} valid ${i}: ${isValid(whole, b.from + i)}`);
    }
  }
}
