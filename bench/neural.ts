import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importNonmem } from '../src/core/data/importNonmem';
import { planFolds } from '../src/core/neural/crossValidation';
import { buildFeatureTable, buildTrainingData, fitScaler } from '../src/core/neural/features';
import { trainNetwork } from '../src/core/neural/networks';
import { DEFAULT_NEURAL_CONFIG, ENCODERS } from '../src/core/neural/types';
import type { Metric } from './simulation';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Neural training speed in Node (tfjs CPU backend with the fused kernels): for each encoder in
 * the cascade framework (hidden 64, 2 blocks, 4 experts top-2), EstData's first 5-fold split
 * (training, validation and test subjects as `train` uses them): seconds per epoch over a few
 * epochs after a warm-up epoch, and one full run to early stopping (epochs and seconds).
 */
export async function runNeuralBench(): Promise<Metric[]> {
  const file = path.join(here, '../../shared/data/EstData.csv');
  const imported = importNonmem(readFileSync(file, 'utf8'), { name: 'EstData.csv' });
  if (!imported.ok) throw new Error('EstData.csv did not import');
  const ds = imported.dataset;
  const [fold] = planFolds(ds, 5, 1);
  const table = buildFeatureTable(ds);
  const scaler = fitScaler(table, fold.train);
  const train = buildTrainingData(table, scaler, fold.train);
  const validation = buildTrainingData(table, scaler, fold.validation);
  const metrics: Metric[] = [];
  for (const encoder of ENCODERS) {
    const config = { ...DEFAULT_NEURAL_CONFIG, framework: 'cascade' as const, encoder };
    const stamps: number[] = [];
    const timed = await trainNetwork(
      train,
      validation,
      { ...config, maxEpochs: 6, patience: 100 },
      {
        onEpoch: () => stamps.push(performance.now()),
      },
    );
    timed.dispose();
    const perEpoch = (stamps[stamps.length - 1] - stamps[1]) / (stamps.length - 2) / 1000;
    const t0 = performance.now();
    const full = await trainNetwork(train, validation, config);
    const seconds = (performance.now() - t0) / 1000;
    metrics.push(
      { bench: 'neural', metric: `${encoder}_epoch_seconds`, value: perEpoch, unit: 's/epoch' },
      {
        bench: 'neural',
        metric: `${encoder}_converged_seconds`,
        value: seconds,
        unit: `s (${full.epochs} epochs, best ${full.bestEpoch}, ${full.parameters} parameters)`,
      },
    );
    full.dispose();
  }
  return metrics;
}
