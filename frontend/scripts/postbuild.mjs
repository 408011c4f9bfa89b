// Writes .gz and .br siblings next to every file in dist/assets/ (node's built-in zlib only)
// and prints the gzip size of the JS and CSS that index.html loads on first visit.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const BUDGET_BYTES = 150 * 1024;
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

const gzipSizes = new Map();
for (const path of files(assets)) {
  const source = readFileSync(path);
  const gz = gzipSync(source, { level: 9 });
  const br = brotliCompressSync(source, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: source.length,
    },
  });
  writeFileSync(`${path}.gz`, gz);
  writeFileSync(`${path}.br`, br);
  gzipSizes.set(relative(dist, path).split('\\').join('/'), { raw: source.length, gz: gz.length, br: br.length });
}

const html = readFileSync(join(dist, 'index.html'), 'utf8');
if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(html) || /<style[\s>]/i.test(html) || /\sstyle=/i.test(html)) {
  console.error('index.html has an inline script or style: the Content-Security-Policy forbids them.');
  process.exit(1);
}
const firstLoad = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
let total = 0;
console.log('First-load assets (raw / gzip / brotli):');
for (const name of firstLoad) {
  const size = gzipSizes.get(name);
  if (!size) continue;
  total += size.gz;
  console.log(`  ${name.padEnd(40)} ${kb(size.raw).padStart(10)} ${kb(size.gz).padStart(10)} ${kb(size.br).padStart(10)}`);
}
console.log(`First-load JS+CSS gzip total: ${kb(total)} (budget ${kb(BUDGET_BYTES)})`);
console.log(`Precompressed ${gzipSizes.size} asset(s) in ${relative(root, assets)}/ (${statSync(assets).isDirectory() ? 'ok' : '?'})`);
if (total > BUDGET_BYTES) {
  console.error(`Over the first-load budget by ${kb(total - BUDGET_BYTES)}.`);
  process.exit(1);
}
