import type { Dataset } from '../data/types';
import { planFolds, predictRows, rmse, type FoldPlan } from '../neural/crossValidation';
import {
  buildFeatureTable,
  buildTrainingData,
  fitScaler,
  PD_DVID,
  preDoseBiomarker,
  selectRows,
  type FeatureOptions,
  type FeatureTable,
  type RawEndpointRows,
} from '../neural/features';
import { trainNetwork } from '../neural/networks';
import type { EpochProgress } from '../neural/types';
import { FoceProblem, objective } from '../nlme/foce';
import { fitPopulation, FitCancelledError, specAtEstimates } from '../nlme/fit';
import { buildFitSpec } from '../nlme/models';
import type { FitModelSpec, FitResult } from '../nlme/types';
import { simulatePkPd } from '../pkpd/pd';
import { typicalParameters, type PopulationModel } from '../pkpd/population';
import type { PkPdParameters } from '../pkpd/types';
import { thresholdOutcomes } from './outcome';
import { candidateOf, dataFingerprint } from './profiles';
import type { CompareCandidate, CompareCell, ComparePlan, CompareTask } from './types';

/**
 * One task of a comparison: a candidate trained (or fitted) on one fold of one seed's split and
 * scored on that fold's test subjects, which neither training nor early stopping saw.
 *
 * - The split is crossValidation's planFolds(ds, plan.folds, task.seed): the same for every
 *   candidate of a seed. A network trains on the fold's training subjects and stops early on its
 *   validation subjects, with seed task.seed + task.fold (as crossValidate seeds fold k), so a
 *   cell is reproducible on its own. The mechanistic model has no early stopping: it is fitted
 *   (FOCE-I, staged, no covariance step) to the training and validation subjects together, the
 *   same subjects the networks learn from, and scored by its typical-value predictions for each
 *   test subject's covariates and doses; the candidate that reads the pre-dose biomarker, by
 *   each test subject's individual predictions with η estimated from that observation.
 * - Scored rows are crossValidation's: every PK and PD observation of the test subjects, except
 *   that a candidate reading the pre-dose biomarker does not score the pre-dose observation it
 *   reads. When a plan mixes candidates with and without that input, every candidate leaves the
 *   pre-dose observations out of its error (it still trains on them), so that all are scored on
 *   the same rows. RMSE pooled over the fold's rows, in mg/L and ng/mL.
 */

/** Thrown when `shouldStop` ends a task part-way: a half-trained model is not scored. */
export class CompareCancelledError extends Error {
  constructor() {
    super('The comparison task was stopped.');
    // The name the workers recognise as a cancellation (workerJob.isAbortError).
    this.name = 'AbortError';
  }
}

export interface CompareTaskOptions {
  readonly shouldStop?: () => boolean;
  /**
   * Progress within the task: a network's epochs; for the mechanistic fit, its outer iterations
   * as `epoch`, with the objective function value as `trainLoss` and NaN as `valLoss`.
   */
  readonly onEpoch?: (p: EpochProgress) => void;
}

/** Prediction timing repeats a pass until this much time has been spent, ms (or MAX passes). */
const MIN_TIMING_MS = 50;
const MAX_TIMING_PASSES = 10;

/** Mean wall time of `pass`, ms, over repeated passes (callers run it once first, untimed: warm-up). */
function timePerPass(pass: () => void): number {
  let passes = 0;
  const started = performance.now();
  let elapsed = 0;
  while (passes < MAX_TIMING_PASSES && (passes === 0 || elapsed < MIN_TIMING_MS)) {
    pass();
    passes++;
    elapsed = performance.now() - started;
  }
  return elapsed / passes;
}

/** Whether a candidate reads the pre-dose biomarker. */
function readsBaseline(c: CompareCandidate): boolean {
  return c.inputs === 'covariates-doses-baseline';
}

