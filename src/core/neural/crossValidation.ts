import type { Dataset } from '../data/types';
import { createRng, type Rng } from '../util/rng';
import {
  buildFeatureTable,
  buildTrainingData,
  fitScaler,
  scaleFeatures,
  selectRows,
  unscaleTargets,
  type Endpoint,
  type FeatureOptions,
  type FeatureTable,
  type RawEndpointRows,
  type Scaler,
} from './features';
import { trainNetwork } from './networks';
import type { EpochProgress, NeuralConfig, TrainedNetwork, TrainingData } from './types';

/**
 * Subject-level K-fold cross-validation of a neural PK/PD model: every subject is predicted
 * exactly once by a network that never saw it, neither for fitting nor for early stopping
 * (the seed scored its validation subjects, which had also chosen its epoch). Errors are in
 * the data's units: mg/L for concentrations, ng/mL for the biomarker.
 */

/** Share of the non-test subjects held out for early stopping. */
export const DEFAULT_VALIDATION_FRACTION = 0.15;
export const DEFAULT_FOLDS = 5;

/** Options of a training run as the cross-validation passes them to the trainer. */
export interface TrainRunOptions {
  readonly onEpoch?: (p: EpochProgress) => void;
  readonly shouldStop?: () => boolean;
}

/** Trains a network on scaled rows, stopping early on the validation rows. */
export type Trainer = (
  train: TrainingData,
  validation: TrainingData,
  config: NeuralConfig,
  opts?: TrainRunOptions,
) => Promise<TrainedNetwork>;

/** The subjects (dataset indices) of one fold. The three sets are disjoint. */
export interface FoldPlan {
  readonly test: readonly number[];
  readonly validation: readonly number[];
  readonly train: readonly number[];
}

/** A seeded Fisher–Yates shuffle; returns a copy and leaves `items` as it was. */
export function shuffle<T>(items: readonly T[], rng: Rng): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** A subject's stratum: its dose group (placebo subjects have no PK rows; spread them out). */
export function doseGroupOf(ds: Dataset, i: number): number {
  const s = ds.subjects[i];
  return s.doseGroup ?? Math.max(0, ...s.doses.map((d) => d.amt));
}

/**
 * Splits the subjects into `folds` test sets and, for each, a validation set of about
 * `validationFraction` of the rest (at least one subject) and the training set. Subjects are
 * shuffled with `seed`, then ordered by dose group and dealt out in turn, so that every fold
 * and every validation set spans the dose groups (a fold of placebo subjects alone would have
 * no PK rows). Deterministic for a seed.
 */
export function planFolds(
  ds: Dataset,
  folds: number,
  seed: number,
  validationFraction = DEFAULT_VALIDATION_FRACTION,
): FoldPlan[] {
  const n = ds.subjects.length;
  if (!(Number.isInteger(folds) && folds >= 2)) {
    throw new Error(`folds must be a whole number ≥ 2, got ${folds}`);
  }
  if (folds > n)
    throw new Error(`${folds} folds need at least ${folds} subjects; the data have ${n}`);
  if (n - Math.ceil(n / folds) < 2) {
    throw new Error(
      `${n} subjects in ${folds} folds leave fewer than 2 for training and validation`,
    );
  }
  if (!(validationFraction > 0 && validationFraction < 1)) {
    throw new Error(`the validation fraction must be in (0, 1), got ${validationFraction}`);
  }
  const rng = createRng(seed);
  const group = Array.from({ length: n }, (_, i) => doseGroupOf(ds, i));
  // Array.prototype.sort is stable: within a dose group the shuffled order stays.
  const order = shuffle(
    Array.from({ length: n }, (_, i) => i),
    rng,
  ).sort((a, b) => group[a] - group[b]);
  const testSets: number[][] = Array.from({ length: folds }, () => []);
  order.forEach((subject, k) => testSets[k % folds].push(subject));
  return testSets.map((test) => {
    const inTest = new Set(test);
    const rest = order.filter((i) => !inTest.has(i));
    const nVal = Math.min(
      rest.length - 1,
      Math.max(1, Math.round(validationFraction * rest.length)),
    );
    // Evenly spaced through the group-ordered list: a stratified sample.
    const picked = new Set(
      Array.from({ length: nVal }, (_, k) => rest[Math.floor(((k + 0.5) * rest.length) / nVal)]),
    );
    return {
      test: [...test].sort((a, b) => a - b),
      validation: rest.filter((i) => picked.has(i)).sort((a, b) => a - b),
      train: rest.filter((i) => !picked.has(i)).sort((a, b) => a - b),
    };
  });
}

/** Held-out predictions of one endpoint, original scale. */
export interface HeldOutPredictions {
  /** Index of the row's subject in the dataset. */
  readonly subject: number[];
  readonly time: number[];
  readonly observed: number[];
  readonly predicted: number[];
}

export interface FoldResult {
  readonly fold: number;
  /** Subject IDs (as in the data). */
  readonly testSubjects: string[];
  readonly validationSubjects: string[];
  readonly trainSubjects: number;
  /** RMSE over the fold's test rows, mg/L; null when the fold has no PK rows. */
  readonly pkRmse: number | null;
  /** RMSE over the fold's test rows, ng/mL; null when the fold has no PD rows. */
  readonly pdRmse: number | null;
  readonly pkRows: number;
  readonly pdRows: number;
  readonly epochs: number;
  readonly bestEpoch: number;
}

