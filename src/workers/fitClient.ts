import type { Dataset } from '../core/data/types';
import type { FitModelSpec, FitOptions, FitProgress, FitResult } from '../core/nlme/types';
import type { VpcResult } from '../core/nlme/vpc';
import type { PopulationModel } from '../core/pkpd/population';
import { isCancellation, runFitJob, runVpcJob } from './fitJobs';
import type { FitRequest, FitResponse, VpcRequestOptions } from './fitProtocol';
import {
  cancelledError,
  runWorkerJob,
  type WorkerJobOptions,
  type WorkerJobPlan,
} from './workerJob';

export type JobOptions<P> = WorkerJobOptions<P>;

/**
 * After a cancel message, a fit or VPC worker gets this long (ms) to stop by itself at its next
 * check (between iterations, between replicates) before it is ended.
 */
const FIT_CANCEL_GRACE_MS = 1500;

export { cancelledError };

/** True for the rejection of a cancelled job. */
export function isCancelled(err: unknown): boolean {
  return isCancellation(err);
}

type FitJobPlan<T, P> = Pick<
  WorkerJobPlan<FitRequest, FitResponse, T, P>,
  'what' | 'request' | 'read' | 'onMainThread' | 'cancelGraceMs' | 'finishEarly'
>;

/** A job in the fit worker (see runWorkerJob for the fallbacks). */
function runJob<T, P>(plan: FitJobPlan<T, P>, opts: JobOptions<P>): Promise<T> {
  return runWorkerJob<FitRequest, FitResponse, T, P>(
    {
      ...plan,
      createWorker: () =>
        new Worker(new URL('./fit.worker.ts', import.meta.url), { type: 'module' }),
      cancel: (id) => ({ type: 'cancel', id }),
      isCancellation,
    },
    opts,
  );
}

export interface FitJobOptions extends JobOptions<FitProgress> {
  /**
   * Aborting this stops the fit at its next check and keeps what it has: the promise resolves
   * with the last iterate, a result marked `cancelled` (aborting `signal` instead discards it).
   */
  readonly finish?: AbortSignal;
}

/** Fits a population model off the main thread (see runJob for the fallbacks). */
export function fitInWorker(
  dataset: Dataset,
  spec: FitModelSpec,
  options: FitOptions = {},
  opts: FitJobOptions = {},
): Promise<FitResult> {
  const { finish, ...jobOptions } = opts;
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
      // shouldStop turns true for either signal; on the main thread the fit tells them apart.
      onMainThread: (onProgress, shouldStop) =>
        runFitJob(
          dataset,
          spec,
          options,
          onProgress,
          () => shouldStop() && !(finish?.aborted ?? false),
          () => finish?.aborted ?? false,
        ),
      cancelGraceMs: FIT_CANCEL_GRACE_MS,
      ...(finish
        ? { finishEarly: { signal: finish, request: (id) => ({ type: 'finish', id }) } }
        : {}),
    },
    jobOptions,
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
      onMainThread: (onProgress, shouldStop) =>
        runVpcJob(
          model,
          dataset,
          options,
          (done, total) => onProgress({ done, total }),
          shouldStop,
        ),
      cancelGraceMs: FIT_CANCEL_GRACE_MS,
    },
    opts,
  );
}
