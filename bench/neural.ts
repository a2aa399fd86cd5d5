import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainNetwork } from '../src/core/neural/networks';
import { ENCODERS } from '../src/core/neural/types';
import { TIMING_EPOCHS, benchConfig, estDataFold, secondsPerEpoch } from './neuralFold';
import type { Metric } from './simulation';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Neural training speed in Node (tfjs CPU backend with the fused kernels): for each encoder in
 * the cascade framework (hidden 64, 2 blocks, 4 experts top-2), EstData's first 5-fold split
 * (training, validation and test subjects as `train` uses them): seconds per epoch over a few
 * epochs after two warm-up epochs, and one full run to early stopping (epochs and seconds).
 * neural-browser (neuralBrowser.ts) times the same work in Chromium.
 */
export async function runNeuralBench(): Promise<Metric[]> {
  const file = path.join(here, '../../shared/data/EstData.csv');
  const { train, validation } = estDataFold(readFileSync(file, 'utf8'));
  const metrics: Metric[] = [];
  for (const encoder of ENCODERS) {
    const config = benchConfig(encoder);
    const stamps: number[] = [];
    const timed = await trainNetwork(
      train,
      validation,
      { ...config, maxEpochs: TIMING_EPOCHS, patience: 100 },
      {
        onEpoch: () => stamps.push(performance.now()),
      },
    );
    timed.dispose();
    const perEpoch = secondsPerEpoch(stamps) ?? NaN;
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
