import * as tf from '@tensorflow/tfjs';
import type { BackendPreference } from '../core/neural/trainModel';
import { errorText } from './workerJob';

/**
 * The tfjs backend neural training runs on, chosen in this one place. WebGPU is fastest where
 * it exists, WebGL next, and the CPU always works. The choice says why it is not WebGPU in
 * words a user can act on.
 *
 * The WebGPU backend registers itself only when its package is imported where navigator.gpu
 * exists, so the training worker's entry imports it (train.worker.ts), not this module: the
 * main thread never loads it.
 */

export type TrainingBackend = 'webgpu' | 'webgl' | 'cpu';

/** Fastest first: where the preference is 'auto', or a chosen backend fails, the next is tried. */
export const BACKEND_ORDER: readonly TrainingBackend[] = ['webgpu', 'webgl', 'cpu'];

const BACKEND_WORDS: Readonly<Record<TrainingBackend, string>> = {
  webgpu: 'WebGPU',
  webgl: 'WebGL',
  cpu: 'the CPU',
};

export interface ChosenBackend {
  readonly name: TrainingBackend;
  /** Why this backend and not WebGPU, in plain words (empty when WebGPU runs). */
  readonly reason: string;
}

/** What the choice asks of the environment (tests pass their own answers). */
export interface BackendEnvironment {
  /** Whether the browser offers what the backend needs (navigator.gpu; a canvas for WebGL). */
  offers(name: TrainingBackend): boolean;
  /** Switches tfjs to the backend: null when it runs, else why it could not start. */
  activate(name: TrainingBackend): Promise<string | null>;
}

/** The real environment: this thread's globals and tfjs. */
export const tfjsEnvironment: BackendEnvironment = {
  offers(name) {
    switch (name) {
      case 'webgpu': {
        const gpu = (globalThis.navigator as { gpu?: unknown } | undefined)?.gpu;
        // Registered only when the WebGPU package was imported with navigator.gpu present.
        return Boolean(gpu) && tf.findBackendFactory('webgpu') !== null;
      }
      case 'webgl':
        return typeof OffscreenCanvas !== 'undefined' || typeof document !== 'undefined';
      case 'cpu':
        return true;
    }
  },
  async activate(name) {
    try {
      if (!(await tf.setBackend(name))) return 'tfjs could not initialise it';
      await tf.ready();
      return tf.getBackend() === name ? null : 'tfjs could not initialise it';
    } catch (err) {
      return errorText(err);
    }
  },
};

/**
 * Switches tfjs to the backend to train on. 'auto' tries WebGPU, then WebGL, then the CPU; a
 * chosen backend that cannot run falls back the same way to the ones after it (WebGL falls
 * back to the CPU, never up to WebGPU). Throws only when not even the CPU backend starts.
 */
export async function chooseTrainingBackend(
  preference: BackendPreference,
  env: BackendEnvironment = tfjsEnvironment,
): Promise<ChosenBackend> {
  const first = preference === 'auto' ? 0 : BACKEND_ORDER.indexOf(preference);
  if (first < 0) throw new Error(`Unknown training backend "${String(preference)}"`);
  const missing: TrainingBackend[] = [];
  const failed: { name: TrainingBackend; problem: string }[] = [];
  for (const name of BACKEND_ORDER.slice(first)) {
    if (!env.offers(name)) {
      missing.push(name);
      continue;
    }
    const problem = await env.activate(name);
    if (problem === null) return { name, reason: reasonFor(name, missing, failed) };
    failed.push({ name, problem });
  }
  throw new Error(`No backend could train the network: ${whatFailed(missing, failed)}.`);
}

/** "WebGPU and WebGL are not available in this browser and …" */
function whatFailed(
  missing: readonly TrainingBackend[],
  failed: readonly { name: TrainingBackend; problem: string }[],
): string {
  const parts: string[] = [];
  if (missing.length > 0) {
    const names = missing.map((n) => BACKEND_WORDS[n]).join(' and ');
    parts.push(`${names} ${missing.length > 1 ? 'are' : 'is'} not available in this browser`);
  }
  for (const f of failed) parts.push(`${BACKEND_WORDS[f.name]} could not start (${f.problem})`);
  return parts.join(' and ');
}

