import type { EncoderName } from '../../src/core/neural/types';
import type { TrainingBackend } from '../../src/workers/neuralBackend';

/**
 * What the Node side of the browser neural bench (bench/neuralBrowser.ts) and the bench page
 * (neuralBench.ts) exchange through Playwright's page.evaluate: plain, serialisable data. The
 * page sets `globalThis[NEURAL_BENCH_GLOBAL]` to a NeuralBenchPage once its module has loaded.
 */

export const NEURAL_BENCH_GLOBAL = 'neuralBench';

/** What the browser offers, per tfjs backend, before any is started. */
export interface BackendOffer {
  readonly backend: TrainingBackend;
  readonly offered: boolean;
  /** The adapter or renderer when offered (e.g. "google swiftshader"), else why not. */
  readonly detail: string;
}

export interface TrainRequest {
  readonly backend: TrainingBackend;
  readonly encoder: EncoderName;
  /** Epochs of the timing run (the first two are warm-up). */
  readonly timingEpochs: number;
  /** Epochs after which the run to convergence is cut off (null: config.maxEpochs). */
  readonly epochCap: number | null;
  /** Wall-clock seconds each of the two runs may take; a run past it stops after its epoch. */
  readonly budgetSeconds: number;
}

/** How the run to convergence ended. */
export type ConvergenceStop =
  /** `patience` epochs without a better validation loss: early stopping, as in the app. */
  | 'converged'
  /** All of config.maxEpochs ran. */
  | 'max-epochs'
  /** Cut off at TrainRequest.epochCap. */
  | 'capped'
  /** Cut off by TrainRequest.budgetSeconds. */
  | 'budget';

export interface ConvergenceRun {
  readonly seconds: number;
  readonly epochs: number;
  readonly bestEpoch: number;
  /** Validation loss (scaled PK MSE + PD MSE) at the best epoch. */
  readonly bestValLoss: number;
  readonly stop: ConvergenceStop;
}

export type TrainResult =
  | {
      readonly ran: true;
      /** tfjs's backend while training (the one asked for: a backend that fails is not run). */
      readonly backend: string;
      readonly parameters: number;
      /** Epochs the timing run completed (fewer than asked when the budget ran out). */
      readonly timedEpochs: number;
      /** Mean seconds per epoch after the warm-up; null when too few epochs ran. */
      readonly epochSeconds: number | null;
      /** Null when the timing run used up its budget: the run to convergence was not tried. */
      readonly convergence: ConvergenceRun | null;
    }
  /** Not trained: the backend did not start, or could not be trusted to train (in words). */
  | { readonly ran: false; readonly problem: string };

export interface NeuralBenchPage {
  /** Imports the data and builds the fold; answers the number of rows trained on. */
  load(csv: string): { readonly trainRows: number; readonly validationRows: number };
  /** The tfjs backends this browser offers, fastest first, with the adapter or the reason. */
  offers(): Promise<BackendOffer[]>;
  train(request: TrainRequest): Promise<TrainResult>;
}
