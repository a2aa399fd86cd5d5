import { describe, expect, it } from 'vitest';
import { decodeNeuralModel, encodeNeuralModel, type NeuralModelRecord } from './modelFile';
import { DEFAULT_NEURAL_CONFIG } from './types';

function record(): NeuralModelRecord {
  return {
    id: 'neural-1',
    label: 'cascade resmlp',
    createdAt: '2026-11-25T01:00:00.000Z',
    config: { ...DEFAULT_NEURAL_CONFIG, hidden: 8 },
    features: { baseline: true },
    scaler: {
      featureNames: ['BW', 'COMED'],
      features: [
        { mean: 80, sd: 12 },
        { mean: 0.5, sd: 0.5 },
      ],
      logTargets: false,
      pk: { mean: 2, sd: 1.5 },
      pd: { mean: 9, sd: 3 },
    },
    inputWidth: 2,
    weights: [
      // Values that float32 holds exactly and awkward ones (subnormal, −0, huge).
      { name: 'pk/head/w', shape: [2, 1], values: Float32Array.from([0.5, -1.25]) },
      {
        name: 'pk/head/b',
        shape: [3],
        values: Float32Array.from([1e-40, -0, 3.4e38]),
      },
      { name: 'odd', shape: [1], values: Float32Array.from([Math.PI]) },
    ],
    domain: { doseRange: [1, 10], intervals: [24], bwRange: [50, 120], comedValues: [0, 1] },
    training: {
      dataLabel: 'Demo trial',
      backend: 'cpu',
      seconds: 12.5,
      epochs: 40,
      bestEpoch: 31,
      history: [
        { epoch: 1, trainLoss: 1, valLoss: 0.9, bestEpoch: 1 },
        { epoch: 2, trainLoss: NaN, valLoss: 0.8, bestEpoch: 2 },
      ],
      trainSubjects: ['1', '2'],
      validationSubjects: ['3'],
      testSubjects: ['4'],
      pkRmse: 0.8,
      pdRmse: null,
      pkRows: 10,
      pdRows: 0,
    },
  };
}

describe('neural model files', () => {
  it('round-trips every field and every weight bit for bit', () => {
    const r = record();
    const back = decodeNeuralModel(encodeNeuralModel(r));
    expect(back.config).toEqual(r.config);
    expect(back.scaler).toEqual(r.scaler);
    expect(back.domain).toEqual(r.domain);
    expect(back.features).toEqual(r.features);
    expect(back.training.history[1].trainLoss).toBeNaN();
    expect(back.training.pdRmse).toBeNull();
    expect(back.weights.map((w) => w.name)).toEqual(r.weights.map((w) => w.name));
    back.weights.forEach((w, i) => {
      expect(w.shape).toEqual(r.weights[i].shape);
      expect(Array.from(w.values)).toEqual(Array.from(r.weights[i].values));
      expect(Object.is(w.values[1], r.weights[i].values[1])).toBe(true);
    });
  });

  it('base64 of every length modulo 3 decodes back', () => {
    for (const n of [1, 2, 3, 4, 5, 7]) {
      const r = record();
      const values = Float32Array.from({ length: n }, (_, i) => i * 0.1 - 0.3);
      const one = { ...r, weights: [{ name: 'w', shape: [n], values }] };
      expect(Array.from(decodeNeuralModel(encodeNeuralModel(one)).weights[0].values)).toEqual(
        Array.from(values),
      );
    }
  });

  it('says what is wrong with a file it cannot read', () => {
    const good = JSON.parse(encodeNeuralModel(record())) as Record<string, unknown>;
    const text = (patch: Record<string, unknown>) => JSON.stringify({ ...good, ...patch });
    expect(() => decodeNeuralModel('{oops')).toThrow(/not valid JSON/);
    expect(() => decodeNeuralModel(JSON.stringify({ format: 'other' }))).toThrow(
      /Not a neural model file/,
    );
    expect(() => decodeNeuralModel(text({ version: 99 }))).toThrow(/version 99/);
    expect(() => decodeNeuralModel(text({ config: { framework: 'deep' } }))).toThrow(
      /unknown framework/,
    );
    expect(() => decodeNeuralModel(text({ inputWidth: 5 }))).toThrow(/input width/);
    expect(() =>
      decodeNeuralModel(text({ weights: [{ name: 'w', shape: [2], values: 'AAAAAA==' }] })),
    ).toThrow(/1 values, not 2/);
    expect(() =>
      decodeNeuralModel(text({ weights: [{ name: 'w', shape: [1], values: '!!!!' }] })),
    ).toThrow(/base64/);
    expect(() => decodeNeuralModel(text({ training: { dataLabel: 'x' } }))).toThrow(/backend/);
  });
});
