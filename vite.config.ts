import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';

/**
 * The Content-Security-Policy: nothing is fetched from, or sent to, anywhere but the site's
 * own origin, and no string is ever run as code (no 'unsafe-eval', no inline script).
 * - script-src 'wasm-unsafe-eval': Long.js, loaded with tfjs, compiles a tiny WebAssembly
 *   module (64-bit multiply) as it loads; without it the browser reports a violation (Long.js
 *   then falls back to JavaScript). It allows compiling WebAssembly only; eval, new Function
 *   and string timers stay forbidden.
 * - img-src data: — a chart's PNG export draws its SVG through a data: image.
 * - style-src 'self' only: React and recharts set styles through the CSSOM, which CSP allows.
 * - worker-src 'self': every worker is a bundled module file; none is built from a blob.
 * Built into index.html as a meta tag (so it holds on any static server), and sent as a
 * header by `vite preview`, which also covers the workers and the service worker (a meta tag
 * governs the page only). A server that can send headers should send HEADER_CSP.
 */
const CSP_DIRECTIVES = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
];
const META_CSP = CSP_DIRECTIVES.join('; ');
/** frame-ancestors is honoured only in a header, never in a meta tag. */
const HEADER_CSP = [...CSP_DIRECTIVES, "frame-ancestors 'none'"].join('; ');

/** Writes the policy into the built index.html (not in dev: Vite's dev client runs inline). */
function contentSecurityPolicy(): Plugin {
  return {
    name: 'content-security-policy',
    apply: 'build',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: META_CSP },
        injectTo: 'head-prepend',
      },
    ],
  };
}

/** The header's dark blue (theme.css --primary): the installed app's title bar. */
const THEME_COLOR = '#0b4f6c';

// Relative base so the built site runs from any static server under any sub-path: every
// asset, worker, lazy chunk, the manifest and the service worker resolve from the page.
export default defineConfig({
  base: './',
  plugins: [
    react(),
    contentSecurityPolicy(),
    VitePWA({
      // The page asks before it switches to a new version (OfflineStatus), never mid-work.
      registerType: 'prompt',
      // Registered from the app (virtual:pwa-register), no inline script for the CSP to allow.
      injectRegister: false,
      includeAssets: ['favicon.svg', 'apple-touch-icon.png'],
      manifest: {
        name: 'PK/PD Dosing Workbench',
        short_name: 'PK/PD Workbench',
        description:
          'Explore doses and PK/PD models in the browser; patient data stays on this machine.',
        lang: 'en',
        display: 'standalone',
        start_url: './',
        scope: './',
        theme_color: THEME_COLOR,
        background_color: '#f4f6f8',
        icons: [
          { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icon.svg', sizes: 'any', type: 'image/svg+xml' },
          {
            src: 'icon-maskable-512.png',
            sizes: '512x512',
            type: 'image/png',
            purpose: 'maskable',
          },
        ],
      },
      workbox: {
        // Everything the app can load, workers and lazy tfjs chunks included, so the first
        // visit leaves a complete offline copy.
        globPatterns: ['**/*.{html,js,css,svg,png,webmanifest,wasm,json}'],
        // The training and comparison workers carry tfjs (about 2 MB each); 16 MiB leaves room.
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
        navigateFallback: 'index.html',
        // The first visit's page is controlled at once, so it keeps working if the network
        // drops; an update still waits for the user's Reload.
        clientsClaim: true,
        cleanupOutdatedCaches: true,
      },
    }),
  ],
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
  preview: {
    host: '127.0.0.1',
    port: 4173,
    strictPort: true,
    headers: { 'Content-Security-Policy': HEADER_CSP },
  },
  server: { host: '127.0.0.1' },
});
