import type { Dataset } from '../core/data/types';
import type { FitModelSpec, FitOptions, FitProgress, FitResult } from '../core/nlme/types';
import type { VpcResult } from '../core/nlme/vpc';
import type { PopulationModel } from '../core/pkpd/population';

/**
 * Messages between the main thread and the fit worker. `id` pairs responses with their request;
 * `type` discriminates. Everything here is plain data (the data set, spec and results hold no
 * functions or class instances), so it survives structured cloning unchanged.
 */

/** The VPC options that travel (callbacks stay on each side). */
export interface VpcRequestOptions {
  readonly replicates?: number;
  readonly seed?: number;
  readonly percentiles?: readonly number[];
  readonly bins?: number | 'auto';
  readonly predictionCorrected?: boolean;
}

export type FitRequest =
  | {
      readonly type: 'fit';
      readonly id: number;
      readonly dataset: Dataset;
      readonly spec: FitModelSpec;
      readonly options?: FitOptions;
    }
  | {
      readonly type: 'vpc';
      readonly id: number;
      readonly model: PopulationModel;
      readonly dataset: Dataset;
      readonly options?: VpcRequestOptions;
    }
  /** Stop the job with this id at its next check (a fit checks between iterations). */
  | { readonly type: 'cancel'; readonly id: number }
  /**
   * Stop the fit with this id at its next check and answer with what it has: a 'fit-result'
   * whose result is marked `cancelled` (the last iterate).
   */
  | { readonly type: 'finish'; readonly id: number };

export type FitResponse =
  | { readonly type: 'fit-progress'; readonly id: number; readonly progress: FitProgress }
  | { readonly type: 'fit-result'; readonly id: number; readonly result: FitResult }
  | {
      readonly type: 'vpc-progress';
      readonly id: number;
      readonly done: number;
      readonly total: number;
    }
  | { readonly type: 'vpc-result'; readonly id: number; readonly result: VpcResult }
  /** The job stopped because it was asked to. */
  | { readonly type: 'cancelled'; readonly id: number }
  /** The job failed; `error` says why in the core's words (it names the parameter or subject). */
  | { readonly type: 'error'; readonly id: number; readonly error: string };

/** Progress is posted at most this often (ms), plus at every phase change and at the end. */
export const PROGRESS_INTERVAL_MS = 50;
