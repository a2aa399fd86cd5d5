import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoDataset } from '../../testing/demo';
import { predictRegimen as regimenMetrics } from '../models/regimenPrediction';
import { datasetPredictions } from './datasetPredictions';
import { neuralPredictor } from './neuralPredictor';
import { trainNeuralModel, type TrainOutcome } from './trainModel';
import { DEFAULT_NEURAL_CONFIG, type NeuralConfig } from './types';

const ds = demoDataset(5).ds;

const SMALL: NeuralConfig = {
  ...DEFAULT_NEURAL_CONFIG,
  hidden: 8,
  blocks: 1,
  dropout: 0.2,
  batchSize: 128,
  maxEpochs: 3,
  patience: 50,
};

async function train(config: NeuralConfig): Promise<TrainOutcome> {
  return trainNeuralModel(
    ds,
    {
      dataLabel: 'demo-5',
      label: 'small',
      config,
      features: {},
      testFraction: 0.2,
      splitSeed: 2,
    },
    { backend: 'cpu' },
  );
}

let outcome: TrainOutcome;

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
  outcome = await train(SMALL);
});

describe('neuralPredictor', () => {
  it("predicts each held-out subject's observations as the training run scored them", () => {
    const p = neuralPredictor(outcome.record);
    try {
      const rows = datasetPredictions(p, ds);
      expect(rows.failed).toBe(0);
      // The run's held-out predictions, matched by subject and time.
      for (const endpoint of ['pk', 'pd'] as const) {
        const held = outcome.heldOut[endpoint];
        const ours = rows[endpoint];
        const key = (subject: number, time: number) => `${subject}@${time}`;
        const mine = new Map(ours.subject.map((s, i) => [key(s, ours.time[i]), ours.predicted[i]]));
        expect(held.subject.length).toBeGreaterThan(0);
        held.subject.forEach((s, i) => {
          const v = mine.get(key(s, held.time[i]));
          expect(v).toBeDefined();
          expect(Math.abs((v as number) - held.predicted[i])).toBeLessThan(
            1e-4 * Math.max(1, Math.abs(held.predicted[i])),
          );
        });
      }
    } finally {
      p.dispose();
    }
  });

  it('is a model like any other: the Regimen explorer computes metrics and domain warnings', () => {
    const p = neuralPredictor(outcome.record);
    try {
      expect(p.kind).toBe('neural');
      const r = regimenMetrics(
        p,
        { dose: 1000, interval: 24, doses: 14, cmt: 1 },
        { BW: 70, COMED: 0 },
        { value: 3.3, direction: 'below' },
      );
      expect(Number.isFinite(r.lastInterval.cmax)).toBe(true);
      expect(r.warnings.join(' ')).toMatch(/outside the trained doses/);
    } finally {
      p.dispose();
    }
  });

  it('gives ordered, reproducible MC-dropout bands, and none without dropout', async () => {
    const p = neuralPredictor(outcome.record);
    const events = [{ time: 0, amt: 5, cmt: 1, evid: 1 as const, ii: 24, addl: 6 }];
    const times = Array.from({ length: 50 }, (_, i) => i * 4);
    try {
      const a = p.uncertainty({ BW: 70, COMED: 1 }, events, times, 20);
      const b = p.uncertainty({ BW: 70, COMED: 1 }, events, times, 20);
      expect(a).not.toBeNull();
      if (!a || !b) return;
      expect(Array.from(a.biomarker.p50)).toEqual(Array.from(b.biomarker.p50));
      let spread = 0;
      for (const band of [a.concentration, a.biomarker]) {
        for (let i = 0; i < times.length; i++) {
          expect(band.p5[i]).toBeLessThanOrEqual(band.p25[i]);
          expect(band.p25[i]).toBeLessThanOrEqual(band.p50[i]);
          expect(band.p50[i]).toBeLessThanOrEqual(band.p75[i]);
          expect(band.p75[i]).toBeLessThanOrEqual(band.p95[i]);
          spread += band.p95[i] - band.p5[i];
        }
      }
      expect(spread).toBeGreaterThan(0);
    } finally {
      p.dispose();
    }
    const plain = await train({ ...SMALL, dropout: 0, maxEpochs: 1 });
    const q = neuralPredictor(plain.record);
    try {
      expect(q.uncertainty({ BW: 70 }, events, times)).toBeNull();
    } finally {
      q.dispose();
    }
  });

  it('frees its tensors on dispose', () => {
    const before = tf.memory().numTensors;
    const p = neuralPredictor(outcome.record);
    p.predict({ BW: 80, COMED: 0 }, [{ time: 0, amt: 3, cmt: 1, evid: 1 }], [1, 2, 3]);
    p.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
