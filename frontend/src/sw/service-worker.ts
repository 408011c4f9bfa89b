/// <reference lib="webworker" />
/**
 * The app shell, offline: built into dist/sw.js (served with Cache-Control: no-cache, so a
 * deploy is noticed at the next visit). A new build's worker waits until no tab runs the old
 * one (no skipWaiting): a page keeps the files of the build it started with.
 */
import { cacheName, handlingOf, INDEX_PATH, staleCaches, usableNavigation, type PrecacheManifest } from '@/sw/precache';

declare const self: ServiceWorkerGlobalScope;
declare const __PRECACHE_MANIFEST__: PrecacheManifest;

const manifest = __PRECACHE_MANIFEST__;
const CACHE = cacheName(manifest.version);
const precached = new Set(manifest.files);

self.addEventListener('install', (event) => {
  event.waitUntil(
    // index.html bypasses the HTTP cache: it must be this build's page.
    caches.open(CACHE).then((cache) => cache.addAll(manifest.files.map((file) => new Request(file, { cache: 'no-cache' })))),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      await Promise.all(staleCaches(await caches.keys(), CACHE).map((name) => caches.delete(name)));
      // Page loads start their request while the worker boots.
      await self.registration.navigationPreload?.enable();
      // The first visit's page is looked after at once, not from its next load on.
      await self.clients.claim();
    })(),
  );
});

async function fromCache(key: string): Promise<Response | undefined> {
  return caches.match(key, { cacheName: CACHE });
}

async function navigate(event: FetchEvent): Promise<Response> {
  let response: Response | undefined;
  try {
    response = ((await event.preloadResponse) as Response | undefined) ?? (await fetch(event.request));
  } catch {
    response = undefined; // offline
  }
  if (response && usableNavigation(response)) return response;
  return (await fromCache(INDEX_PATH)) ?? response ?? Response.error();
}

self.addEventListener('fetch', (event) => {
  const handling = handlingOf(event.request, self.location.origin, precached);
  if (handling.kind === 'navigate') event.respondWith(navigate(event));
  else if (handling.kind === 'precached') {
    event.respondWith(fromCache(handling.key).then((cached) => cached ?? fetch(event.request)));
  }
});