/** The feature options a candidate trains with, and those its error is scored on. */
export function compareFeatureOptions(
  plan: ComparePlan,
  candidate: CompareCandidate,
): { readonly train: FeatureOptions; readonly score: FeatureOptions } {
  const baseline = readsBaseline(candidate);
  const mixed =
    plan.candidates.some(readsBaseline) && plan.candidates.some((c) => !readsBaseline(c));
  return {
    train: { baseline },
    score: { baseline, ...(mixed && !baseline ? { excludePreDose: true } : {}) },
  };
}

/** What either kind of candidate gives back for scoring. */
interface Scored {
  readonly pk: RawEndpointRows;
  readonly pd: RawEndpointRows;
  readonly pkPredicted: ArrayLike<number>;
  readonly pdPredicted: ArrayLike<number>;
  readonly parameters: number;
  readonly quantumParameters: number;
  readonly trainSeconds: number;
  readonly predictMsPer1000: number;
}

/**
 * The subjects of a task's fold: planFolds of the task's seed, whatever the candidate, so every
 * candidate of a seed is trained and scored on the same split.
 */
export function foldOf(ds: Dataset, plan: ComparePlan, task: CompareTask): FoldPlan {
  if (!plan.seeds.includes(task.seed)) {
    throw new Error(`Seed ${task.seed} is not one of the plan's (${plan.seeds.join(', ')})`);
  }
  if (!(Number.isInteger(task.fold) && task.fold >= 0 && task.fold < plan.folds)) {
    throw new Error(`Fold ${task.fold} is outside the plan's 0–${plan.folds - 1}`);
  }
  return planFolds(ds, plan.folds, task.seed)[task.fold];
}

/** Runs one task of `plan` on `ds` and scores it. Throws CompareCancelledError when stopped. */
export async function runCompareTask(
  ds: Dataset,
  plan: ComparePlan,
  task: CompareTask,
  opts: CompareTaskOptions = {},
): Promise<CompareCell> {
  const fingerprint = dataFingerprint(ds);
  if (fingerprint !== plan.dataFingerprint) {
    throw new Error(
      `The data (${ds.name}) are not those the comparison was planned on (${plan.dataLabel}): fingerprint ${fingerprint}, expected ${plan.dataFingerprint}`,
    );
  }
  const candidate = candidateOf(plan, task.candidateKey);
  const fold = foldOf(ds, plan, task);
  const options = compareFeatureOptions(plan, candidate);
  const trainTable = buildFeatureTable(ds, options.train);
  const scoreTable =
    options.score.excludePreDose === true ? buildFeatureTable(ds, options.score) : trainTable;
  const scored =
    candidate.kind === 'mechanistic'
      ? await runMechanistic(ds, candidate, fold, scoreTable, opts)
      : await runNeural(candidate, task, fold, trainTable, scoreTable, opts);
  const outcome = thresholdOutcomes(
    fold.test,
    (i) => ds.subjects[i].doses,
    {
      subject: scored.pd.subject,
      time: scored.pd.time,
      observed: scored.pd.y,
      predicted: scored.pdPredicted,
    },
    plan.threshold,
  );
  return {
    candidateKey: task.candidateKey,
    seed: task.seed,
    fold: task.fold,
    pkRmse: rmse(scored.pk.y, scored.pkPredicted),
    pdRmse: rmse(scored.pd.y, scored.pdPredicted),
    pkRows: scored.pk.rows,
    pdRows: scored.pd.rows,
    parameters: scored.parameters,
    quantumParameters: scored.quantumParameters,
    trainSeconds: scored.trainSeconds,
    predictMsPer1000: scored.predictMsPer1000,
    outcomeCorrect: outcome.correct,
    outcomeSubjects: outcome.subjects,
  };
}

/** ms per 1,000 predictions from the time of one pass over `rows` predictions. */
function per1000(ms: number, rows: number): number {
  return rows > 0 ? (1000 * ms) / rows : 0;
}

