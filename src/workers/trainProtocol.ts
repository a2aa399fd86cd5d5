import type { TrainJob, TrainOutcome, TrainProgress } from '../core/neural/trainModel';
import type { EpochProgress } from '../core/neural/types';

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

/** A backend that failed during a training run, and what it had trained before it did. */
export interface BackendFailure {
  /** The tfjs backend that failed ('webgpu', 'webgl'), or 'worker' for a worker that died. */
  readonly backend: string;
  /** True when the GPU device was lost (rather than an operation failing on it). */
  readonly deviceLost: boolean;
  /** What went wrong, in the browser's or tfjs's words. */
  readonly cause: string;
  /**
   * The epochs it completed before it failed, as they were reported. The run that follows
   * starts again from epoch 1, so these are not in the model's own history.
   */
  readonly history: readonly EpochProgress[];
}

/** A trained model, and the backends that failed before the one it was trained on. */
export interface TrainJobOutcome extends TrainOutcome {
  /** In the order they failed; empty when the first backend trained the model. */
  readonly failures: readonly BackendFailure[];
}

export type TrainRequest =
  | ({
      readonly type: 'train';
      readonly id: number;
      /**
       * Set when the job is sent again after its worker died: the worker trains on the CPU
       * and gives this as the reason.
       */
      readonly retryReason?: string;
    } & TrainJob)
  /** Stop after the current epoch and answer with the best epoch so far. */
  | { readonly type: 'stop'; readonly id: number };

export type TrainResponse =
  | { readonly type: 'progress'; readonly id: number; readonly progress: TrainProgress }
  | { readonly type: 'result'; readonly id: number; readonly outcome: TrainJobOutcome }
  | { readonly type: 'cancelled'; readonly id: number }
  /** Training failed; `error` says why in the core's words. */
  | { readonly type: 'error'; readonly id: number; readonly error: string };

/**
 * Progress is posted at most this often (ms), plus at every phase change (epochs take about
 * 50–400 ms, so most epochs are posted; the record's history has every one).
 */
export const TRAIN_PROGRESS_INTERVAL_MS = 100;

/**
 * How long (ms) a run whose device was lost gets to unwind (its reads reject, its tensors are
 * freed) before the next backend starts anyway. A read that never settles on a lost device
 * would otherwise hold the retry forever; one that settles late must not switch tfjs's backend
 * under the retry, which is why the retry waits at all.
 */
export const LOST_RUN_GRACE_MS = 3000;
