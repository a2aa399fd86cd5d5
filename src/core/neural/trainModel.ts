import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../data/types';
import { trainingDomainOf } from '../models/trainingDomain';
import { createRng } from '../util/rng';
import {
  DEFAULT_VALIDATION_FRACTION,
  doseGroupOf,
  predictRows,
  rmse,
  shuffle,
  type FoldPlan,
  type HeldOutPredictions,
} from './crossValidation';
import {
  buildFeatureTable,
  buildTrainingData,
  fitScaler,
  selectRows,
  type FeatureOptions,
} from './features';
import type { NeuralModelRecord } from './modelFile';
import { restoreNetwork, trainNetwork } from './networks';
import type { EpochProgress, NeuralConfig, TrainedNetwork } from './types';

/**
 * One neural PK/PD model trained for keeps: the subjects are split once into training,
 * validation (early stopping) and test (scoring) sets, the network trains, the test subjects
 * are predicted, and everything needed to predict again is returned as a NeuralModelRecord.
 * Cross-validation (crossValidation.ts) answers "how good is this configuration"; this module
 * makes the model a user then keeps, saves and doses with.
 *
 * The job and progress types are plain data shared with the training worker (which re-exports
 * them from its protocol file): the core cannot import from the workers.
 */

/** Which tfjs backend to train on: the best available (webgpu → webgl → cpu), or one. */
export type BackendPreference = 'auto' | 'webgpu' | 'webgl' | 'cpu';

export interface TrainJob {
  readonly dataset: Dataset;
  /** The data's name as the user knows it (file name or "Demo trial"). */
  readonly dataLabel: string;
  /** The saved model's name. */
  readonly label: string;
  readonly config: NeuralConfig;
  readonly features: FeatureOptions;
  readonly backend: BackendPreference;
  /** Share of subjects held out as test subjects (never trained on, never early-stopped on). */
  readonly testFraction: number;
  /** Seed of the subject split (the network's own seed is config.seed). */
  readonly splitSeed: number;
}

/**
 * Where a training run is. Before the first epoch ('starting') the epoch is 0 and the losses
 * are NaN (none yet); during 'scoring' they are those of the last epoch trained.
 */
export interface TrainProgress {
  readonly phase: 'starting' | 'training' | 'scoring';
  /** The backend that runs, and why it is not WebGPU (empty when it is). */
  readonly backend: string;
  readonly backendReason: string;
  readonly epoch: number;
  readonly maxEpochs: number;
  readonly trainLoss: number;
  readonly valLoss: number;
  readonly bestEpoch: number;
}

export interface TrainOutcome {
  readonly record: NeuralModelRecord;
  /** The test subjects' observations and predictions (original units), for plots. */
  readonly heldOut: { readonly pk: HeldOutPredictions; readonly pd: HeldOutPredictions };
  /** True when a stop request ended training before early stopping did. */
  readonly stoppedEarly: boolean;
  /** tf.memory().numTensors before and after the run (equal: nothing leaked). */
  readonly tensors: { readonly before: number; readonly after: number };
}

/** What trainNeuralModel needs besides the job: where it runs, and how it reports and stops. */
export interface TrainModelOptions {
  /** The tfjs backend already chosen and running (it is recorded with the model). */
  readonly backend: string;
  /** Why it is not WebGPU, in words (empty when it is). */
  readonly backendReason?: string;
  readonly onProgress?: (p: TrainProgress) => void;
  /**
   * Polled between epochs; true ends training with the best epoch so far. At least one epoch
   * always runs, so there is a trained model to answer with.
   */
  readonly shouldStop?: () => boolean;
  /** Clock in ms for the training time (default Date.now). */
  readonly now?: () => number;
  /** The record's id (default: derived from the creation time and the seeds). */
  readonly id?: string;
  /** ISO date-time of the record (default: now). */
  readonly createdAt?: string;
}

/**
 * The subjects for the three sets, as indices into `ds.subjects`, each sorted. Subjects are
 * shuffled with `seed` and ordered by dose group; the test subjects (about `testFraction`, at
 * least 1) and then the validation subjects (about `validationFraction` of the rest, at least
 * 1) are taken evenly spaced through that order, so each set spans the dose groups the way
 * planFolds's folds do. At least one subject is always left for training. Deterministic for a
 * seed.
 */
