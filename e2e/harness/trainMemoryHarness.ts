import * as tf from '@tensorflow/tfjs';
// Registers tfjs's WebGPU backend; it registers only where navigator.gpu exists.
import '@tensorflow/tfjs-backend-webgpu';
import { importNonmem } from '../../src/core/data/importNonmem';
import type { Dataset } from '../../src/core/data/types';
import { DEFAULT_NEURAL_CONFIG, type NeuralConfig } from '../../src/core/neural/types';
import { generateDemoTrial } from '../../src/core/trial/demoTrial';
import { prepareQuantumKernels } from '../../src/workers/gpu/qnnKernelWebGpu';
import { chooseTrainingBackend } from '../../src/workers/neuralBackend';
import { runTrainJob } from '../../src/workers/trainJobs';
import type { TrainJob } from '../../src/workers/trainProtocol';

/**
 * The page of the browser test of memory across consecutive trainings
 * (e2e/trainMemory.spec.ts): trains a small network again and again through runTrainJob, the
 * training worker's job (backend choice, the quantum kernels' preparation, training on the
 * backend, reading the weights back, scoring on the CPU), and reports tfjs's memory after each
 * run: tensors on every backend, and the bytes the WebGPU backend holds for live tensors and
 * in its buffer pool.
 */

/** Memory after one training. */
export interface MemoryAfterRun {
  readonly backend: string;
  readonly epochs: number;
  readonly numTensors: number;
  readonly numDataBuffers: number;
  /** Bytes of live tensors on the WebGPU backend (0 when it does not run). */
  readonly gpuBytes: number;
  /** Bytes of GPU buffers the WebGPU backend holds, live or pooled for reuse. */
  readonly gpuBytesAllocated: number;
}

export interface TrainMemoryHarness {
  /** The backend training chose ('webgpu' where the browser offers it). */
  readonly ready: Promise<string>;
  /** Trains `runs` times; memory after each run. */
  train(runs: number): Promise<MemoryAfterRun[]>;
}

/** Twelve subjects of a demo trial: enough for the three subject sets, quick to train. */
function smallDataset(): Dataset {
  const result = importNonmem(generateDemoTrial(5).csv, { name: 'demo-5' });
  if (!result.ok) throw new Error('the demo trial did not import');
  const ds = result.dataset;
  return { ...ds, subjects: ds.subjects.slice(0, 12) };
}

/** Narrow networks for two epochs, cycling through encoders and heads (hybrid quantum too). */
const SMALL: NeuralConfig = {
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
const VARIANTS: readonly Partial<NeuralConfig>[] = [
  { framework: 'cascade', encoder: 'resmlp' },
  { framework: 'multitask', encoder: 'moe' },
  { framework: 'independent', encoder: 'qnn', head: 'parameters' },
  { framework: 'cascade', encoder: 'mlp', dropout: 0 },
];

interface WebGpuMemory {
  numBytesInGPU?: number;
  numBytesAllocatedInGPU?: number;
}

/** The WebGPU backend's own account (tf.memory() reports only the active backend's). */
function gpuMemory(): WebGpuMemory {
  if (tf.findBackendFactory('webgpu') === null) return {};
  const backend = tf.engine().registry.webgpu as { memory(): WebGpuMemory } | undefined;
  return backend ? backend.memory() : {};
}

const dataset = smallDataset();
const ready = chooseTrainingBackend('auto').then((b) => b.name);

const harness: TrainMemoryHarness = {
  ready,
  async train(runs) {
    const out: MemoryAfterRun[] = [];
    for (let run = 0; run < runs; run++) {
      const job: TrainJob = {
        dataset,
        dataLabel: 'demo-5 (12 subjects)',
        label: `run ${run + 1}`,
        config: { ...SMALL, ...VARIANTS[run % VARIANTS.length], seed: run + 1 },
        features: {},
        backend: 'auto',
        testFraction: 0.25,
        splitSeed: run + 1,
      };
      const outcome = await runTrainJob(
        job,
        () => {},
        () => false,
        (j) => chooseTrainingBackend(j.backend),
        () => chooseTrainingBackend('cpu'),
        undefined,
        (backend, j) => prepareQuantumKernels(backend, j.config),
      );
      const memory = tf.memory();
      const gpu = gpuMemory();
      out.push({
        backend: outcome.record.training.backend,
        epochs: outcome.record.training.epochs,
        numTensors: memory.numTensors,
        numDataBuffers: memory.numDataBuffers,
        gpuBytes: gpu.numBytesInGPU ?? 0,
        gpuBytesAllocated: gpu.numBytesAllocatedInGPU ?? 0,
      });
    }
    return out;
  },
};

(globalThis as { __trainMemoryHarness?: TrainMemoryHarness }).__trainMemoryHarness = harness;
