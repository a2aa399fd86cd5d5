import type { CompareEvent, CompareJob, CompareRunOutcome } from './compareProtocol';
import type { CompareRequest, CompareResponse } from './compareProtocol';
import { isAbortError, runWorkerJob } from './workerJob';

export type { CompareEvent, CompareJob, CompareRunOutcome } from './compareProtocol';

export interface CompareRunOptions {
  /** Task starts, epochs (thinned) and every finished cell, in order. */
  readonly onEvent?: (event: CompareEvent) => void;
  /** Aborting ends the worker at once: the running task is lost, the cells sent are not. */
  readonly signal?: AbortSignal;
}

export interface CompareRunHandle {
  /** How the run ended, or an AbortError when the options' signal was aborted. */
  readonly result: Promise<CompareRunOutcome>;
  /**
   * Ends the run after the running task's current epoch: that task is abandoned (no cell) and
   * `result` resolves with paused: true.
   */
  pause(): void;
}

/** True for the rejection of a cancelled run. */
export function isCompareCancelled(err: unknown): boolean {
  return isAbortError(err);
}

/**
 * Runs a sweep's tasks in their own module worker, on the tfjs CPU backend, streaming each
 * finished cell. Two ways to end it early: `pause()` lets the current epoch finish, aborting
 * the signal ends the worker at once. Where Worker is missing, or the worker cannot load, the
 * same job runs in the page (see runWorkerJob).
 */
export function runCompareInWorker(
  job: CompareJob,
  opts: CompareRunOptions = {},
): CompareRunHandle {
  const pauser = new AbortController();
  const result = runWorkerJob<CompareRequest, CompareResponse, CompareRunOutcome, CompareEvent>(
    {
      what: 'comparison',
      createWorker: () =>
        new Worker(new URL('./compare.worker.ts', import.meta.url), { type: 'module' }),
      request: (id) => ({ type: 'run', id, ...job }),
      finishEarly: { signal: pauser.signal, request: (id) => ({ type: 'pause', id }) },
      read: (msg) =>
        msg.type === 'done'
          ? { result: msg.outcome }
          : msg.type === 'event'
            ? { progress: msg.event }
            : null,
      // Loaded only when needed: tfjs stays out of the page's own bundle.
      onMainThread: async (onEvent, shouldStop) => {
        const { runCompareJob } = await import('./compareJobs');
        return runCompareJob(job, onEvent, shouldStop);
      },
      isCancellation: isAbortError,
    },
    { signal: opts.signal, onProgress: opts.onEvent },
  );
  return { result, pause: () => pauser.abort() };
}