export function splitSubjects(
  ds: Dataset,
  testFraction: number,
  seed: number,
  validationFraction = DEFAULT_VALIDATION_FRACTION,
): FoldPlan {
  const n = ds.subjects.length;
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new Error(`the test fraction must be in (0, 1), got ${testFraction}`);
  }
  if (!(validationFraction > 0 && validationFraction < 1)) {
    throw new Error(`the validation fraction must be in (0, 1), got ${validationFraction}`);
  }
  if (n < 3) {
    throw new Error(
      `training a model needs at least 3 subjects (one each to train, to stop early and to test); the data have ${n}`,
    );
  }
  const rng = createRng(seed);
  const group = Array.from({ length: n }, (_, i) => doseGroupOf(ds, i));
  // Array.prototype.sort is stable: within a dose group the shuffled order stays.
  const order = shuffle(
    Array.from({ length: n }, (_, i) => i),
    rng,
  ).sort((a, b) => group[a] - group[b]);
  // Two subjects stay for training and validation, however large the test fraction.
  const nTest = Math.min(n - 2, Math.max(1, Math.round(testFraction * n)));
  const test = evenlySpaced(order, nTest);
  const rest = order.filter((i) => !test.has(i));
  const nVal = Math.min(rest.length - 1, Math.max(1, Math.round(validationFraction * rest.length)));
  const validation = evenlySpaced(rest, nVal);
  const ascending = (a: number, b: number) => a - b;
  return {
    test: [...test].sort(ascending),
    validation: [...validation].sort(ascending),
    train: rest.filter((i) => !validation.has(i)).sort(ascending),
  };
}

/** `k` items evenly spaced through `items` (a stratified sample of a group-ordered list). */
function evenlySpaced(items: readonly number[], k: number): Set<number> {
  return new Set(
    Array.from({ length: k }, (_, j) => items[Math.floor(((j + 0.5) * items.length) / k)]),
  );
}

/** The data set cut down to the given subjects (and their records). */
function subsetOf(ds: Dataset, subjects: readonly number[]): Dataset {
  const kept = subjects.map((i) => ds.subjects[i]);
  const ids = new Set(kept.map((s) => s.id));
  return { ...ds, subjects: kept, records: ds.records.filter((r) => ids.has(r.id)) };
}

function defaultId(createdAt: string, config: NeuralConfig, splitSeed: number): string {
  const ms = Date.parse(createdAt);
  const stamp = Number.isFinite(ms) ? ms.toString(36) : createdAt.replace(/[^0-9a-z]/gi, '');
  return `neural-${stamp}-${config.seed}-${splitSeed}`;
}

/**
 * Trains one model on `ds`: split the subjects (splitSubjects with job.testFraction and
 * job.splitSeed), build the features (job.features), fit the scaler on the training subjects
 * only, train with early stopping on the validation subjects, and score the test subjects
 * (RMSE in mg/L and ng/mL). Progress comes once at the start, after every epoch, and once
 * before scoring. The network's tensors are freed before this returns, whatever happens.
 */
