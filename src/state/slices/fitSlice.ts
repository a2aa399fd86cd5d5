import type { StateCreator } from 'zustand';
import type { Dataset } from '../../core/data/types';
import { buildFitSpec, defaultModelName } from '../../core/nlme/models';
import type { FitCovariateSpec, FitModelSpec, FitProgress, FitResult } from '../../core/nlme/types';
import { fitInWorker, isCancelled } from '../../workers/fitClient';
import { specProblems } from '../fitSpecEdits';
import { trainingDomainOf } from '../../core/models/trainingDomain';
import type { WorkbenchState } from '../store';

/** Where a fit stands: 'cancelled' and 'error' are idle too, with a message saying what happened. */
export type FitStatus = 'idle' | 'running' | 'done' | 'error' | 'cancelled';

/** One point of the live objective-function chart. */
export interface FitHistoryPoint {
  readonly iteration: number;
  readonly ofv: number;
  /**
   * Estimation stage, from 1. A fit may run stages with different objectives (e.g. PK alone,
   * then PD given PK, then both): a new stage starts when estimation resumes after a 'done' or
   * 'covariance' phase, and OFVs compare only within a stage.
   */
  readonly stage: number;
}

export interface FitRunOptions {
  readonly maxIterations: number;
  /** Compute standard errors (the covariance step). */
  readonly covariance: boolean;
}

/** The live chart keeps at most this many points; beyond, every other one is dropped. */
export const MAX_FIT_HISTORY = 1000;

export interface FitSlice {
  /** The model to fit (a FIT_MODEL_NAMES entry); null until a data set is loaded. */
  fitModelName: string | null;
  /** The specification as edited; what "Fit model" fits. */
  fitSpec: FitModelSpec | null;
  /** The data set the spec's starting values were taken from. */
  fitSpecData: string | null;
  /** The covariate effects the chosen model offers on this data set (on or off in the spec). */
  fitCovariateChoices: FitCovariateSpec[];
  fitOptions: FitRunOptions;
  fitStatus: FitStatus;
  /** What happened to the last run, in plain language (error, cancellation). */
  fitMessage: string | null;
  fitProgress: FitProgress | null;
  fitHistory: FitHistoryPoint[];
  /** Date.now() when the running or last fit started. */
  fitStartedAt: number | null;
  /** The fit shown in the Model fit and Curves panels. */
  fitResult: FitResult | null;
  /** The saved fit `fitResult` is (null while none). */
  currentFitId: string | null;
  chooseFitModel: (name: string) => void;
  /** Applies a pure edit (see fitSpecEdits) to the spec. */
  editFitSpec: (edit: (spec: FitModelSpec) => FitModelSpec) => void;
  /** Back to the model's default spec on the loaded data. */
  resetFitSpec: () => void;
  setFitOptions: (patch: Partial<FitRunOptions>) => void;
  /** Keeps the spec in step with the loaded data set (called when it changes). */
  syncFitSpec: () => void;
  runFit: () => Promise<void>;
  cancelFit: () => void;
}

/**
 * The running fit's controller, outside the store, which holds only serialisable data: Cancel
 * aborts it, and the fit stops with its last iterate (see fitInWorker's `finish`).
 */
let running: AbortController | null = null;

function specFor(
  name: string,
  dataset: Dataset,
): Pick<FitSlice, 'fitModelName' | 'fitSpec' | 'fitSpecData' | 'fitCovariateChoices'> {
  const spec = buildFitSpec(name, dataset);
  return {
    fitModelName: name,
    fitSpec: spec,
    fitSpecData: dataset.name,
    fitCovariateChoices: [...spec.covariates],
  };
}

/**
 * Appends a progress line to the chart series (one point per iteration and stage, bounded
 * length). `previous` is the progress line before `p`.
 */
export function appendHistory(
  history: readonly FitHistoryPoint[],
  p: FitProgress,
  previous: FitProgress | null,
): FitHistoryPoint[] {
  if (p.phase !== 'estimation' || !Number.isFinite(p.ofv) || !Number.isFinite(p.iteration)) {
    return history as FitHistoryPoint[];
  }
  const last = history[history.length - 1];
  const stage = (last?.stage ?? 1) + (last && previous && previous.phase !== 'estimation' ? 1 : 0);
  const point = { iteration: p.iteration, ofv: p.ofv, stage };
  const next =
    last && last.iteration === p.iteration && last.stage === stage
      ? [...history.slice(0, -1), point]
      : [...history, point];
  return next.length > MAX_FIT_HISTORY
    ? next.filter((_, i) => i % 2 === 0 || i === next.length - 1)
    : next;
}

