import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENCODERS, type EncoderName } from '../src/core/neural/types';
import { buildAndServePage } from '../e2e/harness/servePage';
import { BACKEND_ORDER, type TrainingBackend } from '../src/workers/neuralBackend';
import {
  NEURAL_BENCH_GLOBAL,
  type NeuralBenchPage,
  type TrainRequest,
  type TrainResult,
} from './browser/neuralBenchProtocol';
import { TIMING_EPOCHS } from './neuralFold';
import type { Metric } from './simulation';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Neural training speed in headless Chromium: the Node bench's work (neural.ts: each encoder,
 * cascade framework, default configuration, EstData's fold 1) on every tfjs backend the browser
 * offers (WebGPU, WebGL, CPU), run by a small page outside the app (browser/) that is built with
 * Vite, served on 127.0.0.1 (a secure context, so WebGPU can be offered) and driven through
 * Playwright. Per backend and encoder: seconds per epoch after two warm-up epochs, and one run
 * of the full configuration to early stopping.
 *
 * Without a GPU, Chromium's WebGPU adapter is SwiftShader (on the CPU), which may be far slower
 * than tfjs's CPU backend, so each run has a wall-clock budget and the GPU backends' run to
 * convergence is cut off after a number of epochs (reported as capped). The cut-off leaves the
 * configuration alone (maxEpochs and so the learning-rate schedule are Node's): the epochs that
 * run are those of the uncapped run. A backend whose (asynchronous) readback gives wrong values
 * is skipped with the reason.
 */

export interface NeuralBrowserBenchOptions {
  readonly backends?: readonly TrainingBackend[];
  readonly encoders?: readonly EncoderName[];
  /** Epochs after which a GPU backend's run to convergence is cut off. */
  readonly gpuEpochCap?: number;
  /** Wall-clock seconds each run (timing, convergence) may take per backend and encoder. */
  readonly budgetSeconds?: number;
  /** Port of the page's server on 127.0.0.1 (the e2e tests use 4173). */
  readonly port?: number;
}

const DEFAULTS = {
  backends: BACKEND_ORDER,
  encoders: ENCODERS as readonly EncoderName[],
  // The CPU runs converge in 40–46 epochs in Node (BENCHMARKS.md); 60 lets a GPU run that
  // trains alike converge too.
  gpuEpochCap: 60,
  budgetSeconds: 300,
  port: 4179,
};

/** Chromium's flags: as the e2e tests' WebGPU project launches it (playwright.config.ts). */
const CHROMIUM_ARGS = ['--no-sandbox', '--enable-unsafe-webgpu'];

export async function runNeuralBrowserBench(
  opts: NeuralBrowserBenchOptions = {},
): Promise<Metric[]> {
  const o = { ...DEFAULTS, ...opts };
  const csv = readFileSync(path.join(here, '../../shared/data/EstData.csv'), 'utf8');
  // Loaded here, not at the top: the other benches need neither.
  const { chromium } = await import('@playwright/test');

  const cleanup: (() => unknown)[] = [];
  try {
    const served = await buildAndServePage({
      root: path.join(here, 'browser'),
      port: o.port,
      label: 'neural-browser-bench',
    });
    cleanup.push(() => served.close());

    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
    });
    cleanup.push(() => browser.close());
    const page = await browser.newPage();
    page.on('pageerror', (err) => console.error(`neural-browser: page error: ${err.message}`));
    await page.goto(served.url);
    await page.waitForFunction(`globalThis.${NEURAL_BENCH_GLOBAL} !== undefined`);
    // A string expression calling the page's function with JSON arguments (Playwright calls a
    // string only as an expression; a function here would be compiled with esbuild's helpers).
    const call = <K extends keyof NeuralBenchPage>(
      name: K,
      ...args: Parameters<NeuralBenchPage[K]>
    ) =>
      page.evaluate<Awaited<ReturnType<NeuralBenchPage[K]>>>(
        `globalThis.${NEURAL_BENCH_GLOBAL}.${name}(${args.map((a) => JSON.stringify(a)).join(', ')})`,
      );
    const rows = await call('load', csv);
    progress(`${rows.trainRows} training and ${rows.validationRows} validation rows`);
    const offers = await call('offers');

    const metrics: Metric[] = [
      {
        bench: 'neural-browser',
        metric: 'chromium_version',
        value: Number.parseInt(browser.version(), 10),
        unit: `Chromium ${browser.version()}, headless, ${CHROMIUM_ARGS.join(' ')}`,
      },
    ];
    for (const backend of o.backends) {
      const offer = offers.find((x) => x.backend === backend);
      const status = (ran: boolean, unit: string): Metric => ({
        bench: 'neural-browser',
        metric: `chromium_${backend}_backend`,
        value: ran ? 1 : 0,
        unit,
      });
      if (!offer?.offered) {
        const why = `skipped: not offered (${offer?.detail ?? 'unknown backend'})`;
        progress(`${backend}: ${why}`);
        metrics.push(status(false, why));
        continue;
      }
      const results: Metric[] = [];
      let problem: string | null = null;
      for (const encoder of o.encoders) {
        const request: TrainRequest = {
          backend,
          encoder,
          timingEpochs: TIMING_EPOCHS,
          epochCap: backend === 'cpu' ? null : o.gpuEpochCap,
          budgetSeconds: o.budgetSeconds,
        };
        progress(`${backend} ${encoder}: training…`);
        let result: TrainResult;
        try {
          result = await call('train', request);
        } catch (err) {
          // A run that throws (a lost device, say) costs its encoder, not the bench.
          const why = `failed: ${firstLine(err)}`;
          progress(`${backend} ${encoder}: ${why}`);
          results.push(failed(`chromium_${backend}_${encoder}_epoch_seconds`, why));
          results.push(failed(`chromium_${backend}_${encoder}_converged_seconds`, why));
          continue;
        }
        if (!result.ran) {
          problem = result.problem;
          break;
        }
        const [epoch, converged] = encoderMetrics(backend, encoder, request, result);
        progress(`${backend} ${encoder}: ${describe(epoch)}; ${describe(converged)}`);
        results.push(epoch, converged);
      }
      if (problem !== null) {
        const why = `skipped: ${problem}; offered: ${offer.detail}`;
        progress(`${backend}: ${why}`);
        metrics.push(status(false, why));
        continue;
      }
      metrics.push(status(true, `ran: ${offer.detail}`), ...results);
    }
    return metrics;
  } finally {
    for (const step of cleanup.reverse()) await step();
  }
}