export interface CrossValidationResult {
  readonly config: NeuralConfig;
  readonly featureNames: readonly string[];
  readonly features: FeatureOptions;
  /** Trainable parameters of one network, and how many of them are quantum gate angles. */
  readonly parameters: number;
  readonly quantumParameters: number;
  readonly folds: FoldResult[];
  /** Pooled over every test row of every fold (each subject once): mg/L and ng/mL. */
  readonly pkRmse: number | null;
  readonly pdRmse: number | null;
  readonly pkRows: number;
  readonly pdRows: number;
  readonly predictions: { readonly pk: HeldOutPredictions; readonly pd: HeldOutPredictions };
  /** True when shouldStop ended the run: only the folds listed were done. */
  readonly cancelled: boolean;
}

export interface CrossValidationProgress extends EpochProgress {
  /** 0-based fold being trained, of `folds`. */
  readonly fold: number;
  readonly folds: number;
}

export interface CrossValidationOptions {
  readonly folds?: number;
  /** Seed of the fold split; default config.seed. Fold k trains with seed config.seed + k. */
  readonly seed?: number;
  readonly validationFraction?: number;
  readonly features?: FeatureOptions;
  readonly onProgress?: (p: CrossValidationProgress) => void;
  readonly shouldStop?: () => boolean;
  /** The trainer; default trainNetwork (tests pass a small stand-in). */
  readonly trainer?: Trainer;
}

/** Root mean square of observed − predicted; null when there are no rows. */
export function rmse(observed: ArrayLike<number>, predicted: ArrayLike<number>): number | null {
  if (observed.length !== predicted.length) {
    throw new Error(`${observed.length} observations but ${predicted.length} predictions`);
  }
  if (observed.length === 0) return null;
  let sum = 0;
  for (let i = 0; i < observed.length; i++) sum += (observed[i] - predicted[i]) ** 2;
  return Math.sqrt(sum / observed.length);
}

function emptyPredictions() {
  return {
    subject: [] as number[],
    time: [] as number[],
    observed: [] as number[],
    predicted: [] as number[],
  };
}

/**
 * Predicts held-out rows on the original scale, with their dose histories (which the
 * parameter head simulates and the direct head ignores).
 */
export function predictRows(
  network: TrainedNetwork,
  scaler: Scaler,
  rows: RawEndpointRows,
  endpoint: Endpoint,
): Float64Array {
  if (rows.rows === 0) return new Float64Array(0);
  const x = scaleFeatures(scaler, rows.x, rows.rows);
  const scaled =
    endpoint === 'pk'
      ? network.predictPk(x, rows.rows, undefined, rows.doses)
      : network.predictPd(x, rows.rows, undefined, rows.doses);
  return unscaleTargets(scaler, endpoint, scaled);
}

/**
 * K-fold cross-validation over subjects. For each fold: the scaler is fitted on the training
 * subjects only, the network trains on them and stops early on the validation subjects, and
 * the test subjects' rows are predicted and scored on the original scale.
 */
export async function crossValidate(
  ds: Dataset,
  config: NeuralConfig,
  options: CrossValidationOptions = {},
): Promise<CrossValidationResult> {
  const nFolds = options.folds ?? DEFAULT_FOLDS;
  const features = options.features ?? {};
  const plans = planFolds(ds, nFolds, options.seed ?? config.seed, options.validationFraction);
  const table: FeatureTable = buildFeatureTable(ds, features);
  const trainer = options.trainer ?? trainNetwork;
  const ids = table.subjectIds;
  const results: FoldResult[] = [];
  const held = { pk: emptyPredictions(), pd: emptyPredictions() };
  let parameters = 0;
  let quantumParameters = 0;
  let cancelled = false;
  for (let fold = 0; fold < plans.length; fold++) {
    if (options.shouldStop?.()) {
      cancelled = true;
      break;
    }
    const plan = plans[fold];
    const scaler = fitScaler(table, plan.train, config.logTargets);
    const network = await trainer(
      buildTrainingData(table, scaler, plan.train),
      buildTrainingData(table, scaler, plan.validation),
      { ...config, seed: config.seed + fold },
      {
        onEpoch: (p) => options.onProgress?.({ ...p, fold, folds: plans.length }),
        shouldStop: options.shouldStop,
      },
    );
    try {
      if (options.shouldStop?.()) {
        cancelled = true;
        break;
      }
      parameters = network.parameters;
      quantumParameters = network.quantumParameters;
      const scores: Record<Endpoint, { rmse: number | null; rows: number }> = {
        pk: { rmse: null, rows: 0 },
        pd: { rmse: null, rows: 0 },
      };
      for (const endpoint of ['pk', 'pd'] as const) {
        const rows = selectRows(table[endpoint], plan.test);
        const predicted = predictRows(network, scaler, rows, endpoint);
        scores[endpoint] = { rmse: rmse(rows.y, predicted), rows: rows.rows };
        const h = held[endpoint];
        for (let i = 0; i < rows.rows; i++) {
          h.subject.push(rows.subject[i]);
          h.time.push(rows.time[i]);
          h.observed.push(rows.y[i]);
          h.predicted.push(predicted[i]);
        }
      }
      results.push({
        fold,
        testSubjects: plan.test.map((i) => ids[i]),
        validationSubjects: plan.validation.map((i) => ids[i]),
        trainSubjects: plan.train.length,
        pkRmse: scores.pk.rmse,
        pdRmse: scores.pd.rmse,
        pkRows: scores.pk.rows,
        pdRows: scores.pd.rows,
        epochs: network.epochs,
        bestEpoch: network.bestEpoch,
      });
    } finally {
      network.dispose();
    }
  }
  return {
    config,
    featureNames: table.featureNames,
    features,
    parameters,
    quantumParameters,
    folds: results,
    pkRmse: rmse(held.pk.observed, held.pk.predicted),
    pdRmse: rmse(held.pd.observed, held.pd.predicted),
    pkRows: held.pk.observed.length,
    pdRows: held.pd.observed.length,
    predictions: held,
    cancelled,
  };
}
