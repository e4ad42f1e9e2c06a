/**
 * The code blocks of the documentation (README.md and docs/**.md): found by
 * their fences, with the language and the flags after it.
 *
 * Fence info strings:
 * - ```ts, ```js (also typescript, javascript): a complete program, run with Node
 *   in a project that installed the packed package (TypeScript is type-checked,
 *   then its types are stripped by esbuild);
 * - ```sh (also bash, shell): run with bash -e, the package's `fitsflow` on PATH;
 * - `skip-run: REASON` after the language: not run (the reason is required);
 * - `file=PATH` after the language: the block must be the file PATH of the
 *   repository, which a test elsewhere runs (examples/);
 * - any other language (text, json, html, toml): not run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface DocBlock {
  /** Path of the Markdown file, relative to the repository. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The heading the block is under. */
  heading: string;
  lang: string;
  /** What runs it: node (ts/js), bash (sh), or nothing. */
  runner: 'node' | 'bash' | null;
  typescript: boolean;
  /** `skip-run: REASON` */
  skip: string | null;
  /** `file=PATH` */
  sameAs: string | null;
  code: string;
}

const NODE_LANGS: Record<string, boolean> = { ts: true, typescript: true, js: false, javascript: false };
const BASH_LANGS = new Set(['sh', 'bash', 'shell']);

/** The Markdown files whose blocks are checked: README.md and everything under docs/. */
export function docFiles(repoRoot: string): string[] {
  const out = ['README.md'];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.md')) out.push(relative(repoRoot, p));
    }
  };
  walk(join(repoRoot, 'docs'));
  return out;
}

/** Every fenced block of one Markdown file; a fence without a language is an error (say `text` for output). */
export function blocksOf(repoRoot: string, file: string): DocBlock[] {
  const lines = readFileSync(join(repoRoot, file), 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  let heading = '(top)';
  for (let i = 0; i < lines.length; i++) {
    const fence = /^(`{3,}|~{3,})(.*)$/.exec(lines[i]!);
    if (!fence) {
      const h = /^#{1,6}\s+(.*)$/.exec(lines[i]!);
      if (h) heading = h[1]!.trim();
      continue;
    }
    const close = fence[1]!;
    const info = fence[2]!.trim();
    let end = i + 1;
    while (end < lines.length && !lines[end]!.startsWith(close)) end++;
    if (end >= lines.length) throw new Error(`${file}:${i + 1}: a code block is not closed`);
    if (!info) throw new Error(`${file}:${i + 1}: a code block has no language (use \`text\` for output)`);
    const lang = info.split(/\s+/)[0]!.toLowerCase();
    const rest = info.slice(lang.length).trim();
    const skip = /^skip-run(?::\s*(.*))?$/.exec(rest);
    if (skip && !skip[1]?.trim()) throw new Error(`${file}:${i + 1}: skip-run needs a reason (\`skip-run: why\`)`);
    const sameAs = /^file=(\S+)$/.exec(rest);
    if (rest && !skip && !sameAs) throw new Error(`${file}:${i + 1}: unknown flags "${rest}" after the language`);
    const runner = lang in NODE_LANGS ? 'node' : BASH_LANGS.has(lang) ? 'bash' : null;
    blocks.push({
      file,
      line: i + 1,
      heading,
      lang,
      runner,
      typescript: NODE_LANGS[lang] === true,
      skip: skip ? skip[1]!.trim() : null,
      sameAs: sameAs ? sameAs[1]! : null,
      code: lines.slice(i + 1, end).join('\n'),
    });
    i = end;
  }
  return blocks;
}

/** A short name for a block: file:line (heading). */
export function blockName(b: DocBlock): string {
  return `${b.file}:${b.line} (${b.heading})`;
}
