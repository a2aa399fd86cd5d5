import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

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
