/**
 * Builds src/sw/service-worker.ts into dist/sw.js (a fixed name at the root: its scope is the
 * whole app) and writes into it the list of files to precache: this build's hashed assets,
 * index.html and what public/ holds (the web app manifest, its icons). Their names and the
 * public files' contents give the cache its version.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin } from 'vite';

export const SERVICE_WORKER_SOURCE = 'src/sw/service-worker.ts';
export const SERVICE_WORKER_FILE = 'sw.js';
const PLACEHOLDER = '__PRECACHE_MANIFEST__';

/** What Vite copies from public/ to the root of dist/ (none when there is no public/). */
function publicFiles(root: string): { name: string; content: Buffer }[] {
  const dir = join(root, 'public');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({ name, content: readFileSync(join(dir, name)) }));
}

export function serviceWorker(root: string): Plugin {
  return {
    name: 'notestack-service-worker',
    apply: 'build',
    buildStart() {
      this.emitFile({ type: 'chunk', id: join(root, SERVICE_WORKER_SOURCE), fileName: SERVICE_WORKER_FILE });
    },
    generateBundle: {
      // After Vite's own clean-up (it drops the empty JS chunks of CSS-only modules).
      order: 'post',
      handler(_options, bundle) {
        const worker = bundle[SERVICE_WORKER_FILE];
        if (!worker || worker.type !== 'chunk') return this.error(`${SERVICE_WORKER_FILE} was not built`);
        if (worker.imports.length > 0) {
          return this.error(`${SERVICE_WORKER_FILE} must be one file, but imports ${worker.imports.join(', ')}`);
        }
        const assets = Object.keys(bundle)
          .filter((name) => name.startsWith('assets/') && /\.(js|css|woff2?|svg|png|webp)$/.test(name))
          .sort();
        const extra = publicFiles(root);
        const hash = createHash('sha256');
        for (const name of assets) hash.update(`${name}\n`);
        for (const { name, content } of extra) hash.update(name).update(content);
        const manifest = {
          version: hash.digest('hex').slice(0, 16),
          files: ['/index.html', ...extra.map(({ name }) => `/${name}`), ...assets.map((name) => `/${name}`)],
        };
        const occurrences = worker.code.split(PLACEHOLDER).length - 1;
        if (occurrences !== 1) return this.error(`${SERVICE_WORKER_FILE}: expected ${PLACEHOLDER} once, found ${occurrences}`);
        worker.code = worker.code.replace(PLACEHOLDER, JSON.stringify(manifest));
      },
    },
  };
}
