/**
 * Register the service worker (dist/sw.js, built from src/sw/) once the page has loaded, so it
 * never competes with the first paint. Not in development: Vite serves sources there.
 */
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  window.addEventListener('load', () => {
    // A browser that refuses (a private window, an insecure origin) simply stays online-only.
    navigator.serviceWorker.register('/sw.js').catch(() => undefined);
  });
}