function reasonFor(
  name: TrainingBackend,
  missing: readonly TrainingBackend[],
  failed: readonly { name: TrainingBackend; problem: string }[],
): string {
  const training = `training on ${BACKEND_WORDS[name]}`;
  if (missing.length > 0 || failed.length > 0) {
    return `${capitalise(whatFailed(missing, failed))}; ${training}.`;
  }
  if (name === 'webgpu') return '';
  // Nothing failed: the user chose this backend over WebGPU.
  return `${capitalise(BACKEND_WORDS[name])} was chosen; ${training}.`;
}

/** The backend tried after `failed` when it fails during training (the CPU is the last). */
export function nextBackend(failed: TrainingBackend): TrainingBackend {
  return BACKEND_ORDER[Math.min(BACKEND_ORDER.indexOf(failed) + 1, BACKEND_ORDER.length - 1)];
}

/** "WebGPU", "WebGL", "the CPU". */
export function backendWords(name: string): string {
  return BACKEND_WORDS[name as TrainingBackend] ?? name;
}

/**
 * Watches a training run's device for loss: a GPU that resets, a driver that crashes, a
 * device destroyed under it. tfjs does not say so itself; after a loss its reads reject (or
 * never settle), so the run is told to stop and then treated as failed.
 */
export interface DeviceWatch {
  /** Why the device was lost ("destroyed: …"), or null while it is not. */
  lostReason(): string | null;
  /** Resolves with the reason when the device is lost; never settles while it is not. */
  readonly lost: Promise<string>;
}

/** Watches the device of the backend that is about to train (tests pass their own). */
export type DeviceWatcher = (backend: TrainingBackend) => DeviceWatch;

const NEVER = new Promise<string>(() => {});
const UNWATCHED: DeviceWatch = { lostReason: () => null, lost: NEVER };

interface LostInfo {
  readonly reason?: string;
  readonly message?: string;
}

/** The GPUDevice of tfjs's WebGPU backend, where it has been created. */
function webgpuDevice(): { lost?: Promise<LostInfo> } | undefined {
  if (tf.findBackendFactory('webgpu') === null) return undefined;
  const backend = tf.engine().registry.webgpu as { device?: { lost?: Promise<LostInfo> } };
  return backend?.device;
}

/**
 * The real watch: the WebGPU backend's GPUDevice `lost` promise (WebGL and the CPU are not
 * watched: a lost WebGL context makes tfjs throw, which fails the run the ordinary way).
 */
export const watchTfjsDevice: DeviceWatcher = (backend) => {
  const device = backend === 'webgpu' ? webgpuDevice() : undefined;
  if (!device?.lost) return UNWATCHED;
  let reason: string | null = null;
  const lost = device.lost.then((info) => {
    const words = [info?.reason, info?.message].filter(Boolean).join(': ');
    reason = words || 'no reason given';
    return reason;
  });
  return { lostReason: () => reason, lost };
};

/**
 * Drops tfjs's WebGPU backend after its device was lost and registers its factory again, so
 * the next training in this thread asks for a fresh device instead of reusing the dead one.
 * Tensors left on the lost device are abandoned with it (its memory went with the device).
 */
export function forgetLostDevice(backend: TrainingBackend): void {
  if (backend !== 'webgpu') return;
  const factory = tf.findBackendFactory('webgpu');
  if (factory === null) return;
  try {
    tf.removeBackend('webgpu');
  } catch {
    // Disposing the dead backend's buffers can throw on some browsers; it is gone either way.
  }
  // The priority tfjs-backend-webgpu registers with (base.js), so 'auto' still prefers it.
  tf.registerBackend('webgpu', factory, 3);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
