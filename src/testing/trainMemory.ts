import type { Dataset } from '../core/data/types';
import { DEFAULT_NEURAL_CONFIG, type NeuralConfig } from '../core/neural/types';
import type { TrainJob } from '../workers/trainProtocol';
import { demoDataset } from './demo';

/**
 * What the memory-across-trainings tests share (src/workers/trainMemory.test.ts in Node and
 * the browser harness e2e/harness/trainMemoryHarness.ts): a small data set, narrow networks
 * trained for two epochs (memory, not accuracy, is under test) and the job of run k.
 */

/** Twelve subjects of a demo trial: enough for the three subject sets, quick to train. */
export function memoryTestDataset(): Dataset {
  const ds = demoDataset(5).ds;
  return { ...ds, subjects: ds.subjects.slice(0, 12) };
}

/** Narrow networks for two epochs. */
export const MEMORY_TEST_CONFIG: NeuralConfig = {
  ...DEFAULT_NEURAL_CONFIG,
  hidden: 8,
  blocks: 1,
  experts: 2,
  topK: 1,
  batchSize: 256,
  maxEpochs: 2,
  patience: 5,
  qubits: 2,
  qlayers: 1,
};

/** The training job of run `run` (0-based) with the variant's settings, on `backend`. */
export function memoryTestJob(
  dataset: Dataset,
  run: number,
  variant: Partial<NeuralConfig>,
  backend: TrainJob['backend'],
): TrainJob {
  return {
    dataset,
    dataLabel: 'demo-5 (12 subjects)',
    label: `run ${run + 1}`,
    config: { ...MEMORY_TEST_CONFIG, ...variant, seed: run + 1 },
    features: {},
    backend,
    testFraction: 0.25,
    splitSeed: run + 1,
  };
}
