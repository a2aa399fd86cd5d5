import { featureNames } from '../core/neural/features';
import type { NeuralModelRecord } from '../core/neural/modelFile';
import { DEFAULT_NEURAL_CONFIG } from '../core/neural/types';

/**
 * A small, valid record of a trained network for tests of storage and files (the weights need
 * not fit a network to be stored). `overrides` replaces top-level fields; `dataLabel` the
 * training summary's.
 */
export function fakeNeuralRecord(
  id: string,
  createdAt: string,
  overrides: Partial<NeuralModelRecord> = {},
  dataLabel = 'Demo trial',
): NeuralModelRecord {
  const names = featureNames();
  return {
    id,
    label: `model ${id}`,
    createdAt,
    config: DEFAULT_NEURAL_CONFIG,
    features: {},
    scaler: {
      featureNames: names,
      features: names.map(() => ({ mean: 0, sd: 1 })),
      logTargets: false,
      pk: { mean: 1, sd: 2 },
      pd: { mean: 3, sd: 4 },
    },
    inputWidth: names.length,
    weights: [{ name: 'pk/head/w', shape: [2, 1], values: Float32Array.from([0.5, -1.25]) }],
    domain: { doseRange: [1, 10], intervals: [24], bwRange: [50, 100], comedValues: [0, 1] },
    training: {
      dataLabel,
      backend: 'cpu',
      seconds: 1.5,
      epochs: 2,
      bestEpoch: 2,
      history: [
        { epoch: 1, trainLoss: 1, valLoss: 1.1, bestEpoch: 1 },
        { epoch: 2, trainLoss: 0.5, valLoss: 0.6, bestEpoch: 2 },
      ],
      trainSubjects: ['1', '2'],
      validationSubjects: ['3'],
      testSubjects: ['4'],
      pkRmse: 0.3,
      pdRmse: null,
      pkRows: 5,
      pdRows: 0,
    },
    ...overrides,
  };
}
