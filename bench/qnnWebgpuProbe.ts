import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import type { BenchRow, BenchSize, HarnessStatus } from '../e2e/harness/qnnHarness';
import { buildAndServePage } from '../e2e/harness/servePage';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Speed of the QNN circuit's fused WebGPU kernels (src/workers/gpu/qnnWebGpu.ts) in headless
 * Chromium: circuits per second for one forward and one backward (adjoint) pass, timed after a
 * warm-up call up to an awaited readback of the last result. The kernels run on tfjs's webgpu
 * backend in the test page e2e/harness/qnn.html, built with Vite and served on 127.0.0.1 (a
 * secure context, so WebGPU can be offered).
 *
 * Without a GPU, Chromium's WebGPU adapter is SwiftShader, on the CPU: correct but slow, so
 * figures from such a machine say little about a real GPU.
 *
 * `npx tsx bench/qnnWebgpuProbe.ts` prints one JSON line per size.
 */

/** The sizes of the torch baseline's comparison: (n qubits, L layers, batch). */
export const QNN_BENCH_SIZES: readonly BenchSize[] = [
  { n_qubits: 4, n_layers: 2, batch: 1024 },
  { n_qubits: 8, n_layers: 2, batch: 1024 },
  { n_qubits: 8, n_layers: 3, batch: 4096 },
  { n_qubits: 12, n_layers: 3, batch: 1024 },
];

/** Chromium's flags: as the e2e tests' WebGPU project launches it (playwright.config.ts). */
const CHROMIUM_ARGS = ['--no-sandbox', '--enable-unsafe-webgpu'];
/** Port of the page's server on 127.0.0.1 (the e2e tests use 4173, their QNN spec 4181). */
const PORT = 4182;

export interface QnnHarnessPage {
  readonly page: Page;
  readonly status: HarnessStatus;
  readonly chromiumVersion: string;
  close(): Promise<void>;
}

/** Builds the harness page, serves it and opens it in Chromium. */
export async function openQnnHarness(port = PORT): Promise<QnnHarnessPage> {
  // Loaded here, not at the top: importing this module for its types costs nothing.
  const { chromium } = await import('@playwright/test');
  const cleanup: (() => unknown)[] = [];
  const close = async () => {
    for (const f of cleanup.reverse()) await f();
  };
  try {
    const served = await buildAndServePage({
      root: path.join(here, '../e2e/harness'),
      html: 'qnn.html',
      port,
      label: 'qnn-webgpu-probe',
    });
    cleanup.push(() => served.close());
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    });
    cleanup.push(() => browser.close());
    const page = await browser.newPage();
    page.on('pageerror', (err) => console.error(`qnn-webgpu: page error: ${err.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') console.error(`qnn-webgpu: console: ${m.text()}`);
    });
    await page.goto(served.url);
    await page.waitForFunction('globalThis.__qnnHarness !== undefined');
    const status = await page.evaluate<HarnessStatus>('globalThis.__qnnHarness.ready');
    return { page, status, chromiumVersion: browser.version(), close };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * Circuits per second (forward + backward) for each size in Chromium: the fused JavaScript
 * kernel on the page's thread (chromium-cpu, what tfjs's CPU and WebGL backends run) and the
 * WebGPU kernels (chromium-webgpu; none when the browser offers no WebGPU). Each size is timed
 * for at least minSeconds.
 */
export async function runQnnWebGpuBench(
  sizes: readonly BenchSize[] = QNN_BENCH_SIZES,
  minSeconds = 2,
): Promise<BenchRow[]> {
  const harness = await openQnnHarness();
  try {
    const cpu = await harness.page.evaluate<BenchRow[]>(
      `globalThis.__qnnHarness.benchCpu(${JSON.stringify(JSON.stringify(sizes))}, ${minSeconds})`,
    );
    if (!harness.status.available) {
      console.error(`qnn-webgpu: skipped, ${harness.status.reason}`);
      return cpu;
    }
    const adapter = harness.status.software
      ? 'a software adapter (SwiftShader, on the CPU)'
      : 'a GPU';
    console.error(`qnn-webgpu: Chromium ${harness.chromiumVersion}, WebGPU on ${adapter}`);
    const gpu = await harness.page.evaluate<BenchRow[]>(
      `globalThis.__qnnHarness.bench(${JSON.stringify(JSON.stringify(sizes))}, ${minSeconds})`,
    );
    return [...cpu, ...gpu];
  } finally {
    await harness.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const rows = await runQnnWebGpuBench();
  for (const row of rows) {
    const { bench, path: where, n_qubits, n_layers, batch, circuits_per_s } = row;
    console.log(JSON.stringify({ bench, path: where, n_qubits, n_layers, batch, circuits_per_s }));
  }
}
