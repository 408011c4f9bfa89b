/// <reference types="vitest/config" />
import { fileURLToPath, URL } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { serviceWorker } from './scripts/service-worker-plugin.ts';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  plugins: [react(), serviceWorker(root)],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  server: {
    port: 5173,
    // The API runs beside it (make run): same origin for the browser, so the cookie just works.
    proxy: {
      '/api': { target: process.env.NOTESTACK_API_URL ?? 'http://127.0.0.1:8000', changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    // Everything must be a file under /assets/: the CSP forbids inline scripts and styles.
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
    modulePreload: { polyfill: false },
    // dist/.vite/manifest.json: scripts/postbuild.mjs measures each route's first load from it.
    manifest: true,
    rolldownOptions: {
      output: {
        // TanStack Query in one chunk (every page needs it), instead of five or six small ones
        // cut wherever lazily loaded code happens to share a module: each file costs its own
        // compression and imports. The mutation code stays with the write path, loaded later.
        codeSplitting: {
          groups: [
            {
              name: 'query',
              test: /@tanstack\/(query-core|react-query)\/.*\/(?!mutationObserver|useMutation)[^/]+\.js$/,
            },
          ],
        },
      },
    },
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['./src/testing/setup.ts'],
    restoreMocks: true,
  },
});
