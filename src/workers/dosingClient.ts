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
import { runWorkerJob, type WorkerJobOptions } from './workerJob';

export type { DosingProgress } from './dosingProtocol';

/** Progress at most every DOSING_PROGRESS_INTERVAL_MS; aborting rejects with an AbortError. */
export type DosingJobOptions = WorkerJobOptions<DosingProgress>;

/** True for the rejection of a cancelled dosing job. */
export function isDosingCancelled(err: unknown): boolean {
  return isDosingCancellation(err);
}

/** A job in the dosing worker (see runWorkerJob for the fallbacks). */
function runJob<T>(
  plan: {
    readonly what: string;
    readonly request: (id: number) => DosingRequest;
    readonly read: (msg: DosingResponse) => T | null;
    readonly onMainThread: (
      onProgress: (p: DosingProgress) => void,
      shouldStop: () => boolean,
    ) => T | Promise<T>;
  },
  opts: DosingJobOptions,
): Promise<T> {
  return runWorkerJob<DosingRequest, DosingResponse, T, DosingProgress>(
    {
      what: plan.what,
      createWorker: () =>
        new Worker(new URL('./dosing.worker.ts', import.meta.url), { type: 'module' }),
      request: plan.request,
      // The jobs run synchronously in the worker: it is told, then ended at once.
      cancel: (id) => ({ type: 'cancel', id }),
      read: (msg) => {
        if (msg.type === 'progress') return { progress: msg.progress };
        const result = plan.read(msg);
        return result === null ? null : { result };
      },
      onMainThread: plan.onMainThread,
      isCancellation: isDosingCancellation,
    },
    opts,
  );
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
