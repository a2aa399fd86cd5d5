import {
  AttainmentCancelledError,
  findDose,
  type AttainmentQuestion,
  type AttainmentResult,
} from '../core/dosing/attainment';
import {
  PopulationBandsCancelledError,
  populationBands,
  type PopulationBands,
} from '../core/dosing/populationBands';
import {
  sampleVirtualPopulation,
  type VirtualPopulationSpec,
} from '../core/dosing/virtualPopulation';
import { timeGrid } from '../core/pkpd/metrics';
import type { PopulationModel } from '../core/pkpd/population';
import { lastDoseTime, regimenToEvents, type Regimen } from '../core/pkpd/regimen';
import { POPULATION_PROGRESS_INTERVAL_MS } from './regimenPopulationProtocol';

/**
 * The two jobs of the population worker, shared by the worker and the main-thread fallback so
 * both behave alike: progress throttled, cancellation through `shouldStop`.
 */

type Progress = (done: number, total: number) => void;

/** Calls `emit` at most every POPULATION_PROGRESS_INTERVAL_MS, and always at the end. */
function throttled(emit: Progress): Progress {
  let last = -Infinity;
  return (done, total) => {
    const now = Date.now();
    if (done < total && now - last < POPULATION_PROGRESS_INTERVAL_MS) return;
    last = now;
    emit(done, total);
  };
}

/** Bands over the regimen as given: time 0 to the end of its last dosing interval. */
export function runBandsJob(
  model: PopulationModel,
  population: VirtualPopulationSpec,
  regimen: Regimen,
  points: number,
  onProgress: Progress,
  shouldStop: () => boolean,
): PopulationBands {
  if (!(regimen.interval > 0))
    throw new Error(`Dosing interval must be > 0 h, got ${regimen.interval}.`);
  if (!(regimen.dose >= 0)) throw new Error(`Dose must be ≥ 0 mg, got ${regimen.dose}.`);
  const r: Regimen = { ...regimen, doses: Math.max(1, Math.floor(regimen.doses)) };
  const end = lastDoseTime(r) + r.interval;
  const times = timeGrid(0, end, end / Math.max(2, Math.floor(points)));
  return populationBands(model, population, regimenToEvents(r), times, {
    onProgress: throttled(onProgress),
    shouldStop,
  });
}

/** Counts of subjects attaining at every dose of the question's grid, and the answer. */
export function runAttainmentJob(
  model: PopulationModel,
  population: VirtualPopulationSpec,
  question: AttainmentQuestion,
  onProgress: Progress,
  shouldStop: () => boolean,
): AttainmentResult {
  if (model.pd === undefined) {
    throw new Error('The model predicts concentrations only: target attainment needs a biomarker.');
  }
  return findDose(sampleVirtualPopulation(model, population), question, {
    onProgress: throttled(onProgress),
    shouldStop,
  });
}

/** True for the error a job throws when it was told to stop. */
export function isCancellation(err: unknown): boolean {
  return (
    err instanceof PopulationBandsCancelledError ||
    err instanceof AttainmentCancelledError ||
    (err instanceof Error &&
      ['PopulationBandsCancelledError', 'AttainmentCancelledError', 'AbortError'].includes(
        err.name,
      ))
  );
}

export { errorText } from './workerJob';
