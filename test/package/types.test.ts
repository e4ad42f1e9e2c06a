/**
 * The packed package's types, as TypeScript consumers see them:
 * - a Node project (module/moduleResolution NodeNext, strict, skipLibCheck
 *   false, `lib` ES2023 without the DOM as @tsconfig/node20, only @types/node
 *   installed besides the tarball) compiles the README's ```ts blocks, taken
 *   from README.md at test time (each block a module of its own, preceded by
 *   what earlier blocks define: fixtures/types/readme-context.json), and
 *   fixtures/types/node-examples.ts; misspelled options do not compile, each
 *   error pointing at the option;
 * - fitsflow/gpu's declarations bring @webgpu/types (a dependency), whose
 *   globals need the DOM library: README blocks using the GPU and
 *   fixtures/types/gpu-examples.ts compile in the same project with `lib`
 *   ES2023 + DOM;
 * - nothing but `fitsflow/arrow` needs apache-arrow (an optional peer); that
 *   entry (README blocks importing it, fixtures/types/arrow-examples.ts)
 *   compiles once it is installed;
 * - a bundler project (moduleResolution Bundler, the DOM library, no
 *   @types/node) compiles the browser entry (fixtures/types/browser-examples.ts)
 *   and the edge example (examples/edge/src/worker.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, makeProject, repoRoot, repoVersion, run, runOk, type Project } from './helpers.js';

const fixtures = join(repoRoot, 'test/package/fixtures/types');
const fixture = (name: string) => readFileSync(join(fixtures, name), 'utf8');

interface ReadmeBlock {
  /** The heading the block is under. */
  heading: string;
  /** 1-based line of the block's first code line in README.md. */
  line: number;
  code: string;
}