async function runNeural(
  candidate: CompareCandidate,
  task: CompareTask,
  fold: FoldPlan,
  trainTable: FeatureTable,
  scoreTable: FeatureTable,
  opts: CompareTaskOptions,
): Promise<Scored> {
  if (!candidate.config) throw new Error(`Candidate ${candidate.key} has no network configuration`);
  const config = { ...candidate.config, seed: task.seed + task.fold };
  const scaler = fitScaler(trainTable, fold.train, config.logTargets);
  const train = buildTrainingData(trainTable, scaler, fold.train);
  const validation = buildTrainingData(trainTable, scaler, fold.validation);
  const started = performance.now();
  const network = await trainNetwork(train, validation, config, {
    ...(opts.onEpoch ? { onEpoch: opts.onEpoch } : {}),
    ...(opts.shouldStop ? { shouldStop: opts.shouldStop } : {}),
  });
  const trainSeconds = (performance.now() - started) / 1000;
  try {
    if (opts.shouldStop?.()) throw new CompareCancelledError();
    const pk = selectRows(scoreTable.pk, fold.test);
    const pd = selectRows(scoreTable.pd, fold.test);
    const pkPredicted = predictRows(network, scaler, pk, 'pk');
    const pdPredicted = predictRows(network, scaler, pd, 'pd');
    const ms = timePerPass(() => {
      predictRows(network, scaler, pk, 'pk');
      predictRows(network, scaler, pd, 'pd');
    });
    return {
      pk,
      pd,
      pkPredicted,
      pdPredicted,
      parameters: network.parameters,
      quantumParameters: network.quantumParameters,
      trainSeconds,
      predictMsPer1000: per1000(ms, pk.rows + pd.rows),
    };
  } finally {
    network.dispose();
  }
}

/** The data set cut to some subjects (dataset indices), records included. */
function subsetOf(ds: Dataset, subjects: readonly number[]): Dataset {
  const picked = [...subjects].sort((a, b) => a - b).map((i) => ds.subjects[i]);
  const ids = new Set(picked.map((s) => s.id));
  return { ...ds, subjects: picked, records: ds.records.filter((r) => ids.has(r.id)) };
}

/**
 * Typical-value (η = 0) predictions of a population model for rows of a data set: each subject
 * simulated once under its own dose records at the union of its PK and PD row times.
 */
export function populationRowPredictions(
  ds: Dataset,
  model: PopulationModel,
  pk: RawEndpointRows,
  pd: RawEndpointRows,
): { readonly pk: Float64Array; readonly pd: Float64Array } {
  return rowPredictions(ds, (si) => typicalParameters(model, ds.subjects[si].covariates), pk, pd);
}

/**
 * Each subject's structural parameters given its pre-dose biomarker: the conditional mode
 * (empirical Bayes estimate) of its η under the fitted model from only its PD observations at or
 * before its first dose — what a clinic knows of a new patient before the first dose, and what
 * the networks that read the pre-dose biomarker know. A subject without such an observation
 * keeps its typical values (η = 0). `subjects`: dataset indices.
 */
export function preDoseIndividualParameters(
  ds: Dataset,
  spec: FitModelSpec,
  fit: FitResult,
  subjects: readonly number[],
): Map<number, PkPdParameters> {
  const out = new Map<number, PkPdParameters>();
  const indexById = new Map<string, number>();
  const preDose = subjects.flatMap((si) => {
    const s = ds.subjects[si];
    out.set(si, typicalParameters(fit.model, s.covariates));
    const pre = preDoseBiomarker(s);
    if (!pre) return [];
    indexById.set(s.id, si);
    const observations = s.observations.filter((o) => o.dvid === PD_DVID && o.time <= pre.until);
    return [{ ...s, observations }];
  });
  if (preDose.length === 0) return out;
  const problem = new FoceProblem(
    { ...ds, subjects: preDose, records: [] },
    specAtEstimates(spec, fit),
  );
  const etas = problem.etaHat;
  if (!Number.isFinite(objective(problem, problem.x0, etas, etas))) {
    throw new Error('The fitted model cannot be evaluated on the test subjects’ pre-dose data');
  }
  const pop = problem.decode(problem.x0);
  const values = new Float64Array(problem.spec.parameters.length);
  problem.subjects.forEach((s, i) => {
    problem.individualValues(problem.typicalValues(pop, s), etas[i], values);
    out.set(indexById.get(s.id) as number, problem.structural(values, s));
  });
  return out;
}

