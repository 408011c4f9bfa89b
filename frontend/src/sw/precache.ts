/**
 * What the service worker does with each request, as pure functions (the worker itself is
 * `service-worker.ts`). It keeps the app shell only: the build's hashed files and index.html.
 * API answers carry private data and are never cached here; the query cache (IndexedDB) holds
 * what the person has loaded, and is cleared at sign-out.
 */

/** Written into the worker at build time (see `scripts/service-worker-plugin.ts`). */
export interface PrecacheManifest {
  /** Changes whenever any precached file does: names the cache, so a new build gets its own. */
  version: string;
  /** Absolute paths: '/index.html', '/assets/…', the web app manifest and its icons. */
  files: string[];
}

export const CACHE_PREFIX = 'notestack-shell-';
/** Every client route is this page: navigations fall back to it when the network fails. */
export const INDEX_PATH = '/index.html';
/** Served by the server itself, never from the shell (the server's RESERVED_PATHS, less /assets). */
const NETWORK_ONLY = ['/api', '/docs', '/redoc', '/openapi.json', '/healthz', '/readyz', '/metrics', '/sw.js'];

export type Handling =
  /** A page load: the network first (a deploy shows at once), the cached index.html offline. */
  | { kind: 'navigate' }
  /** A precached file: from the cache (hashed names never change), `key` its path. */
  | { kind: 'precached'; key: string }
  /** Not ours: the browser fetches it as if there were no worker. */
  | { kind: 'network' };

export interface RequestLike {
  method: string;
  mode: string;
  url: string;
}

export function cacheName(version: string): string {
  return `${CACHE_PREFIX}${version}`;
}

/** Caches of earlier builds, to delete once this build's worker is active. */
export function staleCaches(names: readonly string[], current: string): string[] {
  return names.filter((name) => name.startsWith(CACHE_PREFIX) && name !== current);
}

function networkOnly(path: string): boolean {
  return NETWORK_ONLY.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/**
 * How to answer a request. Assets may come from a CDN (NOTESTACK_ASSET_BASE_URL): the same
 * file under /assets/ on another origin is the same precached file.
 */
export function handlingOf(request: RequestLike, origin: string, precached: ReadonlySet<string>): Handling {
  if (request.method !== 'GET') return { kind: 'network' };
  const url = new URL(request.url);
  const path = url.pathname;
  if (url.origin !== origin) {
    return path.startsWith('/assets/') && precached.has(path) ? { kind: 'precached', key: path } : { kind: 'network' };
  }
  if (networkOnly(path)) return { kind: 'network' };
  if (request.mode === 'navigate') return { kind: 'navigate' };
  return precached.has(path) && !url.search ? { kind: 'precached', key: path } : { kind: 'network' };
}

/** A navigation answer worth showing; otherwise (offline, or a proxy's 5xx) the cached shell. */
export function usableNavigation(response: Pick<Response, 'status'> | undefined): boolean {
  return response !== undefined && response.status < 500;
}
