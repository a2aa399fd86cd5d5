import { defineConfig } from '@playwright/test';

// End-to-end tests run against the production build served on 127.0.0.1 (a secure context,
// so WebGPU can be offered), in Debian's Chromium: once with WebGPU (SwiftShader on the CPU
// here) and once without it, so both the WebGPU and the fallback paths are exercised.
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const port = 4173;

export default defineConfig({
  testDir: 'e2e',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1366, height: 860 },
    trace: 'off',
    // The built site registers a service worker that precaches every chunk; journeys run
    // without it (page.route sees every request, no background downloads compete with the
    // test). e2e/offline.spec.ts allows it.
    serviceWorkers: 'block',
  },
  webServer: {
    command: `npx vite preview --host 127.0.0.1 --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
  projects: [
    {
      name: 'webgpu',
      use: {
        launchOptions: { executablePath, args: ['--no-sandbox', '--enable-unsafe-webgpu'] },
      },
    },
    {
      name: 'no-webgpu',
      use: {
        launchOptions: { executablePath, args: ['--no-sandbox', '--disable-features=WebGPU'] },
      },
    },
  ],
});
