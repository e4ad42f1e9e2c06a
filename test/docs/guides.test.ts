/**
 * The guides stay complete as the code grows: the errors guide has a section
 * for every FitsError code (the union in src/core/errors.ts), and README links
 * to every guide and to the examples page. (test/docs/blocks.test.ts runs their
 * code; npm run docs checks their links.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../package/helpers.js';

const read = (p: string) => readFileSync(join(repoRoot, p), 'utf8');

describe('guides', () => {
  it('docs/guides/errors.md has a section for every FitsError code, and none for a code that does not exist', () => {
    const union = /export type FitsErrorCode =([\s\S]*?);/.exec(read('src/core/errors.ts'))![1]!;
    const codes = [...union.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]!).sort();
    expect(codes.length).toBeGreaterThan(10);
    const sections = [...read('docs/guides/errors.md').matchAll(/^### ([A-Z_]+)$/gm)].map((m) => m[1]!).sort();
    expect(sections).toEqual(codes);
  });

  it('README links to every guide and to the examples page', () => {
    const readme = read('README.md');
    const guides = readdirSync(join(repoRoot, 'docs/guides')).filter((f) => f.endsWith('.md'));
    expect(guides.length).toBeGreaterThan(5);
    for (const g of [...guides.map((f) => `docs/guides/${f}`), 'docs/examples.md', 'docs/cli.md']) expect(readme, `README does not link to ${g}`).toContain(`](${g})`);
  });
});
