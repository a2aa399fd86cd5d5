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
import { runWorkerJob, type WorkerJobOptions } from './workerJob';

export interface PopulationProgress {
  readonly done: number;
  readonly total: number;
}

/** Subjects simulated so far (at most every POPULATION_PROGRESS_INTERVAL_MS); abort to stop. */
export type PopulationJobOptions = WorkerJobOptions<PopulationProgress>;

/** True for the rejection of a cancelled (superseded) job. */
export function isPopulationJobCancelled(err: unknown): boolean {
  return isCancellation(err);
}

/**
 * A job in its own worker, ended when the answer comes or the job is aborted (the jobs are
 * synchronous, so ending the worker is how a superseded one stops at once); see runWorkerJob
 * for the fallbacks.
 */
function runJob<T>(
  plan: {
    readonly what: string;
    readonly request: (id: number) => RegimenPopulationRequest;
    readonly read: (msg: RegimenPopulationResponse) => T | null;
    readonly onMainThread: (
      onProgress: (done: number, total: number) => void,
      shouldStop: () => boolean,
    ) => T;
  },
  opts: PopulationJobOptions,
): Promise<T> {
  return runWorkerJob<RegimenPopulationRequest, RegimenPopulationResponse, T, PopulationProgress>(
    {
      what: plan.what,
      createWorker: () =>
        new Worker(new URL('./regimenPopulation.worker.ts', import.meta.url), { type: 'module' }),
      request: plan.request,
      read: (msg) => {
        if (msg.type === 'progress') return { progress: { done: msg.done, total: msg.total } };
        const result = plan.read(msg);
        return result === null ? null : { result };
      },
      onMainThread: (onProgress, shouldStop) =>
        plan.onMainThread((done, total) => onProgress({ done, total }), shouldStop),
      isCancellation,
    },
    opts,
  );
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
