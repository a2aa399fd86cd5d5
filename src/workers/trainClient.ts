import type { TrainJob, TrainProgress } from '../core/neural/trainModel';
import type { EpochProgress } from '../core/neural/types';
import type { BackendFailure, TrainJobOutcome, TrainRequest, TrainResponse } from './trainProtocol';
import { isAbortError, runWorkerJob, type WorkerJobOptions } from './workerJob';

export type { TrainJob, TrainOutcome, TrainProgress } from '../core/neural/trainModel';
export type { BackendFailure, TrainJobOutcome } from './trainProtocol';

/** Progress (every epoch, at most every TRAIN_PROGRESS_INTERVAL_MS); abort to cancel. */
export type TrainJobOptions = WorkerJobOptions<TrainProgress>;

export interface TrainHandle {
  /** The trained model, or an AbortError when the options' signal was aborted. */
  readonly result: Promise<TrainJobOutcome>;
  /**
   * Ends training after the current epoch: `result` then resolves with the best epoch so far
   * (stoppedEarly is true). At least one epoch is always trained.
   */
  stop(): void;
}

/** Backends in words (neuralBackend.ts has the same; importing it would bring tfjs here). */
const BACKEND_WORDS: Readonly<Record<string, string>> = {
  webgpu: 'WebGPU',
  webgl: 'WebGL',
  cpu: 'the CPU',
};

/** True for the rejection of a cancelled training run. */
export function isTrainCancelled(err: unknown): boolean {
  return isAbortError(err);
}

/**
 * Trains and scores a neural model in its own module worker, on the best backend it offers
 * (job.backend). Two ways to end it early: `stop()` keeps what was trained, aborting the
 * signal ends the worker at once and keeps nothing. Where Worker is missing, or the worker
 * cannot load, the same job runs in the page on the CPU (see runWorkerJob).
 */
export function trainInWorker(job: TrainJob, opts: TrainJobOptions = {}): TrainHandle {
  const stopper = new AbortController();
  // What the first worker reported, for the record of its death if it dies.
  let lastBackend = '';
  let history: EpochProgress[] = [];
  let crashed: BackendFailure | null = null;
  const result = runWorkerJob<TrainRequest, TrainResponse, TrainJobOutcome, TrainProgress>(
    {
      what: 'training',
      createWorker: () =>
        new Worker(new URL('./train.worker.ts', import.meta.url), { type: 'module' }),
      request: (id) => ({ type: 'train', id, ...job }),
      // No cancel message: an aborted run's worker is ended at once (tensors and GPU memory
      // go with it), so nothing is left running.
      finishEarly: { signal: stopper.signal, request: (id) => ({ type: 'stop', id }) },
      // A worker that dies mid-run (out of memory, a crashed GPU process) gets one more go in
      // a fresh worker, on the CPU, which needs the least and always starts.
      retryAfterCrash: (id, crash) => {
        crashed = { backend: 'worker', deviceLost: false, cause: crash, history };
        history = [];
        const on = lastBackend ? ` on ${BACKEND_WORDS[lastBackend] ?? lastBackend}` : '';
        const retryReason = `${crash}${on}; training again on the CPU in a fresh worker, from epoch 1.`;
        return { type: 'train', id, ...job, backend: 'cpu', retryReason };
      },
      read: (msg) => {
        if (msg.type === 'result') {
          const failures = crashed ? [crashed, ...msg.outcome.failures] : msg.outcome.failures;
          return { result: { ...msg.outcome, failures } };
        }
        if (msg.type !== 'progress') return null;
        const p = msg.progress;
        lastBackend = p.backend;
        if (p.phase === 'training' && p.epoch > 0) {
          const { epoch, trainLoss, valLoss, bestEpoch } = p;
          history.push({ epoch, trainLoss, valLoss, bestEpoch });
        }
        return { progress: p };
      },
      // Loaded only when needed: tfjs stays out of the page's own bundle.
      onMainThread: async (onProgress, shouldStop) => {
        const { mainThreadBackend, runTrainJob } = await import('./trainJobs');
        return runTrainJob(job, onProgress, shouldStop, mainThreadBackend);
      },
      isCancellation: isAbortError,
    },
    opts,
  );
  return { result, stop: () => stopper.abort() };
}
