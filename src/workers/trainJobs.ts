import {
  trainNeuralModel,
  type TrainJob,
  type TrainOutcome,
  type TrainProgress,
} from '../core/neural/trainModel';
import type { EpochProgress } from '../core/neural/types';
import {
  BACKEND_ORDER,
  backendWords,
  chooseTrainingBackend,
  forgetLostDevice,
  nextBackend,
  watchTfjsDevice,
  type ChosenBackend,
  type DeviceWatcher,
  type TrainingBackend,
} from './neuralBackend';
import {
  LOST_RUN_GRACE_MS,
  TRAIN_PROGRESS_INTERVAL_MS,
  type BackendFailure,
  type TrainJobOutcome,
  type TrainRequest,
  type TrainResponse,
} from './trainProtocol';
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

/** Chooses the backend to train on after `failed` failed during training. */
export type FallbackChooser = (job: TrainJob, failed: TrainingBackend) => Promise<ChosenBackend>;

/**
 * Readies the chosen backend for the job before training (the worker compiles the quantum
 * circuits' WebGPU kernels); a failure counts as the backend failing.
 */
export type BackendPreparer = (backend: string, job: TrainJob) => Promise<void>;

const nothingToPrepare: BackendPreparer = async () => {};

export const chooseJobBackend: BackendChooser = (job) => chooseTrainingBackend(job.backend);

/** The next backend in order (WebGPU → WebGL → the CPU), each falling back as usual. */
export const chooseNextBackend: FallbackChooser = (_job, failed) =>
  chooseTrainingBackend(nextBackend(failed));

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

/** True for the errors tfjs and the browser throw once a GPU device is gone. */
export function isDeviceLostError(err: unknown): boolean {
  return /device (is |was |has been )?(lost|destroyed)|lost device|context lost/i.test(
    errorText(err),
  );
}

/** "1 epoch", "3 epochs". */
function epochs(n: number): string {
  return `${n} epoch${n === 1 ? '' : 's'}`;
}

/**
 * Chooses the backend, then trains and scores one model (trainNeuralModel). A GPU backend
 * that fails during training (a lost device, memory the driver refuses, a kernel it rejects)
 * is not the user's problem: the run starts again on the next backend (WebGPU → WebGL → the
 * CPU), from epoch 1 — the core keeps no optimiser state between runs to resume from, and
 * with the same seeds the new run trains the model that backend would have trained anyway.
 * The reason says what happened; the epochs the failed backend completed are kept in the
 * outcome's `failures`. A stopped run is not retried; the CPU is not retried.
 */
export async function runTrainJob(
  job: TrainJob,
  onProgress: (p: TrainProgress) => void,
  shouldStop: () => boolean,
  chooseBackend: BackendChooser = chooseJobBackend,
  chooseFallback: FallbackChooser = chooseNextBackend,
  train: typeof trainNeuralModel = trainNeuralModel,
  prepare: BackendPreparer = nothingToPrepare,
  watch: DeviceWatcher = watchTfjsDevice,
): Promise<TrainJobOutcome> {
  const emit = throttled(onProgress);
  const failures: BackendFailure[] = [];
  let backend = await chooseBackend(job);
  for (;;) {
    const history: EpochProgress[] = [];
    const device = watch(backend.name);
    let lost = false;
    const attempt = (async () => {
      await prepare(backend.name, job);
      return train(job.dataset, job, {
        backend: backend.name,
        backendReason: backend.reason,
        onProgress: (p) => {
          if (p.phase === 'training' && p.epoch > 0) {
            const { epoch, trainLoss, valLoss, bestEpoch } = p;
            history.push({ epoch, trainLoss, valLoss, bestEpoch });
          }
          emit(p);
        },
        // A lost device ends the run at the next epoch boundary, like a stop request.
        shouldStop: () => lost || shouldStop(),
        id: newNeuralModelId(),
      });
    })();
    const ended: { outcome?: TrainOutcome; error?: unknown; failed?: true } = {};
    const settled = attempt.then(
      (o) => {
        ended.outcome = o;
      },
      (err: unknown) => {
        ended.error = err;
        ended.failed = true;
      },
    );
    const lossReason = await Promise.race([settled.then(() => null), device.lost]);
    if (lossReason !== null) {
      lost = true;
      // Let the run unwind (its tensors freed) before another backend takes over tfjs.
      await Promise.race([settled, delay(LOST_RUN_GRACE_MS)]);
    }
    const { outcome, error, failed } = ended;
    // A run that ended before its device went has its model (read back and scored already);
    // one the loss stopped ended early and is not kept.
    if (outcome && !lost) return { ...outcome, failures };
    const lossCause =
      device.lostReason() ?? (failed && isDeviceLostError(error) ? errorText(error) : null);
    if (lossCause === null && (isAbortError(error) || shouldStop())) throw error;
    const cause = lossCause ?? errorText(error);
    if (backend.name === 'cpu' || shouldStop() || failures.length >= BACKEND_ORDER.length) {
      throw lossCause === null ? error : new Error(`The GPU device was lost (${cause}).`);
    }
    if (lossCause !== null) forgetLostDevice(backend.name);
    failures.push({ backend: backend.name, deviceLost: lossCause !== null, cause, history });
    const next = await chooseFallback(job, backend.name);
    backend = {
      ...next,
      reason: failureReason(backend.name, lossCause !== null, cause, history.length, next.name),
    };
  }
}

/** Why training moved to `next`, in words for the user. */
function failureReason(
  failed: TrainingBackend,
  deviceLost: boolean,
  cause: string,
  completed: number,
  next: TrainingBackend,
): string {
  const short = cause.slice(0, 160);
  if (deviceLost) {
    const before =
      completed > 0 ? ` (${epochs(completed)} had been trained on ${backendWords(failed)})` : '';
    const backend = next === 'cpu' ? 'CPU' : backendWords(next);
    return `The GPU device was lost at epoch ${completed + 1} (${short}); training continued on the ${backend} backend, from epoch 1${before}.`;
  }
  return `${backendWords(failed)} failed during training (${short}); trained again on ${backendWords(next)}.`;
}

function delay(ms: number): Promise<null> {
  return new Promise((resolve) => setTimeout(() => resolve(null), ms));
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
  return createStoppableHandler<TrainRequest, TrainResponse, TrainJobOutcome>({
    stopType: 'stop',
    post,
    // The request is the job plus its type, id and retry reason, which the job ignores.
    run: (request, shouldStop) =>
      runTrainJob(
        request as TrainJob,
        (progress) => post({ type: 'progress', id: request.id, progress }),
        shouldStop,
        request.type === 'train' && request.retryReason
          ? retryOnCpu(request.retryReason)
          : chooseBackend,
        undefined,
        undefined,
        prepare,
      ),
    done: (id, outcome) => ({ type: 'result', id, outcome }),
  });
}

/** The CPU, for a job sent again after its worker died, with the reason it was sent again. */
function retryOnCpu(reason: string): BackendChooser {
  return async () => ({ ...(await chooseTrainingBackend('cpu')), reason });
}
