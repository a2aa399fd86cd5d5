import type { TrainJob, TrainOutcome, TrainProgress } from '../core/neural/trainModel';
import type { TrainRequest, TrainResponse } from './trainProtocol';
import { isAbortError, runWorkerJob, type WorkerJobOptions } from './workerJob';

export type { TrainJob, TrainOutcome, TrainProgress } from '../core/neural/trainModel';

/** Progress (every epoch, at most every TRAIN_PROGRESS_INTERVAL_MS); abort to cancel. */
export type TrainJobOptions = WorkerJobOptions<TrainProgress>;

export interface TrainHandle {
  /** The trained model, or an AbortError when the options' signal was aborted. */
  readonly result: Promise<TrainOutcome>;
  /**
   * Ends training after the current epoch: `result` then resolves with the best epoch so far
   * (stoppedEarly is true). At least one epoch is always trained.
   */
  stop(): void;
}

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
  const result = runWorkerJob<TrainRequest, TrainResponse, TrainOutcome, TrainProgress>(
    {
      what: 'training',
      createWorker: () =>
        new Worker(new URL('./train.worker.ts', import.meta.url), { type: 'module' }),
      request: (id) => ({ type: 'train', id, ...job }),
      // No cancel message: an aborted run's worker is ended at once (tensors and GPU memory
      // go with it), so nothing is left running.
      finishEarly: { signal: stopper.signal, request: (id) => ({ type: 'stop', id }) },
      read: (msg) =>
        msg.type === 'result'
          ? { result: msg.outcome }
          : msg.type === 'progress'
            ? { progress: msg.progress }
            : null,
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
