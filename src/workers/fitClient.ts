import type { Dataset } from '../core/data/types';
import type { FitModelSpec, FitOptions, FitProgress, FitResult } from '../core/nlme/types';
import type { VpcResult } from '../core/nlme/vpc';
import type { PopulationModel } from '../core/pkpd/population';
import { isCancellation, runFitJob, runVpcJob } from './fitJobs';
import type { FitRequest, FitResponse, VpcRequestOptions } from './fitProtocol';

export interface JobOptions<P> {
  /** Progress, at most every PROGRESS_INTERVAL_MS. */
  readonly onProgress?: (progress: P) => void;
  /** Aborting stops the job; the promise rejects with an AbortError at once. */
  readonly signal?: AbortSignal;
}

/**
 * After a cancel message, a fit worker gets this long (ms) to stop by itself at its next
 * iteration before it is ended; a VPC, which cannot read messages while it runs, is ended at
 * once.
 */
const FIT_CANCEL_GRACE_MS = 1500;

let nextRequestId = 1;

export function cancelledError(what: string): DOMException {
  return new DOMException(`The ${what} was cancelled.`, 'AbortError');
}

/** True for the rejection of a cancelled job. */
export function isCancelled(err: unknown): boolean {
  return isCancellation(err);
}

interface JobPlan<T, P> {
  readonly what: string;
  readonly request: (id: number) => FitRequest;
  /** The answer in a worker message: a result, progress, or nothing for this job. */
  readonly read: (msg: FitResponse) => { result: T } | { progress: P } | null;
  /** The same job on the main thread. */
  readonly onMainThread: (onProgress: (p: P) => void, shouldStop: () => boolean) => Promise<T>;
  readonly cancelGraceMs: number;
}

/**
 * Runs a job in its own module worker, ended when the answer comes. Where workers do not exist
 * (Node, old browsers) or the worker fails to start, the same core runs on the main thread, so
 * the caller always gets an answer. A worker that dies after it started is reported, not re-run
 * on the main thread (a long fit there would freeze the page).
 */
function runJob<T, P>(plan: JobPlan<T, P>, opts: JobOptions<P>): Promise<T> {
  const { signal } = opts;
  const onProgress = (p: P) => opts.onProgress?.(p);
  if (signal?.aborted) return Promise.reject(cancelledError(plan.what));
  const onMainThread = (): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(cancelledError(plan.what));
      signal?.addEventListener('abort', onAbort, { once: true });
      Promise.resolve()
        .then(() => plan.onMainThread(onProgress, () => signal?.aborted ?? false))
        .then(resolve, (err) => reject(isCancellation(err) ? cancelledError(plan.what) : err))
        .finally(() => signal?.removeEventListener('abort', onAbort));
    });
  if (typeof Worker === 'undefined') return onMainThread();
  let worker: Worker;
  try {
    worker = new Worker(new URL('./fit.worker.ts', import.meta.url), { type: 'module' });
  } catch {
    return onMainThread();
  }
  const id = nextRequestId++;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let heard = false;
    const settle = (terminateAfterMs = 0): boolean => {
      if (settled) return false;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (terminateAfterMs > 0) setTimeout(() => worker.terminate(), terminateAfterMs);
      else worker.terminate();
      return true;
    };
    const fail = (error: Error): void => {
      if (settle()) reject(error);
    };
    const fallBack = (): void => {
      if (settle()) onMainThread().then(resolve, reject);
    };
    function onAbort(): void {
      try {
        worker.postMessage({ type: 'cancel', id } satisfies FitRequest);
      } catch {
        // The worker is gone already; ending it below is all that is left.
      }
      if (settle(plan.cancelGraceMs)) reject(cancelledError(plan.what));
    }
    worker.onmessage = (event: MessageEvent<FitResponse>) => {
      const msg = event.data;
      if (msg.id !== id) return;
      heard = true;
      if (msg.type === 'cancelled') return fail(cancelledError(plan.what));
      if (msg.type === 'error') return fail(new Error(msg.error));
      const answer = plan.read(msg);
      if (!answer) return;
      if ('result' in answer) {
        if (settle()) resolve(answer.result);
      } else if (!settled) onProgress(answer.progress);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      // A worker that cannot load (blocked module, old bundle) is not the job's fault.
      if (!heard) fallBack();
      else
        fail(
          new Error(`The ${plan.what} stopped unexpectedly: ${event.message || 'worker error'}`),
        );
    };
    worker.onmessageerror = () =>
      fail(new Error(`The ${plan.what}'s answer could not be read (message error).`));
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      worker.postMessage(plan.request(id));
    } catch (err) {
      // A value that does not clone is a bug in the caller; say so rather than hide it.
      fail(new Error(`Could not send the ${plan.what} to its worker: ${String(err)}`));
    }
  });
}

/** Fits a population model off the main thread (see runJob for the fallbacks). */
export function fitInWorker(
  dataset: Dataset,
  spec: FitModelSpec,
  options: FitOptions = {},
  opts: JobOptions<FitProgress> = {},
): Promise<FitResult> {
  return runJob<FitResult, FitProgress>(
    {
      what: 'fit',
      request: (id) => ({ type: 'fit', id, dataset, spec, options }),
      read: (msg) =>
        msg.type === 'fit-result'
          ? { result: msg.result }
          : msg.type === 'fit-progress'
            ? { progress: msg.progress }
            : null,
      onMainThread: (onProgress, shouldStop) =>
        runFitJob(dataset, spec, options, onProgress, shouldStop),
      cancelGraceMs: FIT_CANCEL_GRACE_MS,
    },
    opts,
  );
}

export interface VpcProgress {
  readonly done: number;
  readonly total: number;
}

/** Runs a visual predictive check off the main thread (see runJob for the fallbacks). */
export function vpcInWorker(
  model: PopulationModel,
  dataset: Dataset,
  options: VpcRequestOptions = {},
  opts: JobOptions<VpcProgress> = {},
): Promise<VpcResult> {
  return runJob<VpcResult, VpcProgress>(
    {
      what: 'VPC',
      request: (id) => ({ type: 'vpc', id, model, dataset, options }),
      read: (msg) =>
        msg.type === 'vpc-result'
          ? { result: msg.result }
          : msg.type === 'vpc-progress'
            ? { progress: { done: msg.done, total: msg.total } }
            : null,
      onMainThread: async (onProgress, shouldStop) =>
        runVpcJob(
          model,
          dataset,
          options,
          (done, total) => onProgress({ done, total }),
          shouldStop,
        ),
      cancelGraceMs: 0,
    },
    opts,
  );
}
