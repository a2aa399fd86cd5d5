import type { NeuralModelRecord } from '../core/neural/modelFile';
import type { NeuralPredictor } from '../core/neural/neuralPredictor';

/**
 * Loaded neural predictors, by model id. They hold tf tensors, so they live here and not in
 * the store (which holds only serialisable data); the store's `neuralLoaded` list says which
 * are ready so that views re-render when one loads.
 *
 * tfjs is imported on demand, the first time a neural model is used on this page, and runs
 * on its CPU backend here: a regimen's curve is a few hundred rows through a small network
 * (milliseconds), and predictions must be synchronous for the explorer. Training runs in its
 * own worker on the best backend available.
 */
const predictors = new Map<string, NeuralPredictor>();

/** Neural models' ids start with this, so a model choice says what kind of model it is. */
export const NEURAL_ID_PREFIX = 'neural-';

export function isNeuralModelId(id: string | null | undefined): boolean {
  return typeof id === 'string' && id.startsWith(NEURAL_ID_PREFIX);
}

let runtime: Promise<typeof import('../core/neural/neuralPredictor')> | null = null;

async function loadRuntime(): Promise<typeof import('../core/neural/neuralPredictor')> {
  runtime ??= (async () => {
    const tf = await import('@tensorflow/tfjs');
    await tf.setBackend('cpu');
    await tf.ready();
    return import('../core/neural/neuralPredictor');
  })();
  try {
    return await runtime;
  } catch (err) {
    runtime = null;
    throw err;
  }
}

/** The predictor of a model, once loadNeuralPredictor has loaded it. */
export function neuralPredictorOf(id: string): NeuralPredictor | undefined {
  return predictors.get(id);
}

export async function loadNeuralPredictor(record: NeuralModelRecord): Promise<NeuralPredictor> {
  const loaded = predictors.get(record.id);
  if (loaded) return loaded;
  const { neuralPredictor } = await loadRuntime();
  // Another call may have loaded it while tfjs was loading.
  const again = predictors.get(record.id);
  if (again) return again;
  const predictor = neuralPredictor(record);
  predictors.set(record.id, predictor);
  return predictor;
}

/** Frees a model's tensors (it was deleted). */
export function dropNeuralPredictor(id: string): void {
  predictors.get(id)?.dispose();
  predictors.delete(id);
}
