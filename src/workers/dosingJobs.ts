import {
  AttainmentCancelledError,
  attainmentResult,
  countsFromRuns,
  findDose,
  maxSteps,
  questionProblems,
  type AttainmentQuestion,
  type AttainmentResult,
} from '../core/dosing/attainment';
import { attainmentWithUncertainty } from '../core/dosing/uncertainty';
import type { ParameterDraws } from '../core/nlme/uncertainty';
import { attainmentRunsGpu, type ComputePreference } from './gpu/attainmentGpu';
import { errorText } from './workerJob';
import {
  runChallenge,
  type ChallengeResult,
  type ChallengeSettings,
} from '../core/dosing/challenge';
import {
  sampleVirtualPopulation,
  type VirtualPopulationSpec,
} from '../core/dosing/virtualPopulation';
import type { TrainingDomain } from '../core/models/types';
import type { PopulationModel } from '../core/pkpd/population';
import {
  DOSING_PROGRESS_INTERVAL_MS,
  type DosingProgress,
  type DosingRequest,
  type DosingResponse,
} from './dosingProtocol';

/**
 * The dosing worker's jobs, shared by the worker and the main-thread fallback so both behave
 * alike: progress throttled to DOSING_PROGRESS_INTERVAL_MS, cancellation through `shouldStop`.
 */

function throttled(emit: (p: DosingProgress) => void): (p: DosingProgress) => void {
  let last = -Infinity;
  let phase: DosingProgress['phase'] | null = null;
  return (p) => {
    const now = Date.now();
    const force = p.phase !== phase || p.done === p.total;
    if (!force && now - last < DOSING_PROGRESS_INTERVAL_MS) return;
    last = now;
    phase = p.phase;
    emit(p);
  };
}

/** Optional parts of a dose search: where it runs, and a parameter-uncertainty band. */
export interface AttainmentJobOptions {
  readonly compute?: ComputePreference;
  /** Replicate populations from a fit's parameter draws (the band becomes parameter uncertainty). */
  readonly uncertainty?: { readonly draws: ParameterDraws; readonly replicates: number };
}

/**
 * Draws the virtual population and finds the smallest dose reaching the target: on WebGPU
 * when the preference and the browser allow it (checked against the CPU), else on the CPU;
 * the result says which and why.
 */
export async function runAttainmentJob(
  model: PopulationModel,
  population: VirtualPopulationSpec,
  question: AttainmentQuestion,
  onProgress: (p: DosingProgress) => void,
  shouldStop: () => boolean,
  opts: AttainmentJobOptions = {},
): Promise<AttainmentResult> {
  if (!model.pd) {
    throw new Error('The model has no biomarker (PD) part: target attainment needs one.');
  }
  const post = throttled(onProgress);
  const problems = questionProblems(question);
  if (problems.length > 0) throw new Error(problems.join(' '));
  if (opts.uncertainty) {
    const result = attainmentWithUncertainty(
      model,
      opts.uncertainty.draws,
      population,
      question,
      { replicates: opts.uncertainty.replicates },
      { shouldStop, onProgress: (done, total) => post({ phase: 'searching', done, total }) },
    );
    return {
      ...result,
      compute: {
        backend: 'cpu',
        note: 'Computed on the CPU (replicate populations for the parameter-uncertainty band).',
      },
    };
  }
  post({ phase: 'sampling', done: 0, total: population.size });
  const subjects = sampleVirtualPopulation(model, population);
  if (shouldStop()) throw new AttainmentCancelledError();
  const onSearch = (done: number, total: number) => post({ phase: 'searching', done, total });
  const gpu =
    opts.compute === 'cpu'
      ? { reason: 'the CPU was chosen' }
      : await attainmentRunsGpu(subjects, question, opts.compute ?? 'auto', {
          shouldStop,
          onProgress: onSearch,
        });
  if ('runs' in gpu) {
    const counts = countsFromRuns(gpu.runs, maxSteps(question));
    return {
      ...attainmentResult(counts, subjects.length, question),
      compute: { backend: 'webgpu', note: gpu.note },
    };
  }
  const result = findDose(subjects, question, { shouldStop, onProgress: onSearch });
  return { ...result, compute: { backend: 'cpu', note: `Computed on the CPU: ${gpu.reason}.` } };
}

/** The challenge's scenarios × regimens × targets for one model. */
export function runChallengeJob(
  model: PopulationModel,
  settings: ChallengeSettings,
  domain: TrainingDomain | undefined,
  onProgress: (p: DosingProgress) => void,
  shouldStop: () => boolean,
): ChallengeResult {
  if (!model.pd) {
    throw new Error('The model has no biomarker (PD) part: target attainment needs one.');
  }
  const post = throttled(onProgress);
  return runChallenge(model, settings, {
    domain,
    shouldStop,
    onProgress: (done, total) => post({ phase: 'searching', done, total }),
  });
}

/** True for the error a job throws when it was told to stop. */
export function isDosingCancellation(err: unknown): boolean {
  return (
    err instanceof AttainmentCancelledError ||
    (err instanceof Error && (err.name === 'AttainmentCancelledError' || err.name === 'AbortError'))
  );
}

/**
 * The worker's message handler, apart from the worker scope so it can be driven directly (the
 * tests hand it to a stand-in Worker). `post` sends a response back.
 */
export function createDosingHandler(
  post: (message: DosingResponse) => void,
): (request: DosingRequest) => Promise<void> {
  const cancelled = new Set<number>();
  return async (request) => {
    const { id } = request;
    if (request.type === 'cancel') {
      cancelled.add(id);
      return;
    }
    const shouldStop = () => cancelled.has(id);
    const progress = (p: DosingProgress) => post({ type: 'progress', id, progress: p });
    try {
      if (request.type === 'attainment') {
        const result = await runAttainmentJob(
          request.model,
          request.population,
          request.question,
          progress,
          shouldStop,
          { compute: request.compute, uncertainty: request.uncertainty },
        );
        post({ type: 'attainment-result', id, result });
      } else {
        const result = runChallengeJob(
          request.model,
          request.settings,
          request.domain,
          progress,
          shouldStop,
        );
        post({ type: 'challenge-result', id, result });
      }
    } catch (err) {
      post(
        isDosingCancellation(err) || cancelled.has(id)
          ? { type: 'cancelled', id }
          : { type: 'error', id, error: errorText(err) },
      );
    } finally {
      cancelled.delete(id);
    }
  };
}
