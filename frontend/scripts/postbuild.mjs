// Writes .gz and .br siblings next to every file in dist/assets/ (node's built-in zlib only),
// checks that index.html has no inline script or style (the CSP forbids them), and measures
// the first load of every route: the JS+CSS index.html loads, plus the route's own chunk and
// what it imports statically (from Vite's manifest). Parts a route loads on demand (the
// Markdown renderer, the note forms) are not part of its first load. The build fails when a
// route's first load is over the budget.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export const BUDGET_BYTES = 110 * 1024;
const ROUTES_DIR = 'src/app/routes/';
const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const assets = join(dist, 'assets');

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (!/\.(gz|br)$/.test(entry.name)) yield path;
  }
}

const sizes = new Map();
for (const path of files(assets)) {
  const source = readFileSync(path);
  const gz = gzipSync(source, { level: 9 });
  const br = brotliCompressSync(source, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: source.length },
  });
  writeFileSync(`${path}.gz`, gz);
  writeFileSync(`${path}.br`, br);
  sizes.set(relative(dist, path).split('\\').join('/'), { raw: source.length, gz: gz.length, br: br.length });
}

const html = readFileSync(join(dist, 'index.html'), 'utf8');
if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(html) || /<style[\s>]/i.test(html) || /\sstyle=/i.test(html)) {
  console.error('index.html has an inline script or style: the Content-Security-Policy forbids them.');
  process.exit(1);
}

const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8'));
/** A chunk's file, its CSS and everything it imports statically, transitively. */
function closure(key, into = new Set()) {
  const chunk = manifest[key];
  if (!chunk || into.has(chunk.file)) return into;
  into.add(chunk.file);
  for (const css of chunk.css ?? []) into.add(css);
  for (const imported of chunk.imports ?? []) closure(imported, into);
  return into;
}

const fromHtml = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
const entry = new Set(fromHtml);
// The service worker (dist/sw.js) is an entry of its own that no page loads.
const SERVICE_WORKER = 'sw.js';
for (const key of Object.keys(manifest).filter((k) => manifest[k].isEntry && manifest[k].file !== SERVICE_WORKER)) {
  closure(key, entry);
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const gzipOf = (names) => [...names].reduce((sum, name) => sum + (sizes.get(name)?.gz ?? 0), 0);

console.log('index.html loads (raw / gzip / brotli):');
for (const name of entry) {
  const size = sizes.get(name);
  if (size) console.log(`  ${name.padEnd(44)} ${kb(size.raw).padStart(10)} ${kb(size.gz).padStart(10)} ${kb(size.br).padStart(10)}`);
}

const routes = Object.keys(manifest).filter((key) => key.startsWith(ROUTES_DIR) && manifest[key].isDynamicEntry);
let over = 0;
console.log(`First load per route, JS+CSS gzip (budget ${kb(BUDGET_BYTES)}):`);
for (const route of routes.sort()) {
  const total = gzipOf(new Set([...entry, ...closure(route)]));
  const flag = total > BUDGET_BYTES ? '  OVER' : '';
  if (flag) over += 1;
  console.log(`  ${route.slice(ROUTES_DIR.length).padEnd(20)} ${kb(total).padStart(10)}${flag}`);
}
console.log(`index.html alone: ${kb(gzipOf(entry))}; precompressed ${sizes.size} asset(s) in ${relative(root, assets)}/`);
if (routes.length === 0) {
  console.error(`No lazily loaded route under ${ROUTES_DIR} in the manifest: nothing measured.`);
  process.exit(1);
}
if (over) {
  console.error(`${over} route(s) over the first-load budget of ${kb(BUDGET_BYTES)}.`);
  process.exit(1);
}
