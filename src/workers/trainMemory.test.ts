import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NeuralConfig } from '../core/neural/types';
import { MEMORY_TEST_CONFIG, memoryTestDataset, memoryTestJob } from '../testing/trainMemory';
import { chooseTrainingBackend } from './neuralBackend';
import { runTrainJob } from './trainJobs';
import type { TrainJob } from './trainProtocol';

/**
 * Tensor memory stays flat across consecutive trainings (issue 8): a user trains model after
 * model in one worker, and any tensor a run leaves behind would pile up until the backend runs
 * out of memory. Each run goes through runTrainJob, the job the training worker runs (backend
 * choice, training, reading the weights back, scoring on the CPU), on the tfjs CPU backend.
 */

/** Consecutive trainings, as in the issue. */
const TRAININGS = 20;

const dataset = memoryTestDataset();

/**
 * The runs cycle through the code paths that allocate differently: every framework, the
 * plain, residual, mixture-of-experts and hybrid quantum encoders, both output heads, dropout
 * on and off, and a run stopped after its first epoch (the "keep the best epoch" path).
 */
const VARIANTS: readonly { config: Partial<NeuralConfig>; stopAfterFirstEpoch?: boolean }[] = [
  { config: { framework: 'cascade', encoder: 'resmlp' } },
  { config: { framework: 'independent', encoder: 'mlp', dropout: 0 } },
  { config: { framework: 'multitask', encoder: 'moe' } },
  { config: { framework: 'cascade', encoder: 'resmlp_moe', head: 'parameters' } },
  { config: { framework: 'multitask', encoder: 'qnn' } },
  { config: { framework: 'cascade', encoder: 'qnn_control', dropout: 0 } },
  { config: { framework: 'independent', encoder: 'resmlp', head: 'parameters' } },
  { config: { framework: 'cascade', encoder: 'mlp' }, stopAfterFirstEpoch: true },
];

function jobFor(run: number): { job: TrainJob; stopAfterFirstEpoch: boolean } {
  const variant = VARIANTS[run % VARIANTS.length];
  return {
    job: memoryTestJob(dataset, run, variant.config, 'cpu'),
    stopAfterFirstEpoch: variant.stopAfterFirstEpoch ?? false,
  };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('consecutive trainings', () => {
  it(`keep tensor memory flat over ${TRAININGS} runs`, async () => {
    const cpu = () => chooseTrainingBackend('cpu');
    const memory: { numTensors: number; numDataBuffers: number; numBytes: number }[] = [];
    for (let run = 0; run < TRAININGS; run++) {
      const { job, stopAfterFirstEpoch } = jobFor(run);
      let epochs = 0;
      const outcome = await runTrainJob(
        job,
        (p) => {
          if (p.phase === 'training') epochs = p.epoch;
        },
        () => stopAfterFirstEpoch && epochs >= 1,
        cpu,
        cpu,
      );
      expect(outcome.record.training.epochs, `run ${run + 1}`).toBe(
        stopAfterFirstEpoch ? 1 : MEMORY_TEST_CONFIG.maxEpochs,
      );
      // The run's own count: what it found is what it left.
      expect(outcome.tensors.after, `run ${run + 1}`).toBe(outcome.tensors.before);
      const { numTensors, numDataBuffers, numBytes } = tf.memory();
      memory.push({ numTensors, numDataBuffers, numBytes });
    }
    // Whatever the first run left (a backend's cached constants), no later run adds to it.
    const first = memory[0];
    for (let run = 1; run < TRAININGS; run++) {
      expect(
        memory[run],
        `after run ${run + 1} (${JSON.stringify(jobFor(run).job.config)})`,
      ).toEqual(first);
    }
  });
});
