import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose } from '../../testing/close';
import { demoDataset } from '../../testing/demo';
import { trainingDomainOf } from '../models/trainingDomain';
import { buildFeatureTable, selectRows, scaleFeatures, unscaleTargets } from './features';
import { decodeNeuralModel, encodeNeuralModel } from './modelFile';
import { restoreNetwork } from './networks';
import {
  splitSubjects,
  trainNeuralModel,
  type TrainJob,
  type TrainOutcome,
  type TrainProgress,
} from './trainModel';
import { DEFAULT_NEURAL_CONFIG, type NeuralConfig } from './types';

const ds = demoDataset(11).ds;

/** Small and quick: a few epochs of a narrow network on the CPU backend. */
const SMALL: NeuralConfig = {
  ...DEFAULT_NEURAL_CONFIG,
  hidden: 8,
  blocks: 1,
  dropout: 0,
  batchSize: 128,
  maxEpochs: 4,
  patience: 50,
};

const job: Omit<TrainJob, 'dataset' | 'backend'> = {
  dataLabel: 'demo-11',
  label: 'small cascade',
  config: SMALL,
  features: {},
  testFraction: 0.2,
  splitSeed: 3,
};

/** Restored predictions must match the ones scored in the run: same weights, same backend. */
const RESTORE_TOLERANCE = { rel: 1e-5, abs: 1e-6 };

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('splitSubjects', () => {
  const n = ds.subjects.length;

  it('gives disjoint sets that cover every subject, with about the asked shares', () => {
    const plan = splitSubjects(ds, 0.2, 1);
    const all = [...plan.train, ...plan.validation, ...plan.test].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(plan.test.length).toBe(Math.round(0.2 * n));
    // About 15% (the default) of the subjects left after the test set.
    expect(plan.validation.length).toBe(Math.round(0.15 * (n - plan.test.length)));
    for (const set of [plan.train, plan.validation, plan.test]) {
      expect([...set]).toEqual([...set].sort((a, b) => a - b));
    }
  });

  it('is deterministic for a seed and changes with it', () => {
    expect(splitSubjects(ds, 0.2, 5)).toEqual(splitSubjects(ds, 0.2, 5));
    expect(splitSubjects(ds, 0.2, 6)).not.toEqual(splitSubjects(ds, 0.2, 5));
  });

  it('spreads the dose groups over the test and validation sets', () => {
    const group = (i: number) => ds.subjects[i].doseGroup;
    const groups = new Set(ds.subjects.map((s) => s.doseGroup));
    for (const seed of [1, 2, 3]) {
      const plan = splitSubjects(ds, 0.25, seed);
      expect(new Set(plan.test.map(group))).toEqual(groups);
      expect(new Set(plan.validation.map(group)).size).toBeGreaterThanOrEqual(3);
    }
  });

  it('keeps at least one subject in each set, however small the shares', () => {
    const three = { ...ds, subjects: ds.subjects.slice(0, 3) };
    for (const [testFraction, validationFraction] of [
      [0.01, 0.01],
      [0.99, 0.99],
    ]) {
      const plan = splitSubjects(three, testFraction, 1, validationFraction);
      expect([plan.train.length, plan.validation.length, plan.test.length]).toEqual([1, 1, 1]);
    }
  });

  it('says why it cannot split too few subjects or a share outside (0, 1)', () => {
    const two = { ...ds, subjects: ds.subjects.slice(0, 2) };
    expect(() => splitSubjects(two, 0.2, 1)).toThrow(/at least 3 subjects.*have 2/);
    expect(() => splitSubjects(ds, 0, 1)).toThrow(/test fraction must be in \(0, 1\), got 0/);
    expect(() => splitSubjects(ds, 0.2, 1, 1)).toThrow(/validation fraction/);
  });
});

