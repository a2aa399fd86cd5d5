import type { TrainJob, TrainOutcome, TrainProgress } from '../core/neural/trainModel';

/**
 * Messages between the main thread and the training worker (one worker per training run).
 * The worker picks its tfjs backend once, trains, streams the losses, and answers with the
 * trained model as a plain record (weights as Float32Arrays) plus the held-out predictions.
 *
 * The job, progress and outcome are plain data defined in the core (core/neural/trainModel.ts),
 * which trains the same way on the main thread and in Node; they are re-exported here under the
 * same names.
 */
export type {
  BackendPreference,
  TrainJob,
  TrainOutcome,
  TrainProgress,
} from '../core/neural/trainModel';

export type TrainRequest =
  | ({ readonly type: 'train'; readonly id: number } & TrainJob)
  /** Stop after the current epoch and answer with the best epoch so far. */
  | { readonly type: 'stop'; readonly id: number };

export type TrainResponse =
  | { readonly type: 'progress'; readonly id: number; readonly progress: TrainProgress }
  | { readonly type: 'result'; readonly id: number; readonly outcome: TrainOutcome }
  | { readonly type: 'cancelled'; readonly id: number }
  /** Training failed; `error` says why in the core's words. */
  | { readonly type: 'error'; readonly id: number; readonly error: string };

/**
 * Progress is posted at most this often (ms), plus at every phase change (epochs take about
 * 50–400 ms, so most epochs are posted; the record's history has every one).
 */
export const TRAIN_PROGRESS_INTERVAL_MS = 100;
