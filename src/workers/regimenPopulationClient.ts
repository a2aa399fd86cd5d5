import type { AttainmentQuestion, AttainmentResult } from '../core/dosing/attainment';
import type { PopulationBands } from '../core/dosing/populationBands';
import type { VirtualPopulationSpec } from '../core/dosing/virtualPopulation';
import type { PopulationModel } from '../core/pkpd/population';
import type { Regimen } from '../core/pkpd/regimen';
import { isCancellation, runAttainmentJob, runBandsJob } from './regimenPopulationJobs';
import type {
  RegimenPopulationRequest,
  RegimenPopulationResponse,
} from './regimenPopulationProtocol';

export interface PopulationProgress {
  readonly done: number;
  readonly total: number;
}

export interface PopulationJobOptions {
  /** Subjects simulated so far, at most every POPULATION_PROGRESS_INTERVAL_MS. */
  readonly onProgress?: (progress: PopulationProgress) => void;
  /** Aborting stops the job (its worker is ended); the promise rejects with an AbortError. */
  readonly signal?: AbortSignal;
}

let nextRequestId = 1;

function cancelledError(what: string): DOMException {
  return new DOMException(`The ${what} was cancelled.`, 'AbortError');
}

/** True for the rejection of a cancelled (superseded) job. */
export function isPopulationJobCancelled(err: unknown): boolean {
  return isCancellation(err);
}

interface JobPlan<T> {
  readonly what: string;
  readonly request: (id: number) => RegimenPopulationRequest;
  readonly read: (msg: RegimenPopulationResponse) => T | null;
  /** The same job on the main thread. */
  readonly onMainThread: (
    onProgress: (done: number, total: number) => void,
    shouldStop: () => boolean,
  ) => T;
}

/**
 * Runs a job in its own module worker, ended when the answer comes or the job is aborted (the
 * jobs are synchronous, so ending the worker is how a superseded one stops at once). Where
 * workers do not exist (Node, old browsers) or the worker fails to load, the same core runs on
 * the main thread, so the caller always gets an answer.
 */
function runJob<T>(plan: JobPlan<T>, opts: PopulationJobOptions): Promise<T> {
  const { signal } = opts;
  const progress = (done: number, total: number) => opts.onProgress?.({ done, total });
  if (signal?.aborted) return Promise.reject(cancelledError(plan.what));
  const onMainThread = (): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(cancelledError(plan.what));
      signal?.addEventListener('abort', onAbort, { once: true });
      // A macrotask first, so an abort that follows this call at once is seen before the work.
      setTimeout(() => {
        if (signal?.aborted) return;
        try {
          resolve(plan.onMainThread(progress, () => signal?.aborted ?? false));
        } catch (err) {
          reject(isCancellation(err) ? cancelledError(plan.what) : err);
        } finally {
          signal?.removeEventListener('abort', onAbort);
        }
      }, 0);
    });
  if (typeof Worker === 'undefined') return onMainThread();
  let worker: Worker;
  try {
    worker = new Worker(new URL('./regimenPopulation.worker.ts', import.meta.url), {
      type: 'module',
    });
  } catch {
    return onMainThread();
  }
  const id = nextRequestId++;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let heard = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      worker.terminate();
      return true;
    };
    const fail = (error: Error): void => {
      if (settle()) reject(error);
    };
    function onAbort(): void {
      if (settle()) reject(cancelledError(plan.what));
    }
    worker.onmessage = (event: MessageEvent<RegimenPopulationResponse>) => {
      const msg = event.data;
      if (msg.id !== id) return;
      heard = true;
      if (msg.type === 'cancelled') return fail(cancelledError(plan.what));
      if (msg.type === 'error') return fail(new Error(msg.error));
      if (msg.type === 'progress') {
        if (!settled) progress(msg.done, msg.total);
        return;
      }
      const result = plan.read(msg);
      if (result !== null && settle()) resolve(result);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      // A worker that cannot load (blocked module, old bundle) is not the job's fault.
      if (!heard) {
        if (settle()) onMainThread().then(resolve, reject);
      } else {
        fail(
          new Error(`The ${plan.what} stopped unexpectedly: ${event.message || 'worker error'}`),
        );
      }
    };
    worker.onmessageerror = () =>
      fail(new Error(`The ${plan.what}'s answer could not be read (message error).`));
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      worker.postMessage(plan.request(id));
    } catch (err) {
      fail(new Error(`Could not send the ${plan.what} to its worker: ${String(err)}`));
    }
  });
}

/** Percentile bands of PK and PD under a regimen for a virtual population, off the main thread. */
export function bandsInWorker(
  model: PopulationModel,
  population: VirtualPopulationSpec,
  regimen: Regimen,
  points: number,
  opts: PopulationJobOptions = {},
): Promise<PopulationBands> {
  return runJob<PopulationBands>(
    {
      what: 'population simulation',
      request: (id) => ({ type: 'bands', id, model, population, regimen, points }),
      read: (msg) => (msg.type === 'bands-result' ? msg.result : null),
      onMainThread: (onProgress, shouldStop) =>
        runBandsJob(model, population, regimen, points, onProgress, shouldStop),
    },
    opts,
  );
}

/**
 * Target attainment at steady state for every dose on the question's grid, off the main thread:
 * once it is back, any dose's fraction is a look-up (attainmentAt).
 */
export function attainmentInWorker(
  model: PopulationModel,
  population: VirtualPopulationSpec,
  question: AttainmentQuestion,
  opts: PopulationJobOptions = {},
): Promise<AttainmentResult> {
  return runJob<AttainmentResult>(
    {
      what: 'target attainment',
      request: (id) => ({ type: 'attainment', id, model, population, question }),
      read: (msg) => (msg.type === 'attainment-result' ? msg.result : null),
      onMainThread: (onProgress, shouldStop) =>
        runAttainmentJob(model, population, question, onProgress, shouldStop),
    },
    opts,
  );
}