describe('trainNeuralModel', () => {
  let outcome: TrainOutcome;
  const progress: TrainProgress[] = [];

  beforeAll(async () => {
    outcome = await trainNeuralModel(ds, job, {
      backend: 'cpu',
      backendReason: 'tests run on the CPU',
      onProgress: (p) => progress.push(p),
      id: 'model-1',
      createdAt: '2025-01-02T03:04:05.000Z',
    });
  });

  it('streams progress: starting, one report per epoch in order, then scoring', () => {
    expect(progress[0]).toMatchObject({ phase: 'starting', epoch: 0, maxEpochs: 4 });
    expect(progress.at(-1)?.phase).toBe('scoring');
    const epochs = progress.filter((p) => p.phase === 'training').map((p) => p.epoch);
    expect(epochs).toEqual([1, 2, 3, 4]);
    for (const p of progress) {
      expect(p).toMatchObject({ backend: 'cpu', backendReason: 'tests run on the CPU' });
    }
  });

  it('returns a record of the run: sets, history, scores, domain of the training subjects', () => {
    const { record } = outcome;
    const t = record.training;
    expect(record).toMatchObject({ id: 'model-1', label: 'small cascade', config: SMALL });
    expect(record.createdAt).toBe('2025-01-02T03:04:05.000Z');
    expect(record.inputWidth).toBe(record.scaler.featureNames.length);
    expect(t.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4]);
    expect(t).toMatchObject({ backend: 'cpu', dataLabel: 'demo-11', epochs: 4 });
    expect(t.bestEpoch).toBe(t.history.at(-1)?.bestEpoch);
    const plan = splitSubjects(ds, job.testFraction, job.splitSeed);
    const id = (i: number) => ds.subjects[i].id;
    expect(t.trainSubjects).toEqual(plan.train.map(id));
    expect(t.validationSubjects).toEqual(plan.validation.map(id));
    expect(t.testSubjects).toEqual(plan.test.map(id));
    expect(t.pkRows).toBe(outcome.heldOut.pk.observed.length);
    expect(t.pkRows).toBeGreaterThan(0);
    expect(t.pdRows).toBeGreaterThan(0);
    expect(t.pkRmse).toBeGreaterThan(0);
    expect(t.pdRmse).toBeGreaterThan(0);
    const trainOnly = { ...ds, subjects: plan.train.map((i) => ds.subjects[i]) };
    expect(record.domain).toEqual(trainingDomainOf(trainOnly));
    expect(outcome.stoppedEarly).toBe(false);
  });

  it('scores exactly the test subjects, in mg/L and ng/mL', () => {
    const test = new Set(outcome.record.training.testSubjects);
    for (const endpoint of ['pk', 'pd'] as const) {
      const held = outcome.heldOut[endpoint];
      expect(held.subject.every((i) => test.has(ds.subjects[i].id))).toBe(true);
      const dvid = endpoint === 'pk' ? 1 : 2;
      const observed = ds.subjects
        .filter((s) => test.has(s.id))
        .flatMap((s) => s.observations.filter((o) => o.dvid === dvid).map((o) => o.dv));
      expect(held.observed).toEqual(observed);
      const squares = held.observed.map((y, i) => (y - held.predicted[i]) ** 2);
      const expected = Math.sqrt(squares.reduce((a, b) => a + b, 0) / squares.length);
      const rmse =
        endpoint === 'pk' ? outcome.record.training.pkRmse : outcome.record.training.pdRmse;
      expectClose(rmse!, expected, { rel: 1e-12, context: `${endpoint} RMSE` });
    }
  });

  it('survives a file: encode → decode → restore predicts the held-out rows as scored', () => {
    const record = decodeNeuralModel(encodeNeuralModel(outcome.record));
    const network = restoreNetwork(record.config, record.inputWidth, record.weights);
    try {
      const table = buildFeatureTable(ds, record.features);
      const test = record.training.testSubjects.map((id) =>
        ds.subjects.findIndex((s) => s.id === id),
      );
      for (const endpoint of ['pk', 'pd'] as const) {
        const rows = selectRows(table[endpoint], test);
        const x = scaleFeatures(record.scaler, rows.x, rows.rows);
        const scaled =
          endpoint === 'pk' ? network.predictPk(x, rows.rows) : network.predictPd(x, rows.rows);
        const predicted = unscaleTargets(record.scaler, endpoint, scaled);
        const scored = outcome.heldOut[endpoint].predicted;
        expect(predicted.length).toBe(scored.length);
        predicted.forEach((v, i) =>
          expectClose(v, scored[i], { ...RESTORE_TOLERANCE, context: `${endpoint} row ${i}` }),
        );
      }
    } finally {
      network.dispose();
    }
  });

  it('survives structured cloning (it crosses from the worker)', () => {
    const copy = structuredClone(outcome);
    expect(copy.record.weights[0].values).toBeInstanceOf(Float32Array);
    expect(copy).toEqual(outcome);
  });

  it('leaves no tensors behind, run after run', async () => {
    expect(outcome.tensors.after).toBe(outcome.tensors.before);
    const start = tf.memory().numTensors;
    for (let run = 0; run < 2; run++) {
      const again = await trainNeuralModel(
        ds,
        { ...job, config: { ...SMALL, maxEpochs: 2 } },
        {
          backend: 'cpu',
        },
      );
      expect(again.tensors.after).toBe(again.tensors.before);
      expect(tf.memory().numTensors).toBe(start);
    }
  });

  it('stops when asked, after the epoch that is running, keeping the best epoch so far', async () => {
    const seen: number[] = [];
    const stopped = await trainNeuralModel(
      ds,
      { ...job, config: { ...SMALL, maxEpochs: 50 } },
      {
        backend: 'cpu',
        onProgress: (p) => {
          if (p.phase === 'training') seen.push(p.epoch);
        },
        shouldStop: () => seen.length >= 2,
      },
    );
    expect(stopped.stoppedEarly).toBe(true);
    const t = stopped.record.training;
    expect(t.epochs).toBeLessThanOrEqual(3);
    expect(t.bestEpoch).toBeGreaterThanOrEqual(1);
    expect(t.bestEpoch).toBeLessThanOrEqual(t.epochs);
    expect(t.history).toHaveLength(t.epochs);
    expect(stopped.tensors.after).toBe(stopped.tensors.before);
  });

  it('trains one epoch even when told to stop before it starts', async () => {
    const stopped = await trainNeuralModel(
      ds,
      { ...job, config: { ...SMALL, maxEpochs: 50 } },
      {
        backend: 'cpu',
        shouldStop: () => true,
      },
    );
    expect(stopped.record.training.epochs).toBe(1);
    expect(stopped.record.training.bestEpoch).toBe(1);
    expect(stopped.stoppedEarly).toBe(true);
  });

  it('passes the core errors on, and frees the tensors when it fails', async () => {
    const before = tf.memory().numTensors;
    await expect(
      trainNeuralModel(ds, { ...job, config: { ...SMALL, maxEpochs: 0 } }, { backend: 'cpu' }),
    ).rejects.toThrow(/maxEpochs must be a whole number ≥ 1/);
    await expect(
      trainNeuralModel(ds, { ...job, config: { ...SMALL, hidden: 0 } }, { backend: 'cpu' }),
    ).rejects.toThrow(/hidden must be ≥ 1/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
