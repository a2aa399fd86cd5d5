import * as tf from '@tensorflow/tfjs';
// Registers tfjs's WebGPU backend; it registers only where navigator.gpu exists.
import '@tensorflow/tfjs-backend-webgpu';
import type { NeuralConfig } from '../../src/core/neural/types';
import { memoryTestDataset, memoryTestJob } from '../../src/testing/trainMemory';
import { prepareQuantumKernels } from '../../src/workers/gpu/qnnKernelWebGpu';
import { chooseTrainingBackend } from '../../src/workers/neuralBackend';
import { runTrainJob } from '../../src/workers/trainJobs';

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

const dataset = memoryTestDataset();
const ready = chooseTrainingBackend('auto').then((b) => b.name);

const harness: TrainMemoryHarness = {
  ready,
  async train(runs) {
    const out: MemoryAfterRun[] = [];
    for (let run = 0; run < runs; run++) {
      const job = memoryTestJob(dataset, run, VARIANTS[run % VARIANTS.length], 'auto');
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
