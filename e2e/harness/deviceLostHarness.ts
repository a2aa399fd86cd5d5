import * as tf from '@tensorflow/tfjs';
// Registers tfjs's WebGPU backend; it registers only where navigator.gpu exists.
import '@tensorflow/tfjs-backend-webgpu';
import type { EpochProgress } from '../../src/core/neural/types';
import { memoryTestDataset, memoryTestJob } from '../../src/testing/trainMemory';
import { prepareQuantumKernels } from '../../src/workers/gpu/qnnKernelWebGpu';
import { chooseTrainingBackend } from '../../src/workers/neuralBackend';
import { chooseNextBackend, runTrainJob } from '../../src/workers/trainJobs';
import type { BackendFailure } from '../../src/workers/trainProtocol';
import { runWorkerJob, type WorkerReply } from '../../src/workers/workerJob';

/**
 * The page of the browser test of failures mid-training (e2e/deviceLost.spec.ts):
 *
 * - `loseDevice` trains through runTrainJob, the training worker's job, on the backend 'auto'
 *   picks, and destroys the WebGPU device (GPUDevice.destroy(), as a driver reset would lose
 *   it) when the first epoch is reported; the run must end on another backend with the reason.
 * - `crashWorker` runs a job in a worker that dies (an uncaught error) after its first
 *   progress message, through runWorkerJob: the job must be sent once more to a fresh worker.
 */

/** What a training that lost its device reports. */
export interface DeviceLostRun {
  /** The backend the run started on. */
  readonly startedOn: string;
  /** The backend the model was trained on (record.training.backend). */
  readonly finishedOn: string;
  /** Whether the device was destroyed (only on WebGPU). */
  readonly destroyed: boolean;
  /** Every progress report as the job's caller saw it, in order. */
  readonly progress: readonly { backend: string; phase: string; epoch: number }[];
  /** The reason the last progress gave for its backend. */
  readonly reason: string;
  readonly failures: readonly BackendFailure[];
  /** The model's own history (the run that finished). */
  readonly history: readonly EpochProgress[];
  readonly epochs: number;
  /**
   * Milliseconds from destroying the device to the next backend's start: under
   * LOST_RUN_GRACE_MS when the lost run unwound (its reads rejected) rather than being
   * abandoned.
   */
  readonly restartAfterMs: number;
  /** tf.memory().numTensors before and after the run that finished (trainNeuralModel's count). */
  readonly finishedRunTensors: { readonly before: number; readonly after: number };
  /** tf.memory().numTensors before the whole job and after it, the lost run included. */
  readonly tensorsBefore: number;
  readonly tensorsAfter: number;
}

export interface WorkerCrashRun {
  readonly result: string;
  /** Progress from both workers, in order. */
  readonly progress: readonly string[];
  /** The requests the workers were sent (the second carries the crash's words). */
  readonly requests: readonly { attempt: number; crash: string }[];
}

export interface DeviceLostHarness {
  /** The backend 'auto' picks here ('webgpu' where the browser offers it). */
  readonly ready: Promise<string>;
  loseDevice(): Promise<DeviceLostRun>;
  crashWorker(): Promise<WorkerCrashRun>;
}

const ready = chooseTrainingBackend('auto').then((b) => b.name);

/** The GPUDevice of tfjs's WebGPU backend, when it is the backend that runs. */
function activeDevice(): { destroy(): void } | null {
  if (tf.getBackend() !== 'webgpu') return null;
  return (tf.backend() as unknown as { device: { destroy(): void } }).device;
}

async function loseDevice(): Promise<DeviceLostRun> {
  const startedOn = await ready;
  const job = memoryTestJob(memoryTestDataset(), 0, { maxEpochs: 4, patience: 10 }, 'auto');
  const progress: { backend: string; phase: string; epoch: number }[] = [];
  let reason = '';
  let destroyed = false;
  let destroyedAt = NaN;
  let restartedAt = NaN;
  const tensorsBefore = tf.memory().numTensors;
  const outcome = await runTrainJob(
    job,
    (p) => {
      progress.push({ backend: p.backend, phase: p.phase, epoch: p.epoch });
      reason = p.backendReason;
      if (destroyed && Number.isNaN(restartedAt) && p.backend !== 'webgpu') {
        restartedAt = performance.now();
      }
      if (!destroyed && p.phase === 'training' && p.epoch >= 1) {
        const device = activeDevice();
        if (device) {
          device.destroy();
          destroyed = true;
          destroyedAt = performance.now();
        }
      }
    },
    () => false,
    (j) => chooseTrainingBackend(j.backend),
    chooseNextBackend,
    undefined,
    (backend, j) => prepareQuantumKernels(backend, j.config),
  );
  return {
    startedOn,
    finishedOn: outcome.record.training.backend,
    destroyed,
    progress,
    reason,
    failures: outcome.failures,
    history: outcome.record.training.history,
    epochs: outcome.record.training.epochs,
    restartAfterMs: restartedAt - destroyedAt,
    finishedRunTensors: outcome.tensors,
    tensorsBefore,
    tensorsAfter: tf.memory().numTensors,
  };
}

type CrashRequest = { type: 'run'; id: number; crash: string };
type CrashReply =
  { type: 'progress'; id: number; note: string } | { type: 'result'; id: number; value: string };

/**
 * A worker that reports progress and then, on its first go (no crash named in the request),
 * dies of an uncaught error; sent again, it answers.
 */
const CRASHING_WORKER = `
self.onmessage = (event) => {
  const { id, crash } = event.data;
  self.postMessage({ type: 'progress', id, note: crash ? 'second worker started' : 'first worker started' });
  setTimeout(() => {
    if (!crash) throw new Error('out of memory (simulated)');
    self.postMessage({ type: 'result', id, value: 'answered by the second worker' });
  }, 20);
};
`;

async function crashWorker(): Promise<WorkerCrashRun> {
  const url = URL.createObjectURL(new Blob([CRASHING_WORKER], { type: 'text/javascript' }));
  const progress: string[] = [];
  const requests: { attempt: number; crash: string }[] = [];
  try {
    const result = await runWorkerJob<CrashRequest, CrashReply & WorkerReply, string, string>(
      {
        what: 'test job',
        createWorker: () => new Worker(url),
        request: (id) => {
          requests.push({ attempt: 1, crash: '' });
          return { type: 'run', id, crash: '' };
        },
        retryAfterCrash: (id, crash) => {
          requests.push({ attempt: 2, crash });
          return { type: 'run', id, crash };
        },
        read: (msg) =>
          msg.type === 'result'
            ? { result: msg.value }
            : msg.type === 'progress'
              ? { progress: msg.note }
              : null,
        onMainThread: () => 'ran on the main thread',
        isCancellation: () => false,
      },
      { onProgress: (note) => progress.push(note) },
    );
    return { result, progress, requests };
  } finally {
    URL.revokeObjectURL(url);
  }
}

const harness: DeviceLostHarness = { ready, loseDevice, crashWorker };

(globalThis as { __deviceLostHarness?: DeviceLostHarness }).__deviceLostHarness = harness;