/** What the progress card says after a fit was cancelled (its result card says the rest). */
export function cancelledFitMessage(cancelled: NonNullable<FitResult['cancelled']>): string {
  const k = cancelled.iteration;
  return cancelled.phase === 'covariance'
    ? `Fit cancelled at iteration ${k}, during the covariance step: the estimates are shown without standard errors.`
    : `Fit cancelled at iteration ${k}: the last iterate is shown and saved, not converged.`;
}

function errorMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return `The fit did not finish: ${text}`;
}

export const createFitSlice: StateCreator<WorkbenchState, [], [], FitSlice> = (set, get) => ({
  fitModelName: null,
  fitSpec: null,
  fitSpecData: null,
  fitCovariateChoices: [],
  fitOptions: { maxIterations: 200, covariance: true },
  fitStatus: 'idle',
  fitMessage: null,
  fitProgress: null,
  fitHistory: [],
  fitStartedAt: null,
  fitResult: null,
  currentFitId: null,

  chooseFitModel: (name) => {
    const { dataset } = get();
    if (!dataset) {
      set({ fitModelName: name });
      return;
    }
    try {
      set({ ...specFor(name, dataset), fitMessage: null });
    } catch (err) {
      set({ fitMessage: err instanceof Error ? err.message : String(err) });
    }
  },

  editFitSpec: (edit) => {
    const spec = get().fitSpec;
    if (spec) set({ fitSpec: edit(spec) });
  },

  resetFitSpec: () => {
    const { dataset, fitModelName } = get();
    if (dataset) get().chooseFitModel(fitModelName ?? defaultModelName(dataset));
  },

  setFitOptions: (patch) => set((s) => ({ fitOptions: { ...s.fitOptions, ...patch } })),

  syncFitSpec: () => {
    const { dataset, fitSpec, fitSpecData, fitModelName } = get();
    if (!dataset) return;
    const sameData = fitSpecData === dataset.name;
    if (sameData && fitSpec && fitSpec.name === fitModelName) {
      // A spec restored after a reload: only the covariate menu needs rebuilding.
      try {
        set({ fitCovariateChoices: [...buildFitSpec(fitSpec.name, dataset).covariates] });
        return;
      } catch {
        // The saved spec names a model this version does not know: start afresh below.
      }
    }
    const wanted = sameData && fitModelName ? fitModelName : defaultModelName(dataset);
    try {
      set(specFor(wanted, dataset));
    } catch {
      set(specFor(defaultModelName(dataset), dataset));
    }
  },

  runFit: async () => {
    const { dataset, fitSpec, fitOptions } = get();
    if (running || !dataset || !fitSpec) return;
    const problems = specProblems(fitSpec);
    if (problems.length > 0) {
      set({
        fitStatus: 'error',
        fitMessage: `The model cannot be fitted yet: ${problems.join(' ')}`,
      });
      return;
    }
    const controller = new AbortController();
    running = controller;
    set({
      fitStatus: 'running',
      fitMessage: null,
      fitProgress: null,
      fitHistory: [],
      fitStartedAt: Date.now(),
    });
    try {
      const result = await fitInWorker(dataset, fitSpec, fitOptions, {
        finish: controller.signal,
        onProgress: (p) => {
          if (running !== controller) return;
          set((s) => ({
            fitProgress: p,
            fitHistory: appendHistory(s.fitHistory, p, s.fitProgress),
          }));
        },
      });
      if (running !== controller) return;
      running = null;
      // A cancelled fit keeps its last iterate: shown and saved like any fit, marked as such.
      set(
        result.cancelled
          ? { fitStatus: 'cancelled', fitMessage: cancelledFitMessage(result.cancelled) }
          : { fitStatus: 'done', fitMessage: null },
      );
      await get().rememberFit(result, trainingDomainOf(dataset));
    } catch (err) {
      if (running !== controller) return;
      running = null;
      if (isCancelled(err)) {
        const p = get().fitProgress;
        set({
          fitStatus: 'cancelled',
          fitMessage: p
            ? `Fit cancelled after ${p.iteration} iteration${p.iteration === 1 ? '' : 's'} (last OFV ${p.ofv.toFixed(2)}). Nothing was saved.`
            : 'Fit cancelled before the first iteration. Nothing was saved.',
        });
      } else set({ fitStatus: 'error', fitMessage: errorMessage(err) });
    }
  },

  cancelFit: () => running?.abort(),
});
