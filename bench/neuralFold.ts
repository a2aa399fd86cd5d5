import { importNonmem } from '../src/core/data/importNonmem';
import { planFolds } from '../src/core/neural/crossValidation';
import { buildFeatureTable, buildTrainingData, fitScaler } from '../src/core/neural/features';
import {
  DEFAULT_NEURAL_CONFIG,
  type EncoderName,
  type NeuralConfig,
  type TrainingData,
} from '../src/core/neural/types';

/**
 * What the neural benches train on, shared by the Node bench (neural.ts) and the browser bench
 * page (browser/neuralBench.ts) so both time the same work: EstData's first 5-fold split
 * (planFolds seed 1, fold 1), the scaler fitted on its training subjects, and the default
 * configuration in the cascade framework.
 */

export interface BenchFold {
  readonly train: TrainingData;
  readonly validation: TrainingData;
  readonly subjects: { readonly train: number; readonly validation: number };
}

/** Fold 1 of EstData (the file's text, read by the caller). */
export function estDataFold(csv: string): BenchFold {
  const imported = importNonmem(csv, { name: 'EstData.csv' });
  if (!imported.ok) {
    const first = imported.problems[0];
    throw new Error(`EstData.csv did not import${first ? `: ${first.message}` : ''}`);
  }
  const ds = imported.dataset;
  const [fold] = planFolds(ds, 5, 1);
  const table = buildFeatureTable(ds);
  const scaler = fitScaler(table, fold.train);
  return {
    train: buildTrainingData(table, scaler, fold.train),
    validation: buildTrainingData(table, scaler, fold.validation),
    subjects: { train: fold.train.length, validation: fold.validation.length },
  };
}

/** The configuration every neural bench trains: the defaults, cascade framework, one encoder. */
export function benchConfig(encoder: EncoderName): NeuralConfig {
  return { ...DEFAULT_NEURAL_CONFIG, framework: 'cascade', encoder };
}

/** Epochs the per-epoch timing runs (the first two are warm-up: tfjs compiles kernels then). */
export const TIMING_EPOCHS = 6;
const WARM_UP_EPOCHS = 2;

/**
 * Mean seconds per epoch after the warm-up, from the clock (ms) read at the end of each epoch;
 * null when too few epochs ran to time one after the warm-up.
 */
export function secondsPerEpoch(stamps: readonly number[]): number | null {
  const timed = stamps.length - WARM_UP_EPOCHS;
  if (timed < 1) return null;
  return (stamps[stamps.length - 1] - stamps[WARM_UP_EPOCHS - 1]) / timed / 1000;
}