/** Predictions for rows of a data set, each subject simulated with `parametersOf(subject)`. */
function rowPredictions(
  ds: Dataset,
  parametersOf: (subject: number) => PkPdParameters,
  pk: RawEndpointRows,
  pd: RawEndpointRows,
): { readonly pk: Float64Array; readonly pd: Float64Array } {
  const out = { pk: new Float64Array(pk.rows), pd: new Float64Array(pd.rows) };
  const subjects = new Set<number>([...pk.subject, ...pd.subject]);
  for (const si of subjects) {
    const s = ds.subjects[si];
    const times = new Set<number>();
    for (const rows of [pk, pd]) {
      for (let i = 0; i < rows.rows; i++) if (rows.subject[i] === si) times.add(rows.time[i]);
    }
    const grid = Float64Array.from(times).sort();
    let sim;
    try {
      sim = simulatePkPd(parametersOf(si), s.doses, grid);
    } catch (err) {
      throw new Error(
        `Subject ${s.id}: the fitted model cannot be simulated (${err instanceof Error ? err.message : String(err)})`,
        { cause: err },
      );
    }
    const at = new Map<number, number>();
    grid.forEach((t, k) => at.set(t, k));
    for (let i = 0; i < pk.rows; i++) {
      if (pk.subject[i] === si) out.pk[i] = sim.concentration[at.get(pk.time[i]) as number];
    }
    for (let i = 0; i < pd.rows; i++) {
      if (pd.subject[i] !== si) continue;
      out.pd[i] = sim.biomarker ? sim.biomarker[at.get(pd.time[i]) as number] : NaN;
    }
  }
  return out;
}

async function runMechanistic(
  ds: Dataset,
  candidate: CompareCandidate,
  fold: FoldPlan,
  scoreTable: FeatureTable,
  opts: CompareTaskOptions,
): Promise<Scored> {
  if (!candidate.fitModel) throw new Error(`Candidate ${candidate.key} names no fit model`);
  const fitData = subsetOf(ds, [...fold.train, ...fold.validation]);
  const spec = buildFitSpec(candidate.fitModel, fitData);
  const started = performance.now();
  let fit;
  try {
    fit = await fitPopulation(
      fitData,
      spec,
      { covariance: false },
      {
        onProgress: (p) =>
          opts.onEpoch?.({
            epoch: p.iteration,
            trainLoss: p.ofv,
            valLoss: NaN,
            bestEpoch: p.iteration,
          }),
        ...(opts.shouldStop ? { shouldStop: opts.shouldStop } : {}),
      },
    );
  } catch (err) {
    if (err instanceof FitCancelledError) throw new CompareCancelledError();
    throw err;
  }
  const trainSeconds = (performance.now() - started) / 1000;
  if (opts.shouldStop?.()) throw new CompareCancelledError();
  const pk = selectRows(scoreTable.pk, fold.test);
  const pd = selectRows(scoreTable.pd, fold.test);
  const predict = () => {
    if (candidate.inputs === 'covariates-doses') {
      return populationRowPredictions(ds, fit.model, pk, pd);
    }
    // Reading the pre-dose biomarker: each test subject's η from it, then its curve.
    const individual = preDoseIndividualParameters(ds, spec, fit, fold.test);
    return rowPredictions(ds, (si) => individual.get(si) as PkPdParameters, pk, pd);
  };
  const predicted = predict();
  const ms = timePerPass(predict);
  return {
    pk,
    pd,
    pkPredicted: predicted.pk,
    pdPredicted: predicted.pd,
    // Estimated population parameters: fixed effects, covariate effects, ω and σ.
    parameters: fit.nParameters,
    quantumParameters: 0,
    trainSeconds,
    predictMsPer1000: per1000(ms, pk.rows + pd.rows),
  };
}
