import {
  trainNeuralModel,
  type TrainJob,
  type TrainOutcome,
  type TrainProgress,
} from '../core/neural/trainModel';
import { chooseTrainingBackend, type ChosenBackend } from './neuralBackend';
import { TRAIN_PROGRESS_INTERVAL_MS, type TrainRequest, type TrainResponse } from './trainProtocol';
import { createStoppableHandler, errorText, isAbortError } from './workerJob';

/**
 * The training job, shared by the worker and the main-thread fallback so both behave alike:
 * the backend is chosen first, progress is throttled to TRAIN_PROGRESS_INTERVAL_MS, and a stop
 * request ends training with the best epoch so far (it is a result, not a cancellation).
 */

/**
 * Passes progress on at most every TRAIN_PROGRESS_INTERVAL_MS, and always at a phase change.
 * A training epoch held back is sent before the phase changes, so the last epoch always
 * arrives as 'training' (the live loss chart ends where training did).
 */
function throttled(emit: (p: TrainProgress) => void): (p: TrainProgress) => void {
  let last = -Infinity;
  let phase: TrainProgress['phase'] | null = null;
  let held: TrainProgress | null = null;
  return (p) => {
    const t = Date.now();
    const force = p.phase !== phase;
    if (!force && t - last < TRAIN_PROGRESS_INTERVAL_MS) {
      held = p;
      return;
    }
    if (force && held) emit(held);
    held = null;
    last = t;
    phase = p.phase;
    emit(p);
  };
}

/** A fresh id for a trained model (ids only need to be unique, not reproducible). */
export function newNeuralModelId(): string {
  const random =
    typeof crypto !== 'undefined' && 'randomUUID' in crypto
      ? crypto.randomUUID().slice(0, 8)
      : Math.floor(Math.random() * 0xffffffff).toString(16);
  return `neural-${Date.now().toString(36)}-${random}`;
}

/** Chooses the backend for a job (tests and the main-thread fallback pass their own). */
export type BackendChooser = (job: TrainJob) => Promise<ChosenBackend>;

/**
 * Readies the chosen backend for the job before training (the worker compiles the quantum
 * circuits' WebGPU kernels); a failure counts as the backend failing.
 */
export type BackendPreparer = (backend: string, job: TrainJob) => Promise<void>;

const nothingToPrepare: BackendPreparer = async () => {};

export const chooseJobBackend: BackendChooser = (job) => chooseTrainingBackend(job.backend);

/**
 * On the main thread (no Worker, or the worker could not load) training runs on the CPU: a
 * GPU backend there would compete with the page's own drawing, and the CPU always starts.
 */
export const mainThreadBackend: BackendChooser = async () => {
  const cpu = await chooseTrainingBackend('cpu');
  return {
    ...cpu,
    reason: 'Training runs in this page on the CPU (the training worker could not start).',
  };
};

const BACKEND_LABELS: Record<string, string> = { webgpu: 'WebGPU', webgl: 'WebGL', cpu: 'the CPU' };

/**
 * Chooses the backend, then trains and scores one model (trainNeuralModel). A GPU backend
 * that fails during training (a lost device, memory the driver refuses) is not the user's
 * problem: the run starts again on the CPU, and the reason says so.
 */
export async function runTrainJob(
  job: TrainJob,
  onProgress: (p: TrainProgress) => void,
  shouldStop: () => boolean,
  chooseBackend: BackendChooser = chooseJobBackend,
  chooseCpu: BackendChooser = () => chooseTrainingBackend('cpu'),
  train: typeof trainNeuralModel = trainNeuralModel,
  prepare: BackendPreparer = nothingToPrepare,
): Promise<TrainOutcome> {
  const backend = await chooseBackend(job);
  const run = async (b: ChosenBackend) => {
    await prepare(b.name, job);
    return train(job.dataset, job, {
      backend: b.name,
      backendReason: b.reason,
      onProgress: throttled(onProgress),
      shouldStop,
      id: newNeuralModelId(),
    });
  };
  if (backend.name === 'cpu') return run(backend);
  try {
    return await run(backend);
  } catch (err) {
    if (isAbortError(err) || shouldStop()) throw err;
    const cpu = await chooseCpu(job);
    const failed = BACKEND_LABELS[backend.name] ?? backend.name;
    return run({
      ...cpu,
      reason: `${failed} failed during training (${errorText(err).slice(0, 160)}); trained again on the CPU.`,
    });
  }
}

/**
 * The worker's message handler, apart from the worker scope so it can be driven directly (the
 * tests hand it to a stand-in Worker). `post` sends a response back.
 */
export function createTrainHandler(
  post: (message: TrainResponse) => void,
  chooseBackend: BackendChooser = chooseJobBackend,
  prepare: BackendPreparer = nothingToPrepare,
): (request: TrainRequest) => Promise<void> {
  return createStoppableHandler<TrainRequest, TrainResponse, TrainOutcome>({
    stopType: 'stop',
    post,
    // The request is the job plus its type and id, which the job ignores.
    run: (request, shouldStop) =>
      runTrainJob(
        request as TrainJob,
        (progress) => post({ type: 'progress', id: request.id, progress }),
        shouldStop,
        chooseBackend,
        undefined,
        undefined,
        prepare,
      ),
    done: (id, outcome) => ({ type: 'result', id, outcome }),
  });
}
