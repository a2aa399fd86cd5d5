import { populationPredictor } from '../core/models/populationPredictor';
import type { PkPdPredictor } from '../core/models/types';
import { DEMO_TRIAL_DESIGN } from '../core/trial/demoTrial';
import { TRUE_MODEL } from '../core/trial/trueModel';
import type { SavedFitMeta } from './fitFile';
import { DEMO_TRUTH_ID } from './slices/savedFitsSlice';
import { isNeuralModelId, neuralPredictorOf } from './neuralModels';

/**
 * The demo trial's true model. Its "domain" is the trial's design, so the explorer flags doses,
 * intervals and weights the trial never covered, exactly as it does for fitted models.
 */
const demoTruth: PkPdPredictor = populationPredictor(TRUE_MODEL, {
  id: DEMO_TRUTH_ID,
  label: "Demo trial's true model",
  kind: 'true-model',
  domain: {
    doseRange: [
      Math.min(...DEMO_TRIAL_DESIGN.doseGroups.filter((d) => d > 0)),
      Math.max(...DEMO_TRIAL_DESIGN.doseGroups),
    ],
    intervals: [DEMO_TRIAL_DESIGN.interval],
    bwRange: [DEMO_TRIAL_DESIGN.bwRange[0], DEMO_TRIAL_DESIGN.bwRange[1]],
    comedValues: [0, 1],
  },
});

/** One predictor per saved fit description, so selectors return a stable object. */
const fitPredictors = new WeakMap<SavedFitMeta, PkPdPredictor>();

/**
 * A fitted model as a model like any other: its typical patient through the common predictor
 * interface, with the fitted data's doses, intervals, weights and COMED values as its domain.
 */
export function fitPredictor(meta: SavedFitMeta): PkPdPredictor {
  let predictor = fitPredictors.get(meta);
  if (!predictor) {
    predictor = populationPredictor(meta.model, {
      id: meta.id,
      label: `Fit: ${meta.label}`,
      kind: 'mechanistic',
      ...(meta.domain ? { domain: meta.domain } : {}),
    });
    fitPredictors.set(meta, predictor);
  }
  return predictor;
}

/** What chooses the explorer's model (a narrow slice of the store). */
export interface ModelSelection {
  readonly regimenModelId: string;
  readonly savedFits: readonly SavedFitMeta[];
  /** Neural models whose predictors are loaded (see neuralModels.ts). */
  readonly neuralLoaded?: readonly string[];
}

/**
 * The model the Regimen explorer uses: the chosen saved fit or loaded neural model, or the demo
 * trial's true model (the default, and the fallback when the chosen fit was deleted). A neural
 * model that is still loading is not a fallback case: see `activeModelState`.
 */
export function activePredictor(s?: ModelSelection): PkPdPredictor {
  if (!s || s.regimenModelId === DEMO_TRUTH_ID) return demoTruth;
  if (isNeuralModelId(s.regimenModelId)) {
    return (
      (s.neuralLoaded?.includes(s.regimenModelId) && neuralPredictorOf(s.regimenModelId)) ||
      demoTruth
    );
  }
  const meta = s.savedFits.find((f) => f.id === s.regimenModelId);
  return meta ? fitPredictor(meta) : demoTruth;
}

/**
 * Whether the explorer's model can predict now: a neural model loads its weights first (and
 * may fail to); every other model is always ready.
 */
export function activeModelState(
  s: ModelSelection & { readonly neuralLoadErrors?: Readonly<Record<string, string>> },
):
  | { readonly state: 'ready' }
  | { readonly state: 'loading' }
  | { readonly state: 'error'; readonly message: string } {
  if (!isNeuralModelId(s.regimenModelId)) return { state: 'ready' };
  const error = s.neuralLoadErrors?.[s.regimenModelId];
  if (error) return { state: 'error', message: error };
  return s.neuralLoaded?.includes(s.regimenModelId) ? { state: 'ready' } : { state: 'loading' };
}

/** True when the model predicts a biomarker (a PK-only fit does not). */
export function predictsBiomarker(s: ModelSelection): boolean {
  if (s.regimenModelId === DEMO_TRUTH_ID || isNeuralModelId(s.regimenModelId)) return true;
  const meta = s.savedFits.find((f) => f.id === s.regimenModelId);
  return meta ? meta.model.pd !== undefined : true;
}
