#!/usr/bin/env node
/**
 * After TypeDoc: every link of the built site (docs-site/) must land. A relative
 * href must name a file of the site, and its #fragment an id (or name) in that
 * file; a same-page #fragment an id of the page. TypeDoc itself warns about
 * {@link} tags and relative paths that resolve to nothing, but not about a
 * guide linking to a heading that does not exist — this does. Links to other
 * sites are not fetched (no network in CI).
 *
 * usage: node scripts/check-docs-site.mjs [SITE_DIR]   (exit 1 with a list of broken links)
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const site = resolve(root, process.argv[2] ?? 'docs-site');
if (!existsSync(join(site, 'index.html'))) {
  console.error(`check-docs-site: ${relative(root, site)}/index.html is missing: run \`npm run docs\`.`);
  process.exit(1);
}

function htmlFiles(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...htmlFiles(p));
    else if (e.name.endsWith('.html')) out.push(p);
  }
  return out;
}

const decode = (s) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
const idCache = new Map();
/** The ids and names of a page's elements. */
function idsOf(file) {
  let ids = idCache.get(file);
  if (!ids) {
    ids = new Set();
    for (const m of readFileSync(file, 'utf8').matchAll(/\s(?:id|name)="([^"]*)"/g)) ids.add(decode(m[1]));
    idCache.set(file, ids);
  }
  return ids;
}

const broken = [];
const files = htmlFiles(site);
let links = 0;
for (const file of files) {
  const html = readFileSync(file, 'utf8');
  for (const m of html.matchAll(/\shref="([^"]*)"/g)) {
    const href = decode(m[1]);
    if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('//')) continue; // another site (https:, mailto:, …)
    links++;
    const [pathAndQuery, fragment] = href.split('#', 2);
    const path = pathAndQuery.split('?')[0];
    let target = file;
    if (path) {
      target = resolve(dirname(file), decodeURIComponent(path));
      if (!existsSync(target)) {
        broken.push(`${relative(site, file)}: ${href} (no such file)`);
        continue;
      }
      if (statSync(target).isDirectory()) target = join(target, 'index.html');
    }
    if (fragment && target.endsWith('.html') && !idsOf(target).has(decodeURIComponent(fragment))) {
      broken.push(`${relative(site, file)}: ${href} (no #${fragment} in ${relative(site, target)})`);
    }
  }
}
if (broken.length) {
  console.error(`check-docs-site: ${broken.length} broken link(s) in ${relative(root, site)}/:\n  ${[...new Set(broken)].join('\n  ')}`);
  process.exit(1);
}
console.log(`check-docs-site: ${links} links in ${files.length} pages, all found.`);
