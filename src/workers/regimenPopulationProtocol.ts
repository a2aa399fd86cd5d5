import type { AttainmentQuestion, AttainmentResult } from '../core/dosing/attainment';
import type { PopulationBands } from '../core/dosing/populationBands';
import type { VirtualPopulationSpec } from '../core/dosing/virtualPopulation';
import type { PopulationModel } from '../core/pkpd/population';
import type { Regimen } from '../core/pkpd/regimen';

/**
 * Messages between the main thread and the Regimen panel's population worker. `id` pairs
 * responses with their request; `type` discriminates. Everything here is plain data (typed
 * arrays included), so it survives structured cloning unchanged. Both jobs run synchronously in
 * the worker, so there is no cancel message: the client ends a superseded job's worker.
 */
export type RegimenPopulationRequest =
  /** Percentile bands of PK and PD over the whole regimen for a virtual population. */
  | {
      readonly type: 'bands';
      readonly id: number;
      readonly model: PopulationModel;
      readonly population: VirtualPopulationSpec;
      readonly regimen: Regimen;
      /** Points on the time grid from the first dose to the end of the last interval. */
      readonly points: number;
    }
  /** Subjects attaining the target at steady state for every dose on the question's grid. */
  | {
      readonly type: 'attainment';
      readonly id: number;
      readonly model: PopulationModel;
      readonly population: VirtualPopulationSpec;
      readonly question: AttainmentQuestion;
    };

export type RegimenPopulationResponse =
  | {
      readonly type: 'progress';
      readonly id: number;
      readonly done: number;
      readonly total: number;
    }
  | { readonly type: 'bands-result'; readonly id: number; readonly result: PopulationBands }
  | { readonly type: 'attainment-result'; readonly id: number; readonly result: AttainmentResult }
  /** The job stopped because it was asked to. */
  | { readonly type: 'cancelled'; readonly id: number }
  /** The job failed; `error` says why in the core's words. */
  | { readonly type: 'error'; readonly id: number; readonly error: string };

/** Progress is posted at most this often (ms), plus at the end. */
export const POPULATION_PROGRESS_INTERVAL_MS = 50;
