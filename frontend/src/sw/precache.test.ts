import { describe, expect, it } from 'vitest';
import { cacheName, handlingOf, staleCaches, usableNavigation } from '@/sw/precache';

const origin = 'https://notes.example';
const precached = new Set(['/index.html', '/manifest.webmanifest', '/assets/index-abc.js', '/assets/index-def.css']);
const get = (url: string, mode = 'cors') => ({ method: 'GET', mode, url });

describe('handlingOf (what the service worker answers)', () => {
  it('never touches the API or the server’s own pages, whatever the method', () => {
    expect(handlingOf(get(`${origin}/api/v1/note`), origin, precached)).toEqual({ kind: 'network' });
    expect(handlingOf(get(`${origin}/api/v1/events`), origin, precached)).toEqual({ kind: 'network' });
    expect(handlingOf(get(`${origin}/api/v1/note/x`, 'navigate'), origin, precached)).toEqual({ kind: 'network' });
    expect(handlingOf(get(`${origin}/docs`, 'navigate'), origin, precached)).toEqual({ kind: 'network' });
    expect(handlingOf(get(`${origin}/sw.js`), origin, precached)).toEqual({ kind: 'network' });
    expect(handlingOf({ method: 'POST', mode: 'cors', url: `${origin}/assets/index-abc.js` }, origin, precached)).toEqual({
      kind: 'network',
    });
  });

  it('loads pages from the network first, and precached files from the cache', () => {
    expect(handlingOf(get(`${origin}/notes/123?x=1`, 'navigate'), origin, precached)).toEqual({ kind: 'navigate' });
    expect(handlingOf(get(`${origin}/assets/index-abc.js`), origin, precached)).toEqual({
      kind: 'precached',
      key: '/assets/index-abc.js',
    });
    expect(handlingOf(get(`${origin}/manifest.webmanifest`), origin, precached)).toEqual({
      kind: 'precached',
      key: '/manifest.webmanifest',
    });
    expect(handlingOf(get(`${origin}/assets/other.js`), origin, precached)).toEqual({ kind: 'network' });
    expect(handlingOf(get(`${origin}/assets/index-abc.js?v=2`), origin, precached)).toEqual({ kind: 'network' });
  });

  it('answers a CDN copy of a precached asset from the cache, and nothing else from elsewhere', () => {
    expect(handlingOf(get('https://cdn.example/assets/index-def.css'), origin, precached)).toEqual({
      kind: 'precached',
      key: '/assets/index-def.css',
    });
    expect(handlingOf(get('https://cdn.example/index.html'), origin, precached)).toEqual({ kind: 'network' });
    expect(handlingOf(get('https://elsewhere.example/api/v1/note'), origin, precached)).toEqual({ kind: 'network' });
  });
});

describe('caches and navigations', () => {
  it('names a cache per build and finds the earlier builds’ to delete', () => {
    expect(cacheName('v2')).toBe('notestack-shell-v2');
    expect(staleCaches(['notestack-shell-v1', 'notestack-shell-v2', 'other'], 'notestack-shell-v2')).toEqual([
      'notestack-shell-v1',
    ]);
  });

  it('shows the cached app instead of a proxy’s error page or nothing', () => {
    expect(usableNavigation({ status: 200 })).toBe(true);
    expect(usableNavigation({ status: 404 })).toBe(true);
    expect(usableNavigation({ status: 503 })).toBe(false);
    expect(usableNavigation(undefined)).toBe(false);
  });
});
