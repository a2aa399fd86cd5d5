import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, type Page } from '@playwright/test';

/**
 * Builds a small Vite page outside the app (a test or bench harness: its own index or named
 * HTML file under `root`) into a temporary folder and serves it on 127.0.0.1 (a secure
 * context, so WebGPU can be offered). `close` stops the server and removes the build.
 */
export async function buildAndServePage(opts: {
  readonly root: string;
  /** The page's HTML file under root; index.html when absent. */
  readonly html?: string;
  readonly port: number;
  /** Prefix of the temporary build folder's name. */
  readonly label: string;
}): Promise<{ readonly url: string; close(): Promise<void> }> {
  // Loaded here: importing this module for its types costs nothing.
  const { build, preview } = await import('vite');
  const outDir = mkdtempSync(path.join(os.tmpdir(), `${opts.label}-`));
  const removeBuild = () => rmSync(outDir, { recursive: true, force: true });
  try {
    await build({
      configFile: false,
      root: opts.root,
      base: './',
      logLevel: 'warn',
      build: {
        outDir,
        emptyOutDir: true,
        target: 'es2022',
        chunkSizeWarningLimit: 4000,
        ...(opts.html ? { rollupOptions: { input: path.join(opts.root, opts.html) } } : {}),
      },
      worker: { format: 'es' },
    });
    const server = await preview({
      configFile: false,
      root: opts.root,
      logLevel: 'warn',
      build: { outDir },
      preview: { host: '127.0.0.1', port: opts.port, strictPort: true },
    });
    return {
      url: `http://127.0.0.1:${opts.port}/${opts.html ?? ''}`,
      close: async () => {
        await server.close();
        removeBuild();
      },
    };
  } catch (err) {
    removeBuild();
    throw err;
  }
}

/**
 * A harness page of e2e/harness for the serial tests of one spec file: built and served before
 * them (buildAndServePage), opened in one page that waits for the harness's global, closed
 * after them. Errors thrown on the page, and console errors unless `consoleErrors` is false (a
 * test that provokes them), are collected in `errors`.
 */
export function useHarnessPage(opts: {
  readonly html: string;
  readonly port: number;
  readonly label: string;
  /** The global the page defines once ready, e.g. '__qnnHarness'. */
  readonly global: string;
  readonly consoleErrors?: boolean;
}): { readonly page: Page; readonly errors: string[] } {
  let served: Awaited<ReturnType<typeof buildAndServePage>> | null = null;
  let page: Page | null = null;
  const errors: string[] = [];
  test.beforeAll(async ({ browser }) => {
    test.setTimeout(180_000);
    served = await buildAndServePage({
      root: path.dirname(fileURLToPath(import.meta.url)),
      html: opts.html,
      port: opts.port,
      label: opts.label,
    });
    page = await browser.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    if (opts.consoleErrors !== false) {
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
    }
    await page.goto(served.url);
    await page.waitForFunction(`globalThis.${opts.global} !== undefined`);
  });
  test.afterAll(async () => {
    await page?.close();
    await served?.close();
    served = null;
  });
  return {
    get page(): Page {
      if (!page) throw new Error(`The harness page ${opts.html} is not open`);
      return page;
    },
    errors,
  };
}