/** The epoch and convergence metrics of one backend and encoder. */
function encoderMetrics(
  backend: TrainingBackend,
  encoder: EncoderName,
  request: TrainRequest,
  result: Extract<TrainResult, { ran: true }>,
): [Metric, Metric] {
  const name = `chromium_${backend}_${encoder}`;
  const budget = `the ${request.budgetSeconds} s budget`;
  const epoch: Metric =
    result.epochSeconds === null
      ? {
          bench: 'neural-browser',
          metric: `${name}_epoch_seconds`,
          value: NaN,
          unit: `skipped: ${result.timedEpochs} epoch(s) in ${budget}, none after the warm-up`,
        }
      : {
          bench: 'neural-browser',
          metric: `${name}_epoch_seconds`,
          value: result.epochSeconds,
          unit:
            `s/epoch (epochs 3–${result.timedEpochs}` +
            (result.timedEpochs < request.timingEpochs ? `, cut off by ${budget})` : ')'),
        };
  const run = result.convergence;
  if (run === null) {
    return [
      epoch,
      {
        bench: 'neural-browser',
        metric: `${name}_converged_seconds`,
        value: NaN,
        unit: `skipped: ${request.timingEpochs} timing epochs did not fit in ${budget}`,
      },
    ];
  }
  const how = {
    converged: `${run.epochs} epochs`,
    'max-epochs': `all ${run.epochs} epochs`,
    capped: `capped at ${run.epochs} epochs`,
    budget: `cut off by ${budget} after ${run.epochs} epochs`,
  }[run.stop];
  return [
    epoch,
    {
      bench: 'neural-browser',
      metric: `${name}_converged_seconds`,
      value: run.seconds,
      unit:
        `s (${how}, best ${run.bestEpoch}, val loss ${run.bestValLoss.toPrecision(3)}, ` +
        `${result.parameters} parameters)`,
    },
  ];
}

function failed(metric: string, why: string): Metric {
  return { bench: 'neural-browser', metric, value: NaN, unit: why };
}

/** An error's message up to its first line break (the page's stack follows it). */
function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/^page\.evaluate: /, '').split('\n')[0];
}

function describe(m: Metric): string {
  return Number.isFinite(m.value) ? `${m.value.toPrecision(4)} ${m.unit}` : m.unit;
}

/** Progress goes to stderr: stdout carries the table (or JSON lines). */
function progress(line: string): void {
  console.error(`neural-browser: ${line}`);
}