/** The README's ```ts / ```typescript blocks, with the heading each is under. */
function readmeTsBlocks(markdown: string): ReadmeBlock[] {
  const blocks: ReadmeBlock[] = [];
  const lines = markdown.split('\n');
  let heading = '(top)';
  for (let i = 0; i < lines.length; i++) {
    const fence = /^(`{3,}|~{3,})\s*(\S*)/.exec(lines[i]!);
    if (!fence) {
      const h = /^#{1,6}\s+(.*)$/.exec(lines[i]!);
      if (h) heading = h[1]!.trim();
      continue;
    }
    const close = fence[1]!;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !lines[end]!.startsWith(close)) end++;
    if (/^(ts|typescript)$/i.test(fence[2]!)) blocks.push({ heading, line: start + 1, code: lines.slice(start, end).join('\n') });
    i = end;
  }
  return blocks;
}

/** Names a block binds at its top level (imports, variables, functions, classes). */
function declaredNames(code: string): Set<string> {
  const names = new Set<string>();
  const bind = (n: ts.BindingName) => {
    if (ts.isIdentifier(n)) names.add(n.text);
    else for (const e of n.elements) if (!ts.isOmittedExpression(e)) bind(e.name);
  };
  for (const st of ts.createSourceFile('block.ts', code, ts.ScriptTarget.ES2022).statements) {
    if (ts.isImportDeclaration(st) && st.importClause) {
      const c = st.importClause;
      if (c.name) names.add(c.name.text);
      if (c.namedBindings && ts.isNamespaceImport(c.namedBindings)) names.add(c.namedBindings.name.text);
      else if (c.namedBindings) for (const e of c.namedBindings.elements) names.add(e.name.text);
    } else if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) bind(d.name);
    else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name) names.add(st.name.text);
  }
  return names;
}

/** The context lines (readme-context.json) for the names a block uses without binding them. */
function prelude(code: string, context: Record<string, string>): string[] {
  const declared = declaredNames(code);
  return Object.entries(context)
    .filter(([name]) => name !== '//' && !declared.has(name) && new RegExp(`(?<![.\\w$])${name}\\b`).test(code))
    .map(([, line]) => line);
}

interface Diagnostic {
  file: string;
  line: number;
  col: number;
  code: string;
  message: string;
}

/** Run tsc on a project's tsconfig; the diagnostics it printed. */
async function tsc(dir: string, tsconfig: string): Promise<{ diagnostics: Diagnostic[]; output: string }> {
  const r = await run(bin('tsc'), ['-p', tsconfig, '--pretty', 'false'], { cwd: dir });
  const output = `${r.stdout}${r.stderr}`;
  const diagnostics: Diagnostic[] = [];
  for (const m of output.matchAll(/^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/gm)) {
    diagnostics.push({ file: m[1]!, line: Number(m[2]), col: Number(m[3]), code: m[4]!, message: m[5]! });
  }
  if (r.code !== 0 && diagnostics.length === 0) throw new Error(`tsc failed without diagnostics:\n${output}`);
  return { diagnostics, output };
}

/** A README block as a consumer file: the block after `preludeLines` lines of context. */
interface ReadmeFile extends ReadmeBlock {
  preludeLines: number;
}

/** A readable list of diagnostics, with the README line of each error in a README block. */
function explain(diags: Diagnostic[], readmeFiles: Map<string, ReadmeFile>): string {
  return diags
    .map((d) => {
      const b = readmeFiles.get(d.file);
      const line = b ? d.line - b.preludeLines : 0;
      const where = !b ? `${d.file}:${d.line}:${d.col}` : line >= 1 ? `README.md line ${b.line + line - 1} (under "${b.heading}")` : `the context of the README block under "${b.heading}" (readme-context.json)`;
      return `${where}: ${d.code} ${d.message}`;
    })
    .join('\n');
}

const nodeCompilerOptions = {
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  target: 'ES2022',
  lib: ['ES2023'], // a Node project: no DOM (as @tsconfig/node20)
  types: ['node'],
  strict: true,
  skipLibCheck: false,
  noEmit: true,
};

let node: Project;
let browser: Project;
const readmeFiles = new Map<string, ReadmeFile>();
/** Consumer files by what they need: nothing more, the DOM library (fitsflow/gpu), apache-arrow. */
const groups = { plain: ['node-examples.ts'], gpu: ['gpu-examples.ts'], arrow: ['arrow-examples.ts'] };
/** The lines of misspelled.ts that must not compile, and the column of the option each misspells. */
const misspelled: { line: number; option: string; col: number }[] = [];
/** A tsconfig of the Node project compiling `files`. */
const nodeTsconfig = (files: string[], lib = nodeCompilerOptions.lib) => JSON.stringify({ compilerOptions: { ...nodeCompilerOptions, lib }, files }, null, 2);

beforeAll(async () => {
  [node, browser] = await Promise.all([
    makeProject('types-node', { dependencies: [`@types/node@${repoVersion('@types/node')}`] }),
    makeProject('types-bundler'),
  ]);
  const blocks = readmeTsBlocks(readFileSync(join(repoRoot, 'README.md'), 'utf8'));
  const context = JSON.parse(fixture('readme-context.json')) as Record<string, string>;
  blocks.forEach((b, i) => {
    const slug = b.heading.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
    const file = `readme/${String(i + 1).padStart(2, '0')}-${slug}.ts`;
    // Each block is a module of its own (top-level await; names may repeat across blocks).
    const lines = prelude(b.code, context);
    node.write(file, [...lines, b.code, 'export {};', ''].join('\n'));
    readmeFiles.set(file, { ...b, preludeLines: lines.length });
    if (/['"]fitsflow\/arrow['"]/.test(b.code)) groups.arrow.push(file);
    else if (/['"]fitsflow\/gpu['"]|navigator\.gpu/.test(b.code)) groups.gpu.push(file);
    else groups.plain.push(file);
  });
  for (const f of ['node-examples.ts', 'gpu-examples.ts', 'arrow-examples.ts']) node.write(f, fixture(f));
  // node-examples.ts again without its @ts-expect-error lines: the line after each must fail at the option the comment names.
  const lines = fixture('node-examples.ts').split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*\/\/ @ts-expect-error `(\w+)`/.exec(lines[i]!);
    if (!m) {
      kept.push(lines[i]!);
      continue;
    }
    const col = new RegExp(`\\b${m[1]}\\s*:`).exec(lines[i + 1]!)?.index;
    if (col === undefined) throw new Error(`node-examples.ts line ${i + 2} does not set the option \`${m[1]}\` its comment names`);
    misspelled.push({ line: kept.length + 1, option: m[1]!, col: col + 1 });
  }
  node.write('misspelled.ts', kept.join('\n'));
  // One compilation for the plain group and misspelled.ts (whose errors are told apart by file).
  node.write('tsconfig.json', nodeTsconfig([...groups.plain, 'misspelled.ts']));
  node.write('tsconfig.gpu.json', nodeTsconfig(groups.gpu, [...nodeCompilerOptions.lib, 'DOM']));
}, 180_000);

afterAll(() => {
  node?.cleanup();
  browser?.cleanup();
});

let plainRun: Promise<Diagnostic[]> | null = null;
/** The Node project's compilation without the DOM (run once, shared by two tests). */
const compilePlain = () => (plainRun ??= tsc(node.dir, 'tsconfig.json').then((r) => r.diagnostics));

