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

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
