import type { Dataset } from '../core/data/types';
import { FitCancelledError, fitPopulation } from '../core/nlme/fit';
import type { FitModelSpec, FitOptions, FitProgress, FitResult } from '../core/nlme/types';
import { VpcCancelledError, visualPredictiveCheckAsync, type VpcResult } from '../core/nlme/vpc';
import type { PopulationModel } from '../core/pkpd/population';
import { PROGRESS_INTERVAL_MS, type VpcRequestOptions } from './fitProtocol';

/**
 * The two jobs of the fit worker, shared by the worker and the main-thread fallback so both
 * behave alike: progress throttled to PROGRESS_INTERVAL_MS, cancellation through `shouldStop`.
 */

/** Calls `emit` at most every PROGRESS_INTERVAL_MS, and always when `force` is set. */
function throttle<T>(emit: (value: T) => void): (value: T, force?: boolean) => void {
  let last = -Infinity;
  return (value, force = false) => {
    const now = Date.now();
    if (!force && now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    emit(value);
  };
}

/**
 * A fit; `shouldStop` cancels it (the promise rejects), `shouldFinish` stops it with its last
 * iterate (the promise resolves with a result marked `cancelled`).
 */
export function runFitJob(
  dataset: Dataset,
  spec: FitModelSpec,
  options: FitOptions | undefined,
  onProgress: (p: FitProgress) => void,
  shouldStop: () => boolean,
  shouldFinish: () => boolean = () => false,
): Promise<FitResult> {
  const post = throttle(onProgress);
  let phase: FitProgress['phase'] | null = null;
  return fitPopulation(dataset, spec, options ?? {}, {
    onProgress: (p) => {
      post(p, p.phase !== phase);
      phase = p.phase;
    },
    shouldStop,
    shouldFinish,
  });
}

/** A VPC that yields between replicates, so `shouldStop` can turn true while it runs. */
export function runVpcJob(
  model: PopulationModel,
  dataset: Dataset,
  options: VpcRequestOptions | undefined,
  onProgress: (done: number, total: number) => void,
  shouldStop: () => boolean,
): Promise<VpcResult> {
  const post = throttle<[number, number]>(([d, t]) => onProgress(d, t));
  return visualPredictiveCheckAsync(model, dataset, {
    ...options,
    onProgress: (done, total) => post([done, total], done === total),
    shouldStop,
  });
}

/** True for the error a job throws when it was told to stop. */
export function isCancellation(err: unknown): boolean {
  return (
    err instanceof FitCancelledError ||
    err instanceof VpcCancelledError ||
    (err instanceof Error && (err.name === 'FitCancelledError' || err.name === 'AbortError'))
  );
}

export { errorText } from './workerJob';
