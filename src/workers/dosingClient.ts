import type { AttainmentQuestion, AttainmentResult } from '../core/dosing/attainment';
import type { ChallengeResult, ChallengeSettings } from '../core/dosing/challenge';
import type { VirtualPopulationSpec } from '../core/dosing/virtualPopulation';
import type { TrainingDomain } from '../core/models/types';
import type { PopulationModel } from '../core/pkpd/population';
import {
  isDosingCancellation,
  runAttainmentJob,
  runChallengeJob,
  type AttainmentJobOptions,
} from './dosingJobs';
import type { DosingProgress, DosingRequest, DosingResponse } from './dosingProtocol';

export type { DosingProgress } from './dosingProtocol';

export interface DosingJobOptions {
  /** Progress, at most every DOSING_PROGRESS_INTERVAL_MS. */
  readonly onProgress?: (progress: DosingProgress) => void;
  /** Aborting stops the job; the promise rejects with an AbortError at once. */
  readonly signal?: AbortSignal;
}

let nextRequestId = 1;

function cancelledError(what: string): DOMException {
  return new DOMException(`The ${what} was cancelled.`, 'AbortError');
}

/** True for the rejection of a cancelled dosing job. */
export function isDosingCancelled(err: unknown): boolean {
  return isDosingCancellation(err);
}

interface JobPlan<T> {
  readonly what: string;
  readonly request: (id: number) => DosingRequest;
  /** The result in a worker message, or null when the message is not the result. */
  readonly read: (msg: DosingResponse) => T | null;
  /** The same job on the main thread. */
  readonly onMainThread: (
    onProgress: (p: DosingProgress) => void,
    shouldStop: () => boolean,
  ) => T | Promise<T>;
}

/**
 * Runs a job in its own module worker, ended when the answer comes. The jobs run synchronously
 * in the worker, so a cancel ends the worker at once (after telling it, for a worker that reads
 * messages between chunks). Where workers do not exist (Node, old browsers) or the worker
 * fails to start, the same core runs on the main thread, so the caller always gets an answer.
 */
function runJob<T>(plan: JobPlan<T>, opts: DosingJobOptions): Promise<T> {
  const { signal } = opts;
  const onProgress = (p: DosingProgress) => opts.onProgress?.(p);
  if (signal?.aborted) return Promise.reject(cancelledError(plan.what));
  const onMainThread = (): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(cancelledError(plan.what));
      signal?.addEventListener('abort', onAbort, { once: true });
      Promise.resolve()
        .then(() => plan.onMainThread(onProgress, () => signal?.aborted ?? false))
        .then(resolve, (err) => reject(isDosingCancellation(err) ? cancelledError(plan.what) : err))
        .finally(() => signal?.removeEventListener('abort', onAbort));
    });
  if (typeof Worker === 'undefined') return onMainThread();
  let worker: Worker;
  try {
    worker = new Worker(new URL('./dosing.worker.ts', import.meta.url), { type: 'module' });
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
      try {
        worker.postMessage({ type: 'cancel', id } satisfies DosingRequest);
      } catch {
        // The worker is gone already; ending it below is all that is left.
      }
      if (settle()) reject(cancelledError(plan.what));
    }
    worker.onmessage = (event: MessageEvent<DosingResponse>) => {
      const msg = event.data;
      if (msg.id !== id || settled) return;
      heard = true;
      if (msg.type === 'cancelled') return fail(cancelledError(plan.what));
      if (msg.type === 'error') return fail(new Error(msg.error));
      if (msg.type === 'progress') return onProgress(msg.progress);
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

/**
 * Target attainment off the main thread: draws the virtual population from the model and finds
 * the smallest dose on the question's grid that reaches the target fraction.
 */
export function attainmentInWorker(
  model: PopulationModel,
  population: VirtualPopulationSpec,
  question: AttainmentQuestion,
  opts: DosingJobOptions & AttainmentJobOptions = {},
): Promise<AttainmentResult> {
  const { compute, uncertainty } = opts;
  return runJob<AttainmentResult>(
    {
      what: 'dose search',
      request: (id) => ({
        type: 'attainment',
        id,
        model,
        population,
        question,
        ...(compute ? { compute } : {}),
        ...(uncertainty ? { uncertainty } : {}),
      }),
      read: (msg) => (msg.type === 'attainment-result' ? msg.result : null),
      onMainThread: (onProgress, shouldStop) =>
        runAttainmentJob(model, population, question, onProgress, shouldStop, {
          compute,
          uncertainty,
        }),
    },
    opts,
  );
}

/** The challenge's questions for one model off the main thread. */
export function challengeInWorker(
  model: PopulationModel,
  settings: ChallengeSettings,
  domain?: TrainingDomain,
  opts: DosingJobOptions = {},
): Promise<ChallengeResult> {
  return runJob<ChallengeResult>(
    {
      what: 'challenge run',
      request: (id) => ({ type: 'challenge', id, model, settings, domain }),
      read: (msg) => (msg.type === 'challenge-result' ? msg.result : null),
      onMainThread: (onProgress, shouldStop) =>
        runChallengeJob(model, settings, domain, onProgress, shouldStop),
    },
    opts,
  );
}