export async function trainNeuralModel(
  ds: Dataset,
  job: Omit<TrainJob, 'dataset' | 'backend'>,
  opts: TrainModelOptions,
): Promise<TrainOutcome> {
  const config = job.config;
  if (!(Number.isInteger(config.maxEpochs) && config.maxEpochs >= 1)) {
    throw new Error(
      `maxEpochs must be a whole number ≥ 1 to train a model, got ${config.maxEpochs}`,
    );
  }
  const now = opts.now ?? (() => Date.now());
  const started = now();
  const before = tf.memory().numTensors;
  const report = (phase: TrainProgress['phase'], p: EpochProgress) =>
    opts.onProgress?.({
      phase,
      backend: opts.backend,
      backendReason: opts.backendReason ?? '',
      maxEpochs: config.maxEpochs,
      ...p,
    });

  const plan = splitSubjects(ds, job.testFraction, job.splitSeed);
  report('starting', { epoch: 0, trainLoss: NaN, valLoss: NaN, bestEpoch: 0 });
  const table = buildFeatureTable(ds, job.features);
  const scaler = fitScaler(table, plan.train, config.logTargets);
  const history: EpochProgress[] = [];
  let stopAsked = false;

  let network: TrainedNetwork | null = null;
  let scored: Scored;
  try {
    network = await trainNetwork(
      buildTrainingData(table, scaler, plan.train),
      buildTrainingData(table, scaler, plan.validation),
      config,
      {
        onEpoch: (p) => {
          history.push(p);
          report('training', p);
        },
        // A stop before the first epoch ends waits for it: an untrained network is no model.
        shouldStop: () => {
          if (history.length > 0 && opts.shouldStop?.()) stopAsked = true;
          return stopAsked;
        },
      },
    );
    report('scoring', history[history.length - 1]);
    // The weights leave the training backend asynchronously (a synchronous read on a GPU
    // backend stalls it, and on some browsers returns zeros); scoring then runs on the CPU,
    // where the workbench makes its predictions, with exactly the weights that are saved.
    const weights = await network.readWeights();
    const trained = { epochs: network.epochs, bestEpoch: network.bestEpoch };
    network.dispose();
    network = null;
    if (tf.getBackend() !== 'cpu') {
      await tf.setBackend('cpu');
      await tf.ready();
    }
    network = restoreNetwork(
      config,
      table.featureNames.length,
      weights,
      trained,
      table.featureNames,
    );
    const heldOut = { pk: emptyHeldOut(), pd: emptyHeldOut() };
    const scores = { pk: null as number | null, pd: null as number | null };
    for (const endpoint of ['pk', 'pd'] as const) {
      const rows = selectRows(table[endpoint], plan.test);
      const predicted = predictRows(network, scaler, rows, endpoint);
      scores[endpoint] = rmse(rows.y, predicted);
      heldOut[endpoint] = {
        subject: Array.from(rows.subject),
        time: Array.from(rows.time),
        observed: Array.from(rows.y),
        predicted: Array.from(predicted),
      };
    }
    scored = {
      heldOut,
      // Asked to stop after the last epoch, training had ended anyway: that is no early stop.
      stoppedEarly: stopAsked && trained.epochs < config.maxEpochs,
      weights,
      rmse: scores,
      epochs: trained.epochs,
      bestEpoch: trained.bestEpoch,
      parameters: network.parameters,
      quantumParameters: network.quantumParameters,
    };
  } finally {
    network?.dispose();
  }

  const ids = table.subjectIds;
  const createdAt = opts.createdAt ?? new Date().toISOString();
  const record: NeuralModelRecord = {
    id: opts.id ?? defaultId(createdAt, config, job.splitSeed),
    label: job.label,
    createdAt,
    config,
    features: job.features,
    scaler,
    inputWidth: table.featureNames.length,
    weights: scored.weights,
    domain: trainingDomainOf(subsetOf(ds, plan.train)),
    training: {
      dataLabel: job.dataLabel,
      backend: opts.backend,
      seconds: (now() - started) / 1000,
      epochs: scored.epochs,
      bestEpoch: scored.bestEpoch,
      history,
      trainSubjects: plan.train.map((i) => ids[i]),
      validationSubjects: plan.validation.map((i) => ids[i]),
      testSubjects: plan.test.map((i) => ids[i]),
      pkRmse: scored.rmse.pk,
      pdRmse: scored.rmse.pd,
      pkRows: scored.heldOut.pk.observed.length,
      pdRows: scored.heldOut.pd.observed.length,
      parameters: scored.parameters,
      quantumParameters: scored.quantumParameters,
    },
  };
  return {
    record,
    heldOut: scored.heldOut,
    stoppedEarly: scored.stoppedEarly,
    tensors: { before, after: tf.memory().numTensors },
  };
}

/** What is kept of the network once it is scored (its tensors are freed right after). */
interface Scored {
  readonly heldOut: TrainOutcome['heldOut'];
  readonly stoppedEarly: boolean;
  readonly weights: NeuralModelRecord['weights'];
  readonly rmse: { readonly pk: number | null; readonly pd: number | null };
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly parameters: number;
  readonly quantumParameters: number;
}

function emptyHeldOut(): HeldOutPredictions {
  return { subject: [], time: [], observed: [], predicted: [] };
}
