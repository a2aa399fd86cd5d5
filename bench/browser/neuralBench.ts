import * as tf from '@tensorflow/tfjs';
// Registers tfjs's WebGPU backend, as the training worker does; it registers only where
// navigator.gpu exists when it is imported.
import '@tensorflow/tfjs-backend-webgpu';
import { trainNetwork } from '../../src/core/neural/networks';
import { detectBackend } from '../../src/workers/backend';
import { BACKEND_ORDER, tfjsEnvironment } from '../../src/workers/neuralBackend';
import { benchConfig, estDataFold, secondsPerEpoch, type BenchFold } from '../neuralFold';
import {
  NEURAL_BENCH_GLOBAL,
  type BackendOffer,
  type ConvergenceRun,
  type NeuralBenchPage,
  type TrainRequest,
  type TrainResult,
} from './neuralBenchProtocol';

/**
 * The browser neural bench page: the same training as the Node bench (the core's trainNetwork on
 * EstData's fold 1), on whichever tfjs backend the Node side asks for. The backend is started
 * through the training worker's own environment (tfjsEnvironment), so the bench runs what the
 * app would. It runs on the page's main thread: nothing else runs there while it trains.
 */

let fold: BenchFold | null = null;

const page: NeuralBenchPage = {
  load(csv) {
    fold = estDataFold(csv);
    return {
      trainRows: fold.train.pk.rows + fold.train.pd.rows,
      validationRows: fold.validation.pk.rows + fold.validation.pd.rows,
    };
  },

  async offers() {
    const offers: BackendOffer[] = [];
    for (const backend of BACKEND_ORDER) {
      switch (backend) {
        case 'webgpu': {
          const found = await detectBackend();
          const registered = tfjsEnvironment.offers('webgpu');
          offers.push(
            found.name === 'webgpu' && registered
              ? { backend, offered: true, detail: found.adapter ?? 'WebGPU adapter' }
              : {
                  backend,
                  offered: false,
                  detail: found.reason || 'tfjs did not register its WebGPU backend',
                },
          );
          break;
        }
        case 'webgl': {
          const renderer = webglRenderer();
          offers.push(
            renderer === null
              ? { backend, offered: false, detail: 'this browser gives no WebGL context' }
              : { backend, offered: true, detail: renderer },
          );
          break;
        }
        case 'cpu':
          offers.push({ backend, offered: true, detail: 'tfjs CPU backend (fused JS kernels)' });
          break;
      }
    }
    return offers;
  },

  async train(request) {
    if (!fold) throw new Error('The bench page has no data: call load(csv) first');
    const failed = await tfjsEnvironment.activate(request.backend);
    if (failed !== null) return { ran: false, problem: `it could not start (${failed})` };
    const problem = await readbackProblem(request.backend);
    if (problem !== null) return { ran: false, problem };
    return train(fold, request);
  },
};

async function train(data: BenchFold, request: TrainRequest): Promise<TrainResult> {
  const config = benchConfig(request.encoder);
  const budgetMs = request.budgetSeconds * 1000;

  const stamps: number[] = [];
  const timingStart = performance.now();
  const timed = await trainNetwork(
    data.train,
    data.validation,
    // Patience past the epochs asked for: every timed epoch runs.
    { ...config, maxEpochs: request.timingEpochs, patience: request.timingEpochs + 1 },
    {
      onEpoch: () => stamps.push(performance.now()),
      shouldStop: () => performance.now() - timingStart > budgetMs,
    },
  );
  const parameters = timed.parameters;
  timed.dispose();
  const result = {
    ran: true as const,
    backend: tf.getBackend(),
    parameters,
    timedEpochs: stamps.length,
    epochSeconds: secondsPerEpoch(stamps),
  };
  if (stamps.length < request.timingEpochs) return { ...result, convergence: null };

  // The full configuration (maxEpochs, patience and so the learning-rate schedule as in Node),
  // cut off after its epoch at the cap or the budget.
  const cap = request.epochCap ?? config.maxEpochs;
  let epochs = 0;
  let bestValLoss = NaN;
  const start = performance.now();
  const elapsed = () => performance.now() - start;
  const full = await trainNetwork(data.train, data.validation, config, {
    onEpoch: (p) => {
      epochs = p.epoch;
      if (p.bestEpoch === p.epoch) bestValLoss = p.valLoss;
    },
    shouldStop: () => epochs >= cap || elapsed() > budgetMs,
  });
  const seconds = elapsed() / 1000;
  const convergence: ConvergenceRun = {
    seconds,
    epochs: full.epochs,
    bestEpoch: full.bestEpoch,
    bestValLoss,
    stop:
      full.epochs - full.bestEpoch >= config.patience
        ? 'converged'
        : full.epochs >= config.maxEpochs
          ? 'max-epochs'
          : full.epochs >= cap
            ? 'capped'
            : 'budget',
  };
  full.dispose();
  return { ...result, convergence };
}

/**
 * Why the backend's readback cannot be trusted, or null when it can. Training reads its losses
 * and weights asynchronously (data()); a backend that gets 1 + 2 + 3 wrong that way is skipped
 * with the reason. (tfjs's *synchronous* WebGPU readback, through a WebGPU canvas, reads zeros
 * on SwiftShader in headless Chromium: the reason training does not use it.)
 */
async function readbackProblem(backend: string): Promise<string | null> {
  const sum = tf.tidy(() => tf.sum(tf.tensor1d([1, 2, 3])));
  const got = (await sum.data())[0];
  sum.dispose();
  return got === 6 ? null : `tfjs's readback on ${backend} gave ${got} for 1 + 2 + 3`;
}

/** The WebGL renderer's name (the unmasked one where the browser gives it), or null. */
function webglRenderer(): string | null {
  const canvas = document.createElement('canvas');
  const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
  if (!gl) return null;
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(
    gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? 'WebGL',
  );
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return renderer;
}

(globalThis as Record<string, unknown>)[NEURAL_BENCH_GLOBAL] = page;
