/**
 * Compressed files read over HTTP: the archive's bytes are fetched by forward
 * range reads only as the reader needs them, and digest like the local file.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestFile, open } from '../helpers/fitsflow.js';
import { corpusPath } from '../helpers/corpus.js';
import { TestServer } from '../remote/server.js';
import { compressWith, hasTool, type Tool } from './tools.js';

const tools: Tool[] = ['gzip', 'bzip2', 'xz', 'zip', 'compress'].filter((t) => hasTool(t as Tool)) as Tool[];
let srv: TestServer;
const original = new Uint8Array(readFileSync(corpusPath('tables/bintable_big.fits')));

beforeAll(async () => {
  srv = await new TestServer().start();
});
afterAll(async () => {
  await srv?.close();
});

describe('compressed files over HTTP', () => {
  for (const tool of tools) {
    it(`${tool}: digests like the local file, reading the archive forward`, async () => {
      const archive = compressWith(tool, original);
      srv.put(`big.fits.${tool}`, archive);
      const f = await open(srv.url(`big.fits.${tool}`));
      const got = await digestFile(f);
      await f.close();
      const want = await digestFile(await open(original));
      expect(got).toEqual(want);
      const gets = srv.requests(`/big.fits.${tool}`, 'GET');
      expect(gets.length).toBeGreaterThan(0);
      expect(srv.bytesSent(`/big.fits.${tool}`)).toBeLessThan(archive.length * 3);
    }, 120_000);
  }
});
