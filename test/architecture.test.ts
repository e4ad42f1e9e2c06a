/**
 * The layout ARCHITECTURE.md describes, held against the code: every import
 * between folders runs down the layer list (so there is no cycle between
 * folders), and every piece of module-level state is listed in its table.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/corpus.js';

const src = join(repoRoot, 'src');
const doc = readFileSync(join(repoRoot, 'ARCHITECTURE.md'), 'utf8');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** The folder a file belongs to, as the layer list names folders. */
function folderOf(file: string): string {
  const parts = relative(src, file).split(sep);
  if (parts[0] === 'table' && parts.length > 2) return `table/${parts[1]}`;
  return parts.length > 1 ? parts[0]! : '(src)';
}

const layers = (/```layers\n([\s\S]*?)```/.exec(doc)?.[1] ?? '').trim().split('\n').map((l) => l.trim().split(/\s+/));
const level = new Map(layers.flatMap((names, i) => names.map((n) => [n, i] as const)));
const files = sourceFiles(src);

describe('ARCHITECTURE.md holds', () => {
  it('lists every folder of src/ in its layers', () => {
    expect(layers.length).toBeGreaterThan(5);
    const folders = [...new Set(files.map(folderOf))].sort();
    expect(folders.filter((f) => !level.has(f))).toEqual([]);
  });

  it('every import between folders runs down the layers', () => {
    const upward: string[] = [];
    for (const f of files) {
      const from = folderOf(f);
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
        const target = resolve(dirname(f), m[1]!);
        const to = folderOf(target);
        if (to === from) continue;
        if (!(level.get(to)! < level.get(from)!)) upward.push(`${relative(repoRoot, f)} imports ${m[1]} (${from} → ${to})`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('every module-level let, Map, Set and WeakMap is listed under "Module state"', () => {
    const table = doc.slice(doc.indexOf('## Module state'));
    const unlisted: string[] = [];
    for (const f of files) {
      const rel = relative(repoRoot, f).split(sep).join('/');
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/^(?:export )?(?:let (\w+)|const (\w+) = new (?:Map|Set|WeakMap)\b)/gm)) {
        const name = m[1] ?? m[2]!;
        if (m[2] && /^[A-Z_]+$/.test(name)) continue; // constant tables: KEYWORDS = new Set([...])
        const rows = table.split('\n').filter((l) => l.includes(rel));
        if (!rows.some((row) => new RegExp(`${rel.split('/').pop()!.replace('.', '\\.')}: [^|]*\\b${name}\\b`).test(row))) unlisted.push(`${rel}: ${name}`);
      }
    }
    expect(unlisted).toEqual([]);
  });
});
