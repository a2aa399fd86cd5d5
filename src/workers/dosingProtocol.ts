import type { AttainmentQuestion, AttainmentResult } from '../core/dosing/attainment';
import type { ChallengeResult, ChallengeSettings } from '../core/dosing/challenge';
import type { VirtualPopulationSpec } from '../core/dosing/virtualPopulation';
import type { TrainingDomain } from '../core/models/types';
import type { ParameterDraws } from '../core/nlme/uncertainty';
import type { PopulationModel } from '../core/pkpd/population';
import type { ComputePreference } from './gpu/attainmentGpu';

/**
 * Messages between the main thread and the dosing worker. `id` pairs responses with their
 * request; `type` discriminates. Everything is plain data; the results' attainment counts are
 * Int32Arrays, which structured cloning copies unchanged.
 */
export type DosingRequest =
  | {
      readonly type: 'attainment';
      readonly id: number;
      readonly model: PopulationModel;
      readonly population: VirtualPopulationSpec;
      readonly question: AttainmentQuestion;
      /** Where to run: WebGPU when it helps (auto, the default), always, or never. */
      readonly compute?: ComputePreference;
      /** A parameter-uncertainty band from a fit's draws. */
      readonly uncertainty?: { readonly draws: ParameterDraws; readonly replicates: number };
    }
  | {
      readonly type: 'challenge';
      readonly id: number;
      readonly model: PopulationModel;
      readonly settings: ChallengeSettings;
      readonly domain?: TrainingDomain;
    }
  /** Stop the job with this id (the jobs run synchronously: the client ends the worker too). */
  | { readonly type: 'cancel'; readonly id: number };

/** How far a dosing job is: virtual subjects whose attaining doses are known, of all. */
export interface DosingProgress {
  /** 'sampling' while the virtual population is drawn, then 'searching'. */
  readonly phase: 'sampling' | 'searching';
  readonly done: number;
  readonly total: number;
}

export type DosingResponse =
  | { readonly type: 'progress'; readonly id: number; readonly progress: DosingProgress }
  | { readonly type: 'attainment-result'; readonly id: number; readonly result: AttainmentResult }
  | { readonly type: 'challenge-result'; readonly id: number; readonly result: ChallengeResult }
  /** The job stopped because it was asked to. */
  | { readonly type: 'cancelled'; readonly id: number }
  /** The job failed; `error` says why in the core's words. */
  | { readonly type: 'error'; readonly id: number; readonly error: string };

/** Progress is posted at most this often (ms), plus at the start and the end. */
export const DOSING_PROGRESS_INTERVAL_MS = 100;