/** The declaration files `entry` reaches through relative imports (paths relative to `root`). */
function declarationGraph(root: string, entry: string): string[] {
  const seen = new Set<string>();
  const walk = (rel: string): void => {
    if (seen.has(rel)) return;
    seen.add(rel);
    const text = readFileSync(join(root, rel), 'utf8');
    for (const m of text.matchAll(/(?:from|import\()\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = join(dirname(rel), m[1]!.replace(/\.js$/, '.d.ts'));
      walk(target);
    }
  };
  walk(entry);
  return [...seen];
}

describe('TypeScript consumers of the packed tarball', () => {
  it('README.md has TypeScript examples to check', () => {
    expect(readmeFiles.size, 'no ```ts blocks found in README.md').toBeGreaterThan(0);
  });

  it('NodeNext, strict, skipLibCheck false, no DOM, @types/node only: the README examples and node-examples.ts compile', async () => {
    const diagnostics = (await compilePlain()).filter((d) => d.file !== 'misspelled.ts');
    expect(explain(diagnostics, readmeFiles)).toBe('');
  });

  it('misspelled or mistyped options do not compile, each error pointing at the option', async () => {
    expect(misspelled.length).toBeGreaterThanOrEqual(4);
    const diagnostics = (await compilePlain()).filter((d) => d.file === 'misspelled.ts');
    const unexpected = diagnostics.filter((d) => !misspelled.some((e) => e.line === d.line));
    expect(explain(unexpected, readmeFiles), 'errors in misspelled.ts on lines that should compile').toBe('');
    for (const e of misspelled) {
      const at = diagnostics.filter((d) => d.line === e.line && d.col === e.col);
      expect(at.length, `no error at \`${e.option}\` (misspelled.ts ${e.line}:${e.col}); errors: ${explain(diagnostics, readmeFiles)}`).toBeGreaterThan(0);
    }
  });

  it('fitsflow/gpu (with the DOM library, as @webgpu/types needs): the README GPU examples and gpu-examples.ts compile', async () => {
    const { diagnostics } = await tsc(node.dir, 'tsconfig.gpu.json');
    expect(explain(diagnostics, readmeFiles)).toBe('');
    const types = node.path('node_modules/fitsflow/dist/esm');
    const gpuGraph = declarationGraph(types, 'entries/gpu.d.ts');
    expect(gpuGraph.some((f) => readFileSync(join(types, f), 'utf8').includes('/// <reference types="@webgpu/types"')), 'fitsflow/gpu must refer to @webgpu/types').toBe(true);
    for (const entry of ['index', 'node', 'table', 'write', 'write-node', 'remote', 'remote-node', 'render', 'arrow', 'redis']) {
      const refs = declarationGraph(types, `entries/${entry}.d.ts`).filter((f) => readFileSync(join(types, f), 'utf8').includes('@webgpu/types'));
      expect(refs, `fitsflow/${entry} must not need the WebGPU (DOM) globals`).toEqual([]);
    }
  });

  it('only fitsflow/arrow needs apache-arrow; with it installed, that entry compiles', async () => {
    const types = node.path('node_modules/fitsflow/dist/esm');
    for (const entry of ['index', 'node', 'table', 'write', 'write-node', 'remote', 'remote-node', 'render', 'gpu', 'redis']) {
      const mentions = declarationGraph(types, `entries/${entry}.d.ts`).filter((f) => readFileSync(join(types, f), 'utf8').includes('apache-arrow'));
      expect(mentions, `fitsflow/${entry}'s declarations import apache-arrow`).toEqual([]);
    }
    await runOk('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', `apache-arrow@${repoVersion('apache-arrow')}`], { cwd: node.dir });
    node.write('tsconfig.arrow.json', nodeTsconfig(groups.arrow));
    const { diagnostics } = await tsc(node.dir, 'tsconfig.arrow.json');
    expect(explain(diagnostics, readmeFiles)).toBe('');
  });

  it('moduleResolution Bundler, DOM library, no @types/node: the browser entry and examples/edge compile', async () => {
    browser.write('src/main.ts', fixture('browser-examples.ts'));
    browser.write('src/edge-worker.ts', readFileSync(join(repoRoot, 'examples/edge/src/worker.ts'), 'utf8'));
    browser.write(
      'tsconfig.json',
      JSON.stringify({
        compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler', target: 'ES2022', lib: ['ES2023', 'DOM', 'DOM.Iterable'], types: [], strict: true, skipLibCheck: false, noEmit: true },
        include: ['src'],
      }),
    );
    expect(readdirSync(browser.path('node_modules')), 'the bundler project must not have @types').not.toContain('@types');
    const { diagnostics } = await tsc(browser.dir, 'tsconfig.json');
    expect(explain(diagnostics, readmeFiles)).toBe('');
  });
});
